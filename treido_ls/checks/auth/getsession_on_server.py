"""auth/getsession-on-server: server code trusts `auth.getSession()` to decide access or to query."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._auth import is_server_code
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix, Violation
from treido_ls.workspace import fnscan

CALLS = """
(call_expression
  function: (member_expression property: (property_identifier) @method (#eq? @method "getSession"))) @call
"""
# Builder methods whose arguments become part of a query or a write.
QUERY_METHODS = frozenset({
    "eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "is", "in", "match", "filter", "or", "not",
    "contains", "containedBy", "insert", "update", "upsert", "delete", "rpc", "from", "select", "single",
})
_BOUNDARY = frozenset({*syntax.FUNCTION_TYPES, "statement_block", "program"})


@check("auth/getsession-on-server")
def getsession_on_server(ctx: FileContext) -> Iterator[Violation]:
    if b"getSession" not in ctx.source or not is_server_code(ctx):
        return
    for call in ctx.captures(CALLS).get("call", []):
        if not fnscan.is_auth_call(call, "getSession"):
            continue
        scope = syntax.enclosing_function(call) or ctx.root
        names = {n for n in fnscan.bound_names(call) if "error" not in n.lower()}
        purpose = _purpose(scope, call, names)
        if purpose is None:
            continue
        function = call.child_by_field_name("function")
        prop = function.child_by_field_name("property") if function is not None else None
        fix = _fix(ctx, scope, call)
        yield Violation((prop or call).start_byte, call.end_byte, ctx.message(purpose=purpose),
                        fixes=[fix] if fix is not None else [])


def _references(scope: Node, call: Node, names: set[str]) -> Iterator[Node]:
    """Uses of the bound names after the call (not the declaration itself)."""
    for node in syntax.walk(scope):
        if node.type == "identifier" and node.start_byte >= call.end_byte and syntax.text(node) in names:
            yield node


def _purpose(scope: Node, call: Node, names: set[str]) -> str | None:
    feeds = False
    for ref in _references(scope, call, names):
        use = _use_of(ref)
        if use == "test":
            return "decides access"
        feeds = feeds or use == "query"
    return "feeds a query" if feeds else None


def _use_of(ref: Node) -> str | None:
    """'test' when the value is an `if` condition, 'query' when it is an argument of a query method."""
    current = ref
    while current.parent is not None and current.parent.type not in _BOUNDARY:
        parent = current.parent
        if parent.type == "if_statement" and parent.child_by_field_name("condition") == current:
            return "test"
        if current.type == "arguments" and parent.type == "call_expression":
            parts = syntax.member_call_parts(parent)
            if parts is not None and parts[1] in QUERY_METHODS:
                return "query"
        current = parent
    return None


# -- fix ----------------------------------------------------------------------------------------------


def _fix(ctx: FileContext, scope: Node, call: Node) -> Fix | None:
    """`getSession()` -> `getUser()`, `{ data: { session } }` -> `{ data: { user } }`, `session.user` -> `user`."""
    shorthand = _session_shorthand(call)
    if shorthand is None or any(syntax.text(n) == "user" for n in syntax.walk(scope) if n.type in (
            "identifier", "shorthand_property_identifier_pattern", "shorthand_property_identifier")):
        return None
    function = call.child_by_field_name("function")
    prop = function.child_by_field_name("property") if function is not None else None
    if prop is None:
        return None
    edits = [Edit(prop.start_byte, prop.end_byte, "getUser"), Edit(shorthand.start_byte, shorthand.end_byte, "user")]
    for ref in _references(scope, call, {"session"}):
        edit = _rewrite(ref)
        if edit is None:
            return None
        edits.append(edit)
    assert ctx.rule is not None
    return Fix(ctx.rule.fix_title or "Use getUser()", tuple(edits), Applicability.UNSAFE)


def _session_shorthand(call: Node) -> Node | None:
    """The `session` in `const { data: { session } } = await x.auth.getSession()`."""
    node = call
    while node.parent is not None and node.parent.type in ("await_expression", "parenthesized_expression"):
        node = node.parent
    declarator = node.parent
    if declarator is None or declarator.type != "variable_declarator":
        return None
    pattern = declarator.child_by_field_name("name")
    if pattern is None or pattern.type != "object_pattern":
        return None
    for pair in pattern.named_children:
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if pair.type == "pair_pattern" and syntax.text(key) == "data" and value is not None \
                and value.type == "object_pattern":
            inner = [c for c in value.named_children if c.type != "comment"]
            if len(inner) == 1 and inner[0].type == "shorthand_property_identifier_pattern" \
                    and syntax.text(inner[0]) == "session":
                return inner[0]
    return None


def _rewrite(ref: Node) -> Edit | None:
    """`session.user` / `session?.user` -> `user`; a truthiness test of `session` -> `user`."""
    parent = ref.parent
    if parent is None:
        return None
    if parent.type == "member_expression" and parent.child_by_field_name("object") == ref:
        if syntax.text(parent.child_by_field_name("property")) == "user":
            # `session?.user.id` -> `user?.id`: the user may be missing where the session was.
            optional = any(c.type == "optional_chain" for c in parent.children)
            outer = parent.parent
            further = (outer is not None and outer.type == "member_expression"
                       and outer.child_by_field_name("object") == parent
                       and not any(c.type == "optional_chain" for c in outer.children))
            return Edit(ref.start_byte, parent.end_byte, "user?" if optional and further else "user")
        return None
    if parent.type == "unary_expression" and syntax.text(parent).startswith("!"):
        return Edit(ref.start_byte, ref.end_byte, "user")
    if parent.type == "parenthesized_expression" and parent.parent is not None \
            and parent.parent.type == "if_statement":
        return Edit(ref.start_byte, ref.end_byte, "user")
    if parent.type == "binary_expression" and syntax.text(parent.child_by_field_name("operator")) in ("&&", "||"):
        return Edit(ref.start_byte, ref.end_byte, "user")
    return None
