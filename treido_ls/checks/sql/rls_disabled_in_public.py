"""sql/rls-disabled-in-public: a public table without RLS at the end of the migration set (splinter 0013)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._sql import (
    EXPOSED_SCHEMAS,
    here,
    is_committed,
    latest_stamp,
    migration_schema,
    new_migration_stamp,
    qualified,
    statement_end,
)
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, FileEdit, Fix, Violation
from treido_ls.workspace.schema import Table

_SLUG = re.compile(r"[^a-z0-9_]+")
STAMP_SECONDS = 300.0
# (project root, table) -> (when, stamp): the same file name on every lint pass for a while, so a
# fix loop or a code action offered twice plans one file, not one per second.
_stamps: dict[tuple[str, str], tuple[float, str]] = {}


@check("sql/rls-disabled-in-public")
def rls_disabled_in_public(ctx: FileContext) -> Iterator[Violation]:
    model = migration_schema(ctx)
    if model is None:
        return
    committed: bool | None = None
    for table in model.tables():
        if table.schema not in EXPOSED_SCHEMAS or table.rls_enabled:
            continue
        # An explicit DISABLE is the statement at fault; otherwise the CREATE TABLE.
        at = table.rls_provenance if table.rls_provenance is not None else table.name_provenance
        if not here(ctx, at):
            continue
        if committed is None:
            committed = is_committed(ctx)
        yield Violation(at.start, at.end, ctx.message(table=table.qualified_name),
                        fixes=[enable_rls_fix(ctx, table, committed)], data={"table": table.qualified_name})


def enable_rls_fix(ctx: FileContext, table: Table, committed: bool) -> Fix:
    """In the migration being written: enable RLS right after CREATE TABLE. History is never
    edited: for a committed migration the fix is a new migration file."""
    statement = f"alter table {qualified(table)} enable row level security;"
    title = f"Enable row level security on {table.qualified_name}"
    end = statement_end(ctx.source, table.created.end)
    # A committed file, a later DISABLE, or a CREATE inside a dynamic string: a new migration.
    if committed or table.rls_provenance is not None or table.created.path != ctx.path or end == table.created.end:
        slug = _SLUG.sub("_", table.name.lower()).strip("_") or "table"
        path = f"{ctx.project.migrations_dir}/{_stamp(ctx, table)}_enable_rls_{slug}.sql"
        return Fix(f"{title} in a new migration", (), Applicability.UNSAFE,
                   file_edits=(FileEdit(path, statement + "\n"),))
    newline = syntax.newline_of(ctx.source)
    return Fix(title, (Edit(end, end, f"{newline}{newline}{statement}"),), Applicability.UNSAFE)


def _stamp(ctx: FileContext, table: Table) -> str:
    key = (str(ctx.project.root), table.qualified_name)
    now = time.monotonic()
    cached = _stamps.get(key)
    existing = ctx.project.schema_builder.paths
    latest = latest_stamp(existing)
    if cached is not None and now - cached[0] < STAMP_SECONDS and (latest is None or latest < cached[1]):
        return cached[1]
    stamp = new_migration_stamp(existing)
    _stamps[key] = (now, stamp)
    return stamp
