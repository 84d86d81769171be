"""security/raw-error-to-client: a Supabase or Stripe error's text returned to the browser.

Sinks: return statements of exported functions in 'use server' modules, and route responses
(`NextResponse.json`, `Response.json`, `new Response`, pages-router `res.json/send`). An error is
the `error` destructured from a `.from()`/`.rpc()`/storage call, or the `catch` parameter of a try
around a Stripe API call. `supabase.auth.*` errors and thrown errors are out of scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._scope import assigned_values, declaration_of, pattern_bindings
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix, Violation

RESPONSES = """
[(call_expression function: (member_expression) @callee) @sink
 (new_expression constructor: (identifier) @callee) @sink]
"""
GENERIC_MESSAGE = "Something went wrong. Please try again."
_RAW_PROPERTIES = frozenset({"message", "details", "hint"})
_NOT_SUPABASE = frozenset({"Array", "Buffer", "Object", "Uint8Array", "Promise", "Set", "Map"})
_STRIPE_CLIENT = re.compile(r"^stripe(Client|Api|Sdk)?$", re.IGNORECASE)
_PASS_THROUGH = frozenset({
    "template_substitution", "template_string", "binary_expression", "ternary_expression",
    "parenthesized_expression", "as_expression", "non_null_expression", "satisfies_expression",
})
_STATEMENT_PARENTS = frozenset({"statement_block", "program", "switch_case", "switch_default"})
_MAX_DEPTH = 8


@dataclass(frozen=True, slots=True)
class RawError:
    node: Node  # `error.message`, or the error identifier itself
    name: str  # the error variable
    source: str  # "supabase" | "stripe"
    caught: bool  # a catch parameter (type unknown: log it whole)


@check("security/raw-error-to-client")
def raw_error_to_client(ctx: FileContext) -> Iterator[Violation]:
    if b"error" not in ctx.source and b"err" not in ctx.source:
        return
    for sink, expression in _sinks(ctx):
        raws = list(_raw_errors(expression, 0))
        if raws and _exempt_verification(sink, raws):
            continue
        if not raws:
            continue
        first = raws[0]
        origin = "a Supabase query" if first.source == "supabase" else "a Stripe call"
        shown = f"`{_short(first.node)}`" if first.node.type == "member_expression" else \
            f"The whole error object `{first.name}`"
        what = f"{shown} of {origin}"
        fix = _fix(ctx, sink, raws)
        yield Violation(first.node.start_byte, first.node.end_byte, ctx.message(what=what),
                        fixes=[fix] if fix is not None else [], data={"error": first.name})


def _sinks(ctx: FileContext) -> Iterator[tuple[Node, Node]]:
    """(sink node, the expression that reaches the client)."""
    if ctx.is_kind("server-action"):
        for fn in ctx.exported_functions():
            if fn.body is None:
                continue
            if fn.body.type != "statement_block":
                yield fn.body, fn.body  # `export const act = async () => ({ ... })`
                continue
            for ret in syntax.descendants_of_type(fn.body, {"return_statement"}):
                value = ret.named_children[0] if ret.named_children else None
                if value is not None and syntax.enclosing_function(ret) == fn.node:
                    yield ret, value
    if ctx.is_kind("route-handler", "edge-function"):
        for match in ctx.matches(RESPONSES):
            sink = match["sink"][0]
            args = syntax.call_arguments(sink)
            if args and _is_response(sink, match["callee"][0]):
                yield sink, args[0]


def _is_response(sink: Node, callee: Node) -> bool:
    if sink.type == "new_expression":
        return syntax.text(callee) in ("Response", "NextResponse")
    obj = callee.child_by_field_name("object")
    method = syntax.text(callee.child_by_field_name("property"))
    if syntax.text(obj) in ("NextResponse", "Response"):
        return method == "json"
    root = obj
    while root is not None and root.type in ("call_expression", "member_expression"):
        root = root.child_by_field_name("function") if root.type == "call_expression" else \
            root.child_by_field_name("object")
    return method in ("json", "send") and syntax.text(root) == "res"


def _raw_errors(node: Node | None, depth: int) -> Iterator[RawError]:
    node = syntax.unwrap(node)
    if node is None or depth > _MAX_DEPTH:
        return
    kind = node.type
    if kind in ("identifier", "shorthand_property_identifier"):
        found = _error_binding(node, syntax.text(node))
        if found is not None:
            yield RawError(node, syntax.text(node), *found)
        return
    if kind == "member_expression":
        obj = syntax.unwrap(node.child_by_field_name("object"))
        prop = syntax.text(node.child_by_field_name("property"))
        if obj is not None and obj.type == "identifier" and prop in _RAW_PROPERTIES:
            found = _error_binding(obj, syntax.text(obj))
            if found is not None:
                yield RawError(node, syntax.text(obj), *found)
        return
    if kind == "call_expression":
        if syntax.text(node.child_by_field_name("function")) in ("JSON.stringify", "String"):
            for arg in syntax.call_arguments(node)[:1]:
                yield from _raw_errors(arg, depth + 1)
        return
    for part in syntax.value_parts(node):
        yield from _raw_errors(part, depth + 1)


def _error_binding(use: Node, name: str) -> tuple[str, bool] | None:
    """('supabase' | 'stripe' | 'verification', caught) when `name` holds such an error."""
    declaration = declaration_of(use, name)
    if declaration is None:
        return None
    if declaration.type == "variable_declarator":
        key = pattern_bindings(declaration.child_by_field_name("name")).get(name)
        if key == "error" and _is_data_call(declaration.child_by_field_name("value"), 0):
            return "supabase", False
        return None
    if declaration.type == "catch_clause" and declaration.parent is not None:
        body = declaration.parent.child_by_field_name("body")
        kind = _stripe_calls_in(body) if body is not None else None
        return (kind, True) if kind is not None else None
    return None


def _is_data_call(value: Node | None, depth: int) -> bool:
    """A `.from()` / `.rpc()` / `.storage` query chain (not `supabase.auth.*`)."""
    node = syntax.unwrap(value)
    while node is not None and depth < _MAX_DEPTH:
        if node.type == "call_expression":
            parts = syntax.member_call_parts(node)
            if parts is None:
                return False
            receiver, method = parts
            if method == "rpc":
                return True
            if method == "from" and len(syntax.call_arguments(node)) == 1 and \
                    syntax.text(receiver) not in _NOT_SUPABASE:
                return True
            node = syntax.unwrap(receiver)
        elif node.type == "member_expression":
            if syntax.text(node.child_by_field_name("property")) == "auth":
                return False
            node = syntax.unwrap(node.child_by_field_name("object"))
        elif node.type == "identifier":
            return any(_is_data_call(v, depth + 1) for v in assigned_values(node))
        else:
            return False
        depth += 1
    return False


def _stripe_calls_in(body: Node) -> str | None:
    """'stripe' when the try block calls the Stripe API, 'verification' when only webhooks.*."""
    verification = False
    for call in syntax.descendants_of_type(body, {"call_expression"}):
        function = call.child_by_field_name("function")
        path: list[str] = []
        node = function
        while node is not None and node.type == "member_expression":
            path.append(syntax.text(node.child_by_field_name("property")))
            node = node.child_by_field_name("object")
        if node is None or node.type != "identifier" or not _STRIPE_CLIENT.match(syntax.text(node)) or len(path) < 2:
            continue
        if "webhooks" in path:
            verification = True
        else:
            return "stripe"
    return "verification" if verification else None


def _exempt_verification(sink: Node, raws: list[RawError]) -> bool:
    """A webhook answering a failed signature check with 400 may say why (Stripe shows it)."""
    return all(raw.source == "verification" for raw in raws) and _status(sink) == "400"


def _status(sink: Node) -> str | None:
    args = syntax.call_arguments(sink) if sink.type in ("call_expression", "new_expression") else []
    if len(args) > 1 and args[1].type == "object":
        for pair in args[1].named_children:
            if pair.type == "pair" and syntax.text(pair.child_by_field_name("key")) == "status":
                return syntax.text(pair.child_by_field_name("value"))
    node: Node | None = sink
    while node is not None and node.type == "call_expression":  # res.status(400).send(...)
        parts = syntax.member_call_parts(node)
        if parts is None:
            return None
        if parts[1] == "status" and syntax.call_arguments(node):
            return syntax.text(syntax.call_arguments(node)[0])
        node = syntax.unwrap(parts[0])
    return None


def _fix(ctx: FileContext, sink: Node, raws: list[RawError]) -> Fix | None:
    """Generic message for the client, the error logged on the server just before."""
    quote = syntax.quote_of(ctx.source)
    message = f"{quote}{GENERIC_MESSAGE}{quote}"
    edits: list[Edit] = []
    for raw in raws:
        edit = _replace_slot(raw.node, message)
        if edit is None:
            return None
        if all(edit.end <= e.start or edit.start >= e.end for e in edits):
            edits.append(edit)
    statement = _statement_of(sink)
    if statement is None or not all(_guarded(statement, raw) for raw in raws):
        return None
    edits += _insert_log(ctx, statement, raws[0], quote)
    assert ctx.rule is not None
    return Fix(ctx.rule.fix_title or "Return a generic message and log the error", tuple(edits), Applicability.UNSAFE)


def _replace_slot(raw: Node, message: str) -> Edit | None:
    node = raw
    while node.parent is not None and node.parent.type in _PASS_THROUGH:
        node = node.parent
    parent = node.parent
    if node.type == "shorthand_property_identifier":
        return Edit(node.start_byte, node.end_byte, f"{syntax.text(node)}: {message}")
    if parent is None:
        return None
    if parent.type == "pair" and parent.child_by_field_name("value") == node:
        return Edit(node.start_byte, node.end_byte, message)
    if parent.type == "arguments" and node.type != "identifier":  # new Response(error.message, ...)
        return Edit(node.start_byte, node.end_byte, message)
    return None


def _guarded(statement: Node, raw: RawError) -> bool:
    """Only runs when there is an error (`if (error) ...` or a catch block): the log may read it."""
    if raw.caught:
        return True
    node = statement
    while node.parent is not None and node.type not in syntax.FUNCTION_TYPES:
        parent = node.parent
        if parent.type == "if_statement" and parent.child_by_field_name("consequence") == node:
            condition = syntax.unwrap(parent.child_by_field_name("condition"))
            if condition is not None and condition.type != "unary_expression" and any(
                syntax.text(ident) == raw.name for ident in syntax.descendants_of_type(condition, {"identifier"})
            ):
                return True
        node = parent
    return False


def _statement_of(sink: Node) -> Node | None:
    node: Node | None = sink
    while node is not None and node.parent is not None:
        if node.parent.type in _STATEMENT_PARENTS or node.parent.type in ("if_statement", "else_clause"):
            return node
        if node.type in syntax.FUNCTION_TYPES:
            return None
        node = node.parent
    return None


def _insert_log(ctx: FileContext, statement: Node, raw: RawError, quote: str) -> list[Edit]:
    name = _function_name(ctx, statement)
    fields = f"{{ error: {raw.name} }}" if raw.caught else \
        f"{{ code: {raw.name}.code, message: {raw.name}.message }}"
    log = f"console.error({quote}{name} failed{quote}, {fields});"
    line_start = ctx.source.rfind(b"\n", 0, statement.start_byte) + 1
    braceless = statement.parent is not None and statement.parent.type in ("if_statement", "else_clause")
    if braceless or ctx.source[line_start:statement.start_byte].strip():  # `if (error) return {...};`
        return [Edit(statement.start_byte, statement.start_byte, f"{{ {log} "),
                Edit(statement.end_byte, statement.end_byte, " }")]
    indent = syntax.line_indent(ctx.source, statement.start_byte).decode("utf-8")
    return [Edit(line_start, line_start, f"{indent}{log}{syntax.newline_of(ctx.source)}")]


def _function_name(ctx: FileContext, node: Node) -> str:
    for fn in ctx.functions:
        if fn.node.start_byte <= node.start_byte < fn.node.end_byte:
            return fn.name
    return "Request"


def _short(node: Node) -> str:
    text = " ".join(syntax.text(node).split())
    return text if len(text) <= 40 else text[:37] + "..."
