"""sql/permissive-write-policy: a write policy whose USING or WITH CHECK is `true` (splinter 0024)."""

from __future__ import annotations

from collections.abc import Iterator

from treido_ls.checks import check
from treido_ls.checks._sql import WRITE_COMMANDS, here, is_true, migration_schema, only_privileged, policies_touching
from treido_ls.context import FileContext
from treido_ls.model import Violation


@check("sql/permissive-write-policy")
def permissive_write_policy(ctx: FileContext) -> Iterator[Violation]:
    model = migration_schema(ctx)
    if model is None:
        return
    for table, policy in policies_touching(ctx, model):
        if policy.command not in WRITE_COMMANDS or not policy.permissive or only_privileged(policy):
            continue
        for clause, text, prov in (("using", policy.using, policy.using_provenance),
                                   ("with check", policy.with_check, policy.with_check_provenance)):
            if is_true(text) and here(ctx, prov):
                assert prov is not None
                yield Violation(prov.start, prov.end,
                                ctx.message(clause=clause, policy=policy.name, command=policy.command.upper(),
                                            table=table.qualified_name),
                                data={"table": table.qualified_name, "policy": policy.name})
                break
