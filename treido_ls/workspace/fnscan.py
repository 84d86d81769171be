"""Tree-level facts about one function body, shared by the symbol index and the auth checks.

Everything here looks at a single tree: which calls run on every path, which `if` statements leave
the function, which names a call's result is bound to. Cross-file meaning (is this callee a guard?)
is decided by the callers (workspace/symbols.py, checks/_auth.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax

EXIT_CALLS = frozenset({"redirect", "permanentRedirect", "notFound", "forbidden", "unauthorized"})
VERIFY_METHODS = frozenset({"getUser", "getClaims"})
# Statements a guard may sit in and still run on every path (a `try` body runs before its catch).
_TRANSPARENT = frozenset({
    "statement_block", "expression_statement", "lexical_declaration", "variable_declaration",
    "variable_declarator", "await_expression", "parenthesized_expression", "try_statement",
    "return_statement", "as_expression", "non_null_expression", "satisfies_expression", "call_expression",
    "arguments", "member_expression", "assignment_expression", "object_pattern", "pair_pattern",
})
_ROLE_WORDS = re.compile(r"\b(role|roles|is_admin|isAdmin|admin|app_metadata|is_staff|isStaff)\b")


def callee_key(call: Node) -> str | None:
    """`f` for `f()`, `ns.f` for `ns.f()` with an identifier receiver; None otherwise."""
    function = syntax.unwrap(call.child_by_field_name("function"))
    if function is None:
        return None
    if function.type == "identifier":
        return syntax.text(function)
    if function.type == "member_expression":
        obj = function.child_by_field_name("object")
        prop = function.child_by_field_name("property")
        if obj is not None and obj.type == "identifier" and prop is not None:
            return f"{syntax.text(obj)}.{syntax.text(prop)}"
    return None


def own_nodes(fn: Node, types: frozenset[str]) -> Iterator[Node]:
    """Descendants of `fn`'s body of the given types, not entering nested functions."""
    body = fn.child_by_field_name("body")
    if body is None:
        return
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type in types:
            yield node
        for child in reversed(node.named_children):
            if child.type not in syntax.FUNCTION_TYPES and child.type != "class_declaration":
                stack.append(child)


def calls_in(fn: Node) -> list[Node]:
    return sorted(own_nodes(fn, frozenset({"call_expression"})), key=lambda n: n.start_byte)


def is_auth_verify_call(call: Node) -> bool:
    """`<x>.auth.getUser()` / `<x>.auth.getClaims()`."""
    parts = syntax.member_call_parts(call)
    if parts is None or parts[1] not in VERIFY_METHODS:
        return False
    return _auth_receiver(parts[0])


def _auth_receiver(receiver: Node) -> bool:
    """`<client>.auth`, or a destructured `auth` (`const { auth } = supabase`)."""
    if receiver.type == "identifier":
        return syntax.text(receiver) == "auth"
    return receiver.type == "member_expression" and syntax.text(receiver.child_by_field_name("property")) == "auth"


def is_auth_call(call: Node, method: str) -> bool:
    parts = syntax.member_call_parts(call)
    if parts is None or parts[1] != method:
        return False
    return _auth_receiver(parts[0])


def unconditional(node: Node, fn: Node) -> bool:
    """True when `node` runs on every path through `fn` that gets past it (no branch, loop or callback)."""
    body = fn.child_by_field_name("body")
    if body is None:
        return False
    # Walk down from the body to the node (child_with_descendant) rather than up with `.parent`:
    # tree-sitter finds a parent by descending from the root, so upward walks cost depth squared.
    parent = body
    while parent != node:
        child = parent.child_with_descendant(node)
        if child is None:
            return False
        if parent.type == "try_statement" and child != parent.child_by_field_name("body"):
            return False  # a catch or finally clause runs only sometimes
        if parent.type not in _TRANSPARENT and parent != body:
            return False
        parent = child
    return True


def bound_names(call: Node) -> set[str]:
    """Names a call's result is bound to: `const { data: { user }, error } = await c()` -> user, data, error."""
    node = call
    while node.parent is not None and node.parent.type in (
        "await_expression", "parenthesized_expression", "member_expression", "non_null_expression", "as_expression",
    ):
        node = node.parent
    parent = node.parent
    if parent is None:
        return set()
    target: Node | None = None
    if parent.type == "variable_declarator" and parent.child_by_field_name("value") == node:
        target = parent.child_by_field_name("name")
    elif parent.type == "assignment_expression" and parent.child_by_field_name("right") == node:
        target = parent.child_by_field_name("left")
    if target is None:
        return set()
    names: set[str] = set()
    for ident in syntax.walk(target):
        if ident.type in ("identifier", "shorthand_property_identifier_pattern"):
            names.add(syntax.text(ident))
    if target.type == "object_pattern":
        names.add("data")  # `const { data } = ...` tests read `data.user`
    return names


def exits(node: Node) -> bool:
    """The statement leaves the function: throw, return, or a Next.js navigation call (which throws)."""
    for inner in _own_walk(node):
        if inner.type in ("throw_statement", "return_statement"):
            return True
        if inner.type == "call_expression" and syntax.callee_name(inner) in EXIT_CALLS:
            return True
    return False


def _own_walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(c for c in current.named_children if c.type not in syntax.FUNCTION_TYPES)


def _identifiers(node: Node) -> set[str]:
    return {syntax.text(n) for n in syntax.walk(node) if n.type in ("identifier", "property_identifier")}


def tests_absence(condition: Node, names: set[str]) -> bool:
    """The condition is true when the bound value is missing: `!user`, `error || !user`, `user === null`,
    `!data.claims`, or an `error` from the same call."""
    for node in syntax.walk(condition):
        if node.type == "unary_expression" and syntax.text(node).startswith("!"):
            if _identifiers(node) & names:
                return True
        elif node.type == "binary_expression":
            op = node.child_by_field_name("operator")
            if syntax.text(op) in ("===", "==") and _identifiers(node) & names and (
                    {"null", "undefined"} & {c.type for c in node.named_children}):
                return True
        elif node.type == "identifier" and syntax.text(node) in names and "error" in syntax.text(node).lower():
            return True
    return False


def exiting_check_after(call: Node, fn: Node, names: set[str]) -> Node | None:
    """The first unconditional `if` after `call` that tests the absence of `names` and leaves the function."""
    if not names:
        return None
    for stmt in top_statements(fn):
        if stmt.type != "if_statement" or stmt.start_byte < call.end_byte:
            continue
        condition = stmt.child_by_field_name("condition")
        consequence = stmt.child_by_field_name("consequence")
        if condition is None or consequence is None:
            continue
        if tests_absence(condition, names) and exits(consequence):
            return stmt
    return None


def top_statements(fn: Node) -> Iterator[Node]:
    """Statements that run on every path: the body's, and those of its `try` bodies and bare blocks."""
    body = fn.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return
    stack = list(reversed(body.named_children))
    while stack:
        stmt = stack.pop()
        yield stmt
        inner = stmt.child_by_field_name("body") if stmt.type == "try_statement" else (
            stmt if stmt.type == "statement_block" else None)
        if inner is not None:
            stack.extend(reversed(inner.named_children))


def role_check(fn: Node) -> bool:
    """An `if` testing a role (`role`, `is_admin`, `app_metadata.role`) whose branch leaves the function."""
    for stmt in own_nodes(fn, frozenset({"if_statement"})):
        condition = stmt.child_by_field_name("condition")
        consequence = stmt.child_by_field_name("consequence")
        if condition is None or consequence is None:
            continue
        if _ROLE_WORDS.search(syntax.text(condition)) and exits(consequence):
            return True
    return False


def function_value(node: Node | None) -> Node | None:
    """The function of `async () => {}`, also wrapped: `cache(async () => {})`."""
    node = syntax.unwrap(node)
    if node is None:
        return None
    if node.type in syntax.FUNCTION_TYPES:
        return node
    if node.type == "call_expression":
        args = syntax.call_arguments(node)
        if args and syntax.unwrap(args[-1]) is not None:
            last = syntax.unwrap(args[-1])
            if last is not None and last.type in syntax.FUNCTION_TYPES:
                return last
    return None


def returned_calls(fn: Node) -> list[Node]:
    """Calls whose result the function returns: `return f()`, `=> f()`, `return await f()`."""
    body = fn.child_by_field_name("body")
    found: list[Node] = []
    if body is not None and body.type != "statement_block":
        value = syntax.unwrap(body)
        if value is not None and value.type == "call_expression":
            found.append(value)
    for stmt in own_nodes(fn, frozenset({"return_statement"})):
        value = syntax.unwrap(stmt.named_children[0]) if stmt.named_children else None
        if value is not None and value.type == "call_expression":
            found.append(value)
    return found
