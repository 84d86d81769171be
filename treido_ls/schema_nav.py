"""Schema in the editor: which table or column a byte offset names, with the facts to show for it.

Pure lookup over a FileContext: `locate(ctx, offset)` finds a table name in `.from('...')` or a
column name in a select string, a filter's first argument, `.order(...)` or an insert/update
object key (reusing the parsing of `supabase/unknown-column`), and returns its facts from the
generated types and the migrations, each with where it was defined (hover, go to definition).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks._supabase import _is_supabase_from, query_chain
from treido_ls.checks.supabase.unknown_column import (
    CALLS,
    _is_storage,
    _lookup,
    _references,
    _schema_of,
    _string_body,
)
from treido_ls.context import FileContext
from treido_ls.workspace.columns import ColumnSet
from treido_ls.workspace.sql_facts import Provenance

_EMBED = re.compile(rb"([A-Za-z_][A-Za-z0-9_$]*)\s*(?:![A-Za-z0-9_]+\s*)?\(")
FROM_CALLS = """
(call_expression
  function: (member_expression property: (property_identifier) @method (#eq? @method "from"))) @call
"""


@dataclass(frozen=True, slots=True)
class SchemaTarget:
    """A table or column named at the cursor and what the project knows about it."""

    kind: str  # "table" | "column"
    schema: str
    table: str
    column: str | None
    start: int  # byte range of the name in the document
    end: int
    type: str | None = None  # column type (SQL from migrations, TypeScript from generated types)
    nullable: bool | None = None
    relation_kind: str | None = None  # table | view | materialized view (None: only generated types)
    rls_enabled: bool | None = None  # None when the migrations do not know the table
    rls_forced: bool = False
    rls_provenance: Provenance | None = None  # the statement that last enabled/disabled RLS
    definition: Provenance | None = None  # the CREATE TABLE / column definition in a migration
    generated: Provenance | None = None  # the entry in the generated types file

    @property
    def qualified_name(self) -> str:
        base = f"{self.schema}.{self.table}"
        return f"{base}.{self.column}" if self.column is not None else base

    @property
    def locations(self) -> list[Provenance]:
        """Go-to-definition targets: the migration first, then the generated types."""
        return [p for p in (self.definition, self.generated) if p is not None]


def locate(ctx: FileContext, offset: int) -> SchemaTarget | None:
    """The table or column whose name covers `offset` (inclusive of its end), or None."""
    if b"from" not in ctx.source:
        return None
    call = _innermost_call(ctx.captures(FROM_CALLS).get("call", []) + ctx.captures(CALLS).get("call", []), offset)
    if call is None:
        return None
    if syntax.callee_name(call) == "from":
        return _table_at(ctx, call, offset)
    return _column_at(ctx, call, offset)


def _innermost_call(calls: list[Node], offset: int) -> Node | None:
    best: Node | None = None
    for call in calls:
        args = call.child_by_field_name("arguments")
        if args is None or not args.start_byte < offset < args.end_byte + 1:
            continue
        if best is None or args.end_byte - args.start_byte < _args_size(best):
            best = call
    return best


def _args_size(call: Node) -> int:
    args = call.child_by_field_name("arguments")
    return args.end_byte - args.start_byte if args is not None else 0


def _table_at(ctx: FileContext, call: Node, offset: int) -> SchemaTarget | None:
    parts = syntax.member_call_parts(call)
    args = syntax.call_arguments(call)
    if parts is None or not args or not _is_supabase_from(call, parts[0]) or _is_storage(call):
        return None
    body = _string_body(ctx.source, args[0])
    if body is None or not body[0] <= offset <= body[1]:
        return None
    name = ctx.source[body[0] : body[1]].decode("utf-8", "replace")
    return table_facts(ctx, _schema_of(call), name, body[0], body[1])


def _column_at(ctx: FileContext, call: Node, offset: int) -> SchemaTarget | None:
    chain = query_chain(call)
    if chain is None or not chain.table or "." in chain.table or _is_storage(chain.from_call):
        return None
    schema = _schema_of(chain.from_call)
    columns = ctx.project.columns_of(chain.table, schema) or ColumnSet(schema, chain.table, frozenset(), "migrations")
    for ref in _references(ctx, call, columns, _lookup(ctx, schema)):
        if ref.start <= offset <= ref.end:
            return column_facts(ctx, ref.table.schema, ref.table.table, ref.name, ref.start, ref.end)
    return _embedded_table_at(ctx, call, schema, offset)


def _embedded_table_at(ctx: FileContext, call: Node, schema: str, offset: int) -> SchemaTarget | None:
    """`orders(id)`, `author:profiles!inner(name)`: the embedded relation's name in a select string."""
    args = syntax.call_arguments(call)
    if syntax.callee_name(call) != "select" or not args:
        return None
    body = _string_body(ctx.source, args[0])
    if body is None or not body[0] <= offset <= body[1]:
        return None
    for match in _EMBED.finditer(ctx.source, body[0], body[1]):
        if match.start(1) <= offset <= match.end(1):
            return table_facts(ctx, schema, match.group(1).decode(), match.start(1), match.end(1))
    return None


def table_facts(ctx: FileContext, schema: str, name: str, start: int, end: int) -> SchemaTarget | None:
    """Facts of a table or view from the migrations and the generated types; None when neither knows it."""
    project = ctx.project
    folded = project.schema.table(name, schema)
    generated = project.generated_types.get((schema, name))
    types_path = project.generated_types_path
    if folded is not None and folded.external:
        folded = None
    if folded is None and generated is None:
        return None
    return SchemaTarget(
        "table", schema, name, None, start, end,
        relation_kind=folded.kind if folded is not None else generated.kind if generated is not None else None,
        rls_enabled=folded.rls_enabled if folded is not None else None,
        rls_forced=folded.rls_forced if folded is not None else False,
        rls_provenance=folded.rls_provenance if folded is not None else None,
        definition=folded.created if folded is not None else None,
        generated=Provenance(types_path, generated.start, generated.end)
        if generated is not None and types_path else None,
    )


def column_facts(ctx: FileContext, schema: str, table: str, column: str, start: int, end: int) -> SchemaTarget | None:
    """A column's type and nullability: the generated types win (as for the rules), else the migrations."""
    owner = table_facts(ctx, schema, table, start, end)
    if owner is None:
        return None
    folded = ctx.project.schema.table(table, schema)
    from_migrations = folded.columns.get(column) if folded is not None else None
    generated_table = ctx.project.generated_types.get((schema, table))
    from_types = generated_table.columns.get(column) if generated_table is not None else None
    if from_migrations is None and from_types is None:
        return None
    types_path = ctx.project.generated_types_path
    kind_type = from_types.type if from_types is not None else from_migrations.type if from_migrations else None
    nullable = from_types.nullable if from_types is not None else from_migrations.nullable if from_migrations else None
    return SchemaTarget(
        "column", schema, table, column, start, end,
        type=kind_type or None, nullable=nullable,
        relation_kind=owner.relation_kind, rls_enabled=owner.rls_enabled, rls_forced=owner.rls_forced,
        rls_provenance=owner.rls_provenance,
        definition=from_migrations.provenance if from_migrations is not None else None,
        generated=Provenance(types_path, from_types.start, from_types.end)
        if from_types is not None and types_path else None,
    )


# -- presentation -----------------------------------------------------------------------------------

LineOf = Callable[[Provenance], int | None]  # 0-based line of a provenance's start, None if unreadable


def markdown(target: SchemaTarget, line_of: LineOf) -> str:
    """Hover text: what it is, its type and nullability, the table's RLS state, where it comes from."""
    if target.kind == "column":
        head = f"**column** `{target.qualified_name}`"
        shape = [f"`{target.type}`"] if target.type else []
        if target.nullable is not None:
            shape.append("nullable" if target.nullable else "not null")
        if shape:
            head += ": " + ", ".join(shape)
    else:
        head = f"**{target.relation_kind or 'table'}** `{target.qualified_name}`"
    lines = [_rls_line(target, line_of)]
    if target.definition is not None:
        lines.append(f"Defined in {_where(target.definition, line_of)}")
    if target.generated is not None:
        lines.append(f"Generated types: {_where(target.generated, line_of)}")
    return head + "\n\n" + "  \n".join(lines)


def _rls_line(target: SchemaTarget, line_of: LineOf) -> str:
    table = f"`{target.schema}.{target.table}`"
    if target.rls_enabled is None:
        return f"RLS of {table}: unknown (not created by a migration)"
    if target.relation_kind not in (None, "table"):
        return f"RLS: not applicable ({target.relation_kind} {table})"
    state = ("enabled (forced)" if target.rls_forced else "enabled") if target.rls_enabled else "**disabled**"
    where = f" ({_where(target.rls_provenance, line_of)})" if target.rls_provenance is not None else ""
    return f"RLS on {table}: {state}{where}"


def _where(prov: Provenance, line_of: LineOf) -> str:
    line = line_of(prov)
    return f"`{prov.path}:{line + 1}`" if line is not None else f"`{prov.path}`"
