"""sql/policy-null-auth-disjunct: `auth.uid() is null or ...` lets every anonymous request in."""

from __future__ import annotations

from collections.abc import Iterator

from treido_ls.checks import check
from treido_ls.checks._sql import expression, migration_schema, null_tests_in_disjunction, policies_touching
from treido_ls.context import FileContext
from treido_ls.model import Violation

AUTH_IDENTITY = frozenset({"auth.uid", "auth.jwt"})


@check("sql/policy-null-auth-disjunct")
def policy_null_auth_disjunct(ctx: FileContext) -> Iterator[Violation]:
    model = migration_schema(ctx)
    if model is None or b"null" not in ctx.source.lower():
        return
    for table, policy in policies_touching(ctx, model):
        for prov in (policy.using_provenance, policy.with_check_provenance):
            expr = expression(ctx, prov)
            if expr is None:
                continue
            for test in null_tests_in_disjunction(expr, AUTH_IDENTITY):
                start, end = expr.span(test)
                yield Violation(start, end, ctx.message(policy=policy.name, table=table.qualified_name),
                                data={"table": table.qualified_name, "policy": policy.name})
