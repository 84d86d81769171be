"""supabase/unbounded-list: a select with no row bound whose rows leave the server (action, route, page)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._supabase import chain_methods, query_chain
from treido_ls.context import FileContext, function_directives
from treido_ls.model import Violation

SELECT_CALLS = """
(call_expression
  function: (member_expression property: (property_identifier) @method (#eq? @method "select"))) @call
"""
BOUNDS = frozenset({"limit", "range", "single", "maybeSingle"})
WRITES = frozenset({"insert", "update", "upsert", "delete"})
# Nodes a list of rows passes through unchanged (or still whole) on its way to a sink.
_TRANSPARENT = frozenset({
    "parenthesized_expression", "await_expression", "as_expression", "non_null_expression",
    "satisfies_expression", "object", "array", "spread_element",
})
_ROW_METHODS = frozenset({"map", "filter", "sort", "toSorted", "flatMap", "slice", "reverse"})
_JSX = frozenset({"jsx_expression", "jsx_element", "jsx_self_closing_element"})
_MAX_ALIASES = 3


def _is_unique_filter(ctx: FileContext, table: str | None, column: str) -> bool:
    """Whether `.eq(column, x)` on `table` matches at most one row.

    Only `id` for now; the schema model will answer with the table's real primary and unique keys.
    """
    del ctx, table
    return column == "id"


@dataclass(frozen=True, slots=True)
class _Sink:
    node: Node
    what: str


@check("supabase/unbounded-list")
def unbounded_list(ctx: FileContext) -> Iterator[Violation]:
    if not ctx.is_kind("server-action", "route-handler", "page", "layout") and b"use server" not in ctx.source:
        return
    for select in ctx.captures(SELECT_CALLS).get("call", []):
        chain = query_chain(select)
        if chain is None or _head_only(select):
            continue
        outer = _outermost(select)
        results = _results(outer)
        methods = _methods(outer) | {m for r in results for m in _methods(r)}
        if methods & (BOUNDS | WRITES) or _unique_filter(ctx, chain.table, [outer, *results]):
            continue
        sink = next((s for r in results for s in _sinks(ctx, r, _MAX_ALIASES)), None)
        if sink is None:
            continue
        start = _report_start(chain.from_call, outer, select)
        table = f"`{chain.table}`" if chain.table else "table"
        yield Violation(start, select.end_byte, ctx.message(table=table, sink=sink.what),
                        data={"table": chain.table})


def _outermost(call: Node) -> Node:
    """The last call of the chain `call` is part of: `x.from().select().eq()` for the select."""
    node = call
    while True:
        member = node.parent
        outer = member.parent if member is not None else None
        if member is None or member.type != "member_expression" or outer is None or outer.type != "call_expression":
            return node
        obj = member.child_by_field_name("object")
        if obj is None or obj.id != node.id:
            return node
        node = outer


def _methods(expr: Node) -> set[str]:
    return {method for method, _ in chain_methods(expr)}


def _head_only(select: Node) -> bool:
    args = syntax.call_arguments(select)
    if len(args) < 2 or args[1].type != "object":
        return False
    return any(pair.type == "pair" and syntax.text(pair.child_by_field_name("key")) == "head"
               and syntax.text(pair.child_by_field_name("value")) == "true" for pair in args[1].named_children)


def _unique_filter(ctx: FileContext, table: str | None, exprs: list[Node]) -> bool:
    for expr in exprs:
        for method, call in chain_methods(expr):
            args = syntax.call_arguments(call)
            column = syntax.string_value(args[0]) if method == "eq" and args else None
            if column is not None and _is_unique_filter(ctx, table, column):
                return True
    return False


def _results(outer: Node) -> list[Node]:
    """Expressions that evaluate the query: the chain itself, or later uses of the builder variable."""
    top = _climb(outer, frozenset({"parenthesized_expression", "as_expression", "non_null_expression"}))
    declarator = top.parent
    if declarator is None or declarator.type != "variable_declarator":
        return [outer]
    name = declarator.child_by_field_name("name")
    if name is None or name.type != "identifier":
        return [outer]
    return [_outermost_from(ref) for ref in _references(syntax.text(name), declarator)]


def _outermost_from(ref: Node) -> Node:
    """`q` in `q.eq().limit()` -> the whole chain; `q` alone -> `q`."""
    member = ref.parent
    if member is not None and member.type == "member_expression" and member.parent is not None \
            and member.parent.type == "call_expression":
        return _outermost(member.parent)
    return ref


def _climb(node: Node, types: frozenset[str]) -> Node:
    while node.parent is not None and node.parent.type in types:
        node = node.parent
    return node


def _references(name: str, declarator: Node) -> list[Node]:
    """Reads of `name` after its declaration, in the enclosing function (or module)."""
    scope = syntax.enclosing_function(declarator) or _root(declarator)
    return [node for node in syntax.descendants_of_type(scope, {"identifier", "shorthand_property_identifier"})
            if node.start_byte >= declarator.end_byte and syntax.text(node) == name]


def _root(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node


def _sinks(ctx: FileContext, result: Node, depth: int) -> Iterator[_Sink]:
    """Where the rows of an evaluated query (or a variable holding them) end up."""
    top = _climb(result, frozenset({"parenthesized_expression", "await_expression", "as_expression",
                                     "non_null_expression"}))
    declarator = top.parent
    if declarator is not None and declarator.type == "variable_declarator" and _is_field(declarator, "value", top):
        if depth > 0:
            for var in _row_variables(declarator):
                for ref in _references(var, declarator):
                    yield from _sinks(ctx, ref, depth - 1)
        return
    sink = _sink_of(ctx, result)
    if sink is not None:
        yield sink


def _row_variables(declarator: Node) -> list[str]:
    """`data` (or its alias) of `const { data } = ...`; the name of `const result = ...`."""
    name = declarator.child_by_field_name("name")
    if name is None:
        return []
    if name.type == "identifier":
        return [syntax.text(name)]
    if name.type != "object_pattern":
        return []
    for item in name.named_children:
        if item.type == "shorthand_property_identifier_pattern" and syntax.text(item) == "data":
            return ["data"]
        if item.type == "pair_pattern" and syntax.text(item.child_by_field_name("key")) == "data":
            value = item.child_by_field_name("value")
            if value is not None and value.type == "identifier":
                return [syntax.text(value)]
    return []


def _sink_of(ctx: FileContext, node: Node) -> _Sink | None:
    """Climb from rows through wrappers; stop at a return of an action, a JSON response, or JSX."""
    current = node
    while current.parent is not None:
        parent = current.parent
        if parent.type in _JSX:
            return _Sink(parent, "rendered by this page") if ctx.is_kind("page", "layout") else None
        if parent.type in _TRANSPARENT or _is_row_step(parent, current):
            current = parent
        elif parent.type == "return_statement" or (parent.type == "arrow_function"
                                                     and _is_field(parent, "body", current)):
            return _action_return(ctx, parent)
        elif parent.type == "arguments" and parent.parent is not None and _is_json_response(parent.parent):
            return _Sink(parent.parent, "sent by this route handler") if ctx.is_kind("route-handler") else None
        else:
            return None
    return None


def _is_row_step(parent: Node, current: Node) -> bool:
    """`rows.map(...)`, `rows ?? []`, `result.data`: still the rows."""
    if parent.type == "binary_expression":
        return syntax.text(parent.child_by_field_name("operator")) in ("??", "||")
    if parent.type == "pair":
        return _is_field(parent, "value", current)
    if parent.type == "ternary_expression":
        return not _is_field(parent, "condition", current)
    if parent.type == "member_expression" and _is_field(parent, "object", current):
        prop = syntax.text(parent.child_by_field_name("property"))
        return prop == "data" or (prop in _ROW_METHODS and parent.parent is not None
                                  and parent.parent.type == "call_expression")
    return parent.type == "call_expression" and _is_field(parent, "function", current)


def _is_field(parent: Node, field: str, child: Node) -> bool:
    value = parent.child_by_field_name(field)
    return value is not None and value.id == child.id


def _is_json_response(call: Node) -> bool:
    """`NextResponse.json(...)` or `Response.json(...)`."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return False
    obj = function.child_by_field_name("object")
    return syntax.text(function.child_by_field_name("property")) == "json" and \
        syntax.text(obj) in ("NextResponse", "Response")


def _action_return(ctx: FileContext, ret: Node) -> _Sink | None:
    fn = ret if ret.type == "arrow_function" else syntax.enclosing_function(ret)
    if fn is None:
        return None
    exported = {info.node.id: info.name for info in ctx.exported_functions()}
    if ctx.is_kind("server-action") and fn.id in exported:
        return _Sink(ret, f"returned from server action `{exported[fn.id]}`")
    if "use server" in function_directives(fn):
        return _Sink(ret, "returned from a server action")
    return None


def _report_start(from_call: Node, outer: Node, select: Node) -> int:
    """The `.from(` of the chain when it is in the same expression, else the `.select(`."""
    if outer.start_byte <= from_call.start_byte and from_call.end_byte <= select.end_byte:
        function = from_call.child_by_field_name("function")
        prop = function.child_by_field_name("property") if function is not None else None
        return (prop or from_call).start_byte
    function = select.child_by_field_name("function")
    prop = function.child_by_field_name("property") if function is not None else None
    return (prop or select).start_byte
