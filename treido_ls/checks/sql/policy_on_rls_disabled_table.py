"""sql/policy-on-rls-disabled-table: policies on a table whose RLS is off do nothing (splinter 0007)."""

from __future__ import annotations

from collections.abc import Iterator

from treido_ls.checks import check
from treido_ls.checks._sql import here, migration_schema
from treido_ls.context import FileContext
from treido_ls.model import Related, Violation


@check("sql/policy-on-rls-disabled-table")
def policy_on_rls_disabled_table(ctx: FileContext) -> Iterator[Violation]:
    model = migration_schema(ctx)
    if model is None:
        return
    for table in model.tables():
        if table.rls_enabled:
            continue
        for policy in table.policies:
            if not here(ctx, policy.name_provenance):
                continue
            at = policy.name_provenance
            related = [Related(table.name_provenance.path, table.name_provenance.start, table.name_provenance.end,
                               f"{table.qualified_name} is created here; no migration enables its RLS")]
            yield Violation(at.start, at.end, ctx.message(policy=policy.name, table=table.qualified_name),
                            related=related, data={"table": table.qualified_name, "policy": policy.name})
