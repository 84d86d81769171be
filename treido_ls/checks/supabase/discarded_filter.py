"""supabase/discarded-filter: `query.eq(...)` as a statement, its returned builder thrown away."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._supabase import query_chain
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix, Violation

FILTERS = frozenset({
    "eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "is", "in", "contains", "containedBy", "match",
    "not", "or", "filter", "order", "limit", "range", "textSearch",
})
STATEMENTS = """
(expression_statement
  (call_expression function: (member_expression property: (property_identifier) @method)) @call)
"""


@check("supabase/discarded-filter")
def discarded_filter(ctx: FileContext) -> Iterator[Violation]:
    if b".from(" not in ctx.source:
        return
    for found in ctx.matches(STATEMENTS):
        call, method = found["call"][0], found["method"][0]
        if syntax.text(method) not in FILTERS:
            continue
        base = _filter_chain_base(call)
        if base is None or query_chain(call) is None:
            continue
        name = syntax.text(base)
        fix = _reassign_fix(ctx, base, call)
        yield Violation(
            call.start_byte, call.end_byte,
            ctx.message(name=name, method=syntax.text(method)),
            fixes=[fix] if fix is not None else [],
        )


def _filter_chain_base(call: Node) -> Node | None:
    """The variable a chain of filter calls starts from (`query` in `query.eq(..).order(..)`)."""
    node: Node | None = call
    while node is not None and node.type == "call_expression":
        parts = syntax.member_call_parts(node)
        if parts is None or parts[1] not in FILTERS:
            return None
        node = parts[0]
    return node if node is not None and node.type == "identifier" else None


def _reassign_fix(ctx: FileContext, base: Node, call: Node) -> Fix | None:
    """`query.eq(...)` -> `query = query.eq(...)`, only when `query` is a `let`/`var` binding."""
    if _declaration_kind(base) not in ("let", "var"):
        return None
    assert ctx.rule is not None
    name = syntax.text(base)
    return Fix(ctx.rule.fix_title or "Reassign the filtered query",
               (Edit(call.start_byte, call.start_byte, f"{name} = "),), Applicability.SAFE)


def _declaration_kind(identifier: Node) -> str | None:
    """`const`/`let`/`var` of the nearest declaration of this name before it, in enclosing blocks."""
    name = syntax.text(identifier)
    scope = identifier.parent
    while scope is not None:
        if scope.type in ("statement_block", "program"):
            for stmt in scope.named_children:
                if stmt.start_byte >= identifier.start_byte:
                    break
                kind = _kind_if_declares(stmt, name)
                if kind is not None:
                    return kind
        if scope.type in syntax.FUNCTION_TYPES:
            return None  # a parameter or an outer variable: leave it alone
        scope = scope.parent
    return None


def _kind_if_declares(stmt: Node, name: str) -> str | None:
    if stmt.type == "export_statement":
        stmt = stmt.child_by_field_name("declaration") or stmt
    if stmt.type not in ("lexical_declaration", "variable_declaration"):
        return None
    for declarator in stmt.named_children:
        target = declarator.child_by_field_name("name")
        if declarator.type == "variable_declarator" and target is not None and syntax.text(target) == name:
            return syntax.text(stmt.children[0])
    return None
