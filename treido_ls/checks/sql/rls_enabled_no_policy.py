"""sql/rls-enabled-no-policy: RLS on, no policy: every API request sees nothing (splinter 0008)."""

from __future__ import annotations

from collections.abc import Iterator

from treido_ls.checks import check
from treido_ls.checks._sql import EXPOSED_SCHEMAS, here, migration_schema
from treido_ls.context import FileContext
from treido_ls.model import Violation
from treido_ls.workspace.sql_facts import SetRowSecurity


@check("sql/rls-enabled-no-policy")
def rls_enabled_no_policy(ctx: FileContext) -> Iterator[Violation]:
    model = migration_schema(ctx)
    if model is None:
        return
    for table in model.tables():
        at = table.rls_provenance
        if table.schema not in EXPOSED_SCHEMAS or not table.rls_enabled or table.policies or not here(ctx, at):
            continue
        assert at is not None
        start, end = _clause(ctx, at.start, at.end)
        yield Violation(start, end, ctx.message(table=table.qualified_name), data={"table": table.qualified_name})


def _clause(ctx: FileContext, start: int, end: int) -> tuple[int, int]:
    """The `enable row level security` part of the ALTER TABLE, when the facts know it."""
    facts = ctx.project.schema_builder.facts(ctx.path)
    for effect in facts.effects if facts is not None else []:
        if isinstance(effect, SetRowSecurity) and effect.provenance.start == start and effect.clause is not None:
            return start, effect.clause.end
    return start, end
