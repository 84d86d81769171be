"""supabase/unknown-column: a column the `.from('table')` table does not have (select, filters, writes)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._supabase import query_chain
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix, Violation
from treido_ls.workspace.columns import ColumnSet

FILTERS = ("eq", "neq", "gt", "lt", "gte", "lte", "like", "ilike", "is", "in", "order")
WRITES = ("insert", "update", "upsert")
_METHODS = " ".join(f'"{m}"' for m in ("select", *FILTERS, *WRITES))
CALLS = f"""
(call_expression
  function: (member_expression property: (property_identifier) @method (#any-of? @method {_METHODS}))) @call
"""
AGGREGATES = frozenset({"count", "sum", "avg", "min", "max"})
_IDENT = re.compile(rb"[A-Za-z_][A-Za-z0-9_$]*")
# After a column name in a select item or filter: nothing, a JSON path or a cast.
_COLUMN_TAIL = re.compile(rb"\s*(->|::|$)")

Lookup = Callable[[str], ColumnSet | None]


@dataclass(frozen=True, slots=True)
class ColumnRef:
    name: str
    start: int  # byte range of the name only
    end: int
    table: ColumnSet
    shorthand: bool = False  # `{ name }` in an object literal: the fix must keep the value


@check("supabase/unknown-column")
def unknown_column(ctx: FileContext) -> Iterator[Violation]:
    if b"from" not in ctx.source or not _has_schema(ctx):
        return
    for call in ctx.captures(CALLS).get("call", []):
        chain = query_chain(call)
        if chain is None or not chain.table or "." in chain.table or _is_storage(chain.from_call):
            continue
        schema = _schema_of(chain.from_call)
        table = ctx.project.columns_of(chain.table, schema)
        if table is None:
            continue
        for ref in _references(ctx, call, table, _lookup(ctx, schema)):
            if ref.name not in ref.table and not _computed_field(ctx, ref):
                yield _violation(ctx, ref)


def _lookup(ctx: FileContext, schema: str) -> Lookup:
    return lambda name: ctx.project.columns_of(name, schema)


def _has_schema(ctx: FileContext) -> bool:
    return bool(ctx.project.generated_types) or bool(ctx.project.schema.relations)


def _is_storage(from_call: Node) -> bool:
    """`supabase.storage.from('bucket')` names a bucket, not a table."""
    parts = syntax.member_call_parts(from_call)
    receiver = syntax.unwrap(parts[0]) if parts is not None else None
    return receiver is not None and receiver.type == "member_expression" and \
        syntax.text(receiver.child_by_field_name("property")) == "storage"


def _computed_field(ctx: FileContext, ref: ColumnRef) -> bool:
    """PostgREST computed fields: a function `name(table)` selects like a column."""
    return bool(ctx.project.schema.find_functions(ref.name, ref.table.schema))


def _schema_of(from_call: Node) -> str:
    """`client.schema('billing').from('invoices')` queries schema billing; public otherwise."""
    parts = syntax.member_call_parts(from_call)
    receiver = syntax.unwrap(parts[0]) if parts is not None else None
    if receiver is not None and receiver.type == "call_expression":
        inner = syntax.member_call_parts(receiver)
        args = syntax.call_arguments(receiver)
        if inner is not None and inner[1] == "schema" and args:
            return syntax.string_value(args[0]) or "public"
    return "public"


def _references(ctx: FileContext, call: Node, table: ColumnSet, lookup: Lookup) -> Iterator[ColumnRef]:
    method = syntax.callee_name(call)
    args = syntax.call_arguments(call)
    if not args:
        return
    if method == "select":
        yield from _select_refs(ctx.source, args[0], table, lookup)
    elif method in FILTERS:
        if method == "order" and _orders_referenced_table(args):
            return
        yield from _filter_ref(ctx.source, args[0], table)
    elif method in WRITES:
        yield from _write_refs(args[0], table)


# -- select strings -----------------------------------------------------------------------------------


def _string_body(source: bytes, node: Node) -> tuple[int, int] | None:
    """Byte range inside the quotes of a plain literal (no substitutions, no escapes)."""
    if node.type not in syntax.STRING_TYPES or syntax.string_value(node) is None:
        return None
    start, end = node.start_byte + 1, node.end_byte - 1
    return None if b"\\" in source[start:end] else (start, end)


def _select_refs(source: bytes, arg: Node, table: ColumnSet, lookup: Lookup) -> Iterator[ColumnRef]:
    body = _string_body(source, arg)
    if body is not None:
        yield from _items(source, body[0], body[1], table, lookup)


def _items(raw: bytes, begin: int, stop: int, table: ColumnSet, lookup: Lookup) -> Iterator[ColumnRef]:
    """Split a select list at top-level commas (parentheses and double quotes nest)."""
    depth, quoted, item_start = 0, False, begin
    for i in range(begin, stop + 1):
        ch = raw[i : i + 1] if i < stop else b","
        if ch == b'"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == b"(":
            depth += 1
        elif ch == b")":
            depth -= 1
        elif ch == b"," and depth == 0:
            yield from _item(raw, item_start, i, table, lookup)
            item_start = i + 1


def _item(raw: bytes, start: int, end: int, table: ColumnSet, lookup: Lookup) -> Iterator[ColumnRef]:
    start, end = _strip(raw, start, end)
    if raw.startswith(b"...", start):  # spread embed `...profiles(name)`
        start += 3
    start = _after_alias(raw, start, end)
    paren = raw.find(b"(", start, end)
    if paren < 0:
        yield from _column(raw, start, end, table)
        return
    close = raw.rfind(b")", paren, end)
    if close < 0:
        return
    head_end = _strip(raw, start, paren)[1]
    bang = raw.find(b"!", start, head_end)
    name_end = bang if bang >= 0 else head_end
    head = raw[start:name_end].decode("utf-8", "replace")
    empty = not raw[paren + 1 : close].strip()
    if "." in head and empty:  # `id.count()`: an aggregate over a column
        column, _, func = head.rpartition(".")
        if func in AGGREGATES:
            yield from _column(raw, start, start + len(column.encode()), table)
        return
    if head in AGGREGATES and empty:  # `count()`
        return
    embedded = lookup(head)  # an FK column or hint names no table: nothing to check inside
    if embedded is not None:
        yield from _items(raw, paren + 1, close, embedded, lookup)


def _strip(raw: bytes, start: int, end: int) -> tuple[int, int]:
    while start < end and raw[start : start + 1].isspace():
        start += 1
    while end > start and raw[end - 1 : end].isspace():
        end -= 1
    return start, end


def _after_alias(raw: bytes, start: int, end: int) -> int:
    """Skip `alias:` (a single colon before any parenthesis; `::` is a cast)."""
    i = start
    while i < end:
        ch = raw[i : i + 1]
        if ch == b"(":
            return start
        if ch == b":":
            if raw[i + 1 : i + 2] == b":":
                return start
            return _strip(raw, i + 1, end)[0]
        i += 1
    return start


def _column(raw: bytes, start: int, end: int, table: ColumnSet) -> Iterator[ColumnRef]:
    """A plain item: `name`, `name::cast`, `name->json->>path`; anything else is not checked."""
    match = _IDENT.match(raw, start, end)
    if match is None or _COLUMN_TAIL.match(raw[match.end() : end]) is None:
        return
    name = match.group().decode()
    if name == "count":  # `select('count')`: PostgREST's count, not a column
        return
    yield ColumnRef(name, start, match.end(), table)


# -- filters and writes -------------------------------------------------------------------------------


def _filter_ref(source: bytes, arg: Node, table: ColumnSet) -> Iterator[ColumnRef]:
    """`.eq('status', x)`, `.order('data->>rank')`; `embedded.column` filters are left alone."""
    body = _string_body(source, arg)
    if body is None or b"." in source[body[0] : body[1]]:
        return
    yield from _column(source, body[0], body[1], table)


def _orders_referenced_table(args: list[Node]) -> bool:
    """`.order('name', { referencedTable: 'items' })` sorts an embedded table."""
    if len(args) < 2 or args[1].type != "object":
        return False
    return any(syntax.property_key_name(pair.child_by_field_name("key")) in ("referencedTable", "foreignTable")
               for pair in args[1].named_children if pair.type == "pair")


def _write_refs(arg: Node, table: ColumnSet) -> Iterator[ColumnRef]:
    value = syntax.unwrap(arg)
    rows = [syntax.unwrap(v) for v in value.named_children] if value is not None and value.type == "array" else [value]
    for row in rows:
        if row is not None and row.type == "object":
            yield from _object_keys(row, table)


def _object_keys(obj: Node, table: ColumnSet) -> Iterator[ColumnRef]:
    for member in obj.named_children:
        if member.type == "shorthand_property_identifier":
            yield ColumnRef(syntax.text(member), member.start_byte, member.end_byte, table, shorthand=True)
            continue
        key = member.child_by_field_name("key") if member.type == "pair" else None
        name = syntax.property_key_name(key)
        if key is None or name is None:
            continue
        start, end = (key.start_byte + 1, key.end_byte - 1) if key.type == "string" else (key.start_byte, key.end_byte)
        yield ColumnRef(name, start, end, table)


# -- reporting ----------------------------------------------------------------------------------------


def _violation(ctx: FileContext, ref: ColumnRef) -> Violation:
    closest = ref.table.closest(ref.name)
    hint = f"; did you mean `{closest}`?" if closest else ""
    fixes: list[Fix] = []
    target = ref.table.fix_candidate(ref.name)
    if target is not None:
        text = f"{target}: {ref.name}" if ref.shorthand else target
        fixes.append(Fix(f"Replace `{ref.name}` with `{target}`", (Edit(ref.start, ref.end, text),),
                         Applicability.SAFE))
    return Violation(
        ref.start, ref.end, ctx.message(column=ref.name, table=ref.table.table, hint=hint), fixes,
        data={"table": ref.table.table, "column": ref.name, "closest": closest},
    )
