"""sql/table-created-without-rls: a migration being written creates a table without enabling RLS."""

from __future__ import annotations

from collections.abc import Iterator

from treido_ls.checks import check
from treido_ls.checks._sql import EXPOSED_SCHEMAS, here, is_committed, migration_schema
from treido_ls.context import FileContext
from treido_ls.model import Violation
from treido_ls.workspace.schema import SchemaModel
from treido_ls.workspace.sql_facts import CreateTable


@check("sql/table-created-without-rls")
def table_created_without_rls(ctx: FileContext) -> Iterator[Violation]:
    model = migration_schema(ctx)
    facts = ctx.project.schema_builder.facts(ctx.path) if model is not None else None
    if model is None or facts is None:
        return
    created = [e for e in facts.effects if isinstance(e, CreateTable) and e.relation[0] in EXPOSED_SCHEMAS]
    if not created:
        return
    builder = ctx.project.schema_builder
    before, after = builder.model_before(ctx.path), _model_after(ctx)
    pending = [
        e for e in created
        # `create table if not exists` of a table an earlier migration made creates nothing.
        if not (e.if_not_exists and _exists(before, e))
        and not _enabled_after(after, e) and not _reported_as_disabled(ctx, model, e)
    ]
    if not pending or is_committed(ctx):
        return
    for effect in pending:
        prov = effect.name_provenance
        yield Violation(prov.start, prov.end, ctx.message(table=f"{effect.relation[0]}.{effect.relation[1]}"),
                        data={"table": f"{effect.relation[0]}.{effect.relation[1]}"})


def _reported_as_disabled(ctx: FileContext, model: SchemaModel, effect: CreateTable) -> bool:
    """Still without RLS at the end: sql/rls-disabled-in-public (an error) reports this table already."""
    table = model.table(effect.relation[1], effect.relation[0])
    return (table is not None and not table.rls_enabled and table.rls_provenance is None
            and here(ctx, table.name_provenance) and table.name_provenance == effect.name_provenance)


def _exists(model: SchemaModel, effect: CreateTable) -> bool:
    table = model.table(effect.relation[1], effect.relation[0])
    return table is not None and not table.external


def _model_after(ctx: FileContext) -> SchemaModel:
    """The schema right after this migration (renames and DO blocks included)."""
    builder = ctx.project.schema_builder
    paths = builder.paths
    index = paths.index(ctx.path)
    return builder.model_before(paths[index + 1]) if index + 1 < len(paths) else builder.model


def _enabled_after(after: SchemaModel, effect: CreateTable) -> bool:
    return any(t.rls_enabled for t in after.tables() if t.name_provenance == effect.name_provenance)
