"""supabase/schema-drift: the generated types and the migrations disagree on a table's columns."""

from __future__ import annotations

import re
from collections.abc import Iterator

from treido_ls.checks import check
from treido_ls.context import FileContext
from treido_ls.model import Violation
from treido_ls.workspace.generated_types import GeneratedTable, parse_generated_types

_NAME = re.compile(rb"[A-Za-z_$][A-Za-z0-9_$]*|\"[^\"\n]*\"|'[^'\n]*'")
_SHOWN = 5  # column names listed per side before "and N more"


@check("supabase/schema-drift")
def schema_drift(ctx: FileContext) -> Iterator[Violation]:
    if ctx.path != ctx.project.generated_types_path or b"Tables" not in ctx.source:
        return
    model = ctx.project.schema
    if not model.relations:
        return  # no migrations to compare with
    for (schema, name), generated in parse_generated_types(ctx.source).items():
        folded = model.table(name, schema)
        if folded is None or folded.external or not folded.columns_complete:
            continue
        only_types = sorted(set(generated.columns) - set(folded.columns))
        only_migrations = sorted(set(folded.columns) - set(generated.columns))
        if not only_types and not only_migrations:
            continue
        start, end = _name_range(ctx.source, generated)
        yield Violation(
            start, end, ctx.message(table=name, details=_details(only_types, only_migrations)),
            data={"table": name, "schema": schema, "onlyInTypes": only_types, "onlyInMigrations": only_migrations},
        )


def _name_range(source: bytes, table: GeneratedTable) -> tuple[int, int]:
    """The table's property name (`orders` in `orders: { Row: ... }`), else the whole entry."""
    match = _NAME.match(source, table.start, table.end)
    return (match.start(), match.end()) if match is not None else (table.start, table.end)


def _details(only_types: list[str], only_migrations: list[str]) -> str:
    parts = []
    if only_types:
        parts.append(f"only in the types: {_names(only_types)}")
    if only_migrations:
        parts.append(f"only in the migrations: {_names(only_migrations)}")
    return "; ".join(parts)


def _names(columns: list[str]) -> str:
    shown = ", ".join(f"`{c}`" for c in columns[:_SHOWN])
    rest = len(columns) - _SHOWN
    return f"{shown} and {rest} more" if rest > 0 else shown
