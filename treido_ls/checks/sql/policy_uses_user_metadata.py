"""sql/policy-uses-user-metadata: a policy trusts `user_metadata`, which users edit (splinter 0015)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from treido_ls.checks import check
from treido_ls.checks._sql import here, migration_schema, policies_touching
from treido_ls.context import FileContext
from treido_ls.model import Violation

USER_METADATA = re.compile(rb"\b(user_metadata|raw_user_meta_data)\b", re.IGNORECASE)


@check("sql/policy-uses-user-metadata")
def policy_uses_user_metadata(ctx: FileContext) -> Iterator[Violation]:
    model = migration_schema(ctx)
    if model is None or USER_METADATA.search(ctx.source) is None:
        return
    for table, policy in policies_touching(ctx, model):
        for prov in (policy.using_provenance, policy.with_check_provenance):
            if not here(ctx, prov):
                continue
            assert prov is not None
            match = USER_METADATA.search(ctx.source, prov.start, prov.end)
            if match is None:
                continue
            yield Violation(match.start(), match.end(),
                            ctx.message(what=match.group(1).decode(), policy=policy.name, table=table.qualified_name),
                            data={"table": table.qualified_name, "policy": policy.name})
            break
