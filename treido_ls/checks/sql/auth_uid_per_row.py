"""sql/auth-uid-per-row: `auth.uid()` in a policy is evaluated for every row (splinter 0003)."""

from __future__ import annotations

from collections.abc import Iterator

from treido_ls.checks import check
from treido_ls.checks._sql import auth_calls, expression, migration_schema, policies_touching
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix, Violation

AUTH_FUNCTIONS = frozenset({"auth.uid", "auth.jwt"})


@check("sql/auth-uid-per-row")
def auth_uid_per_row(ctx: FileContext) -> Iterator[Violation]:
    model = migration_schema(ctx)
    if model is None or b"auth" not in ctx.source.lower():
        return
    for table, policy in policies_touching(ctx, model):
        for prov in (policy.using_provenance, policy.with_check_provenance):
            expr = expression(ctx, prov)
            if expr is None:
                continue
            for call, name, wrapped in auth_calls(expr, AUTH_FUNCTIONS):
                if wrapped:
                    continue
                start, end = expr.span(call)
                text = ctx.source[start:end].decode("utf-8", "replace")
                fix = Fix(f"Wrap in `(select {name}())`", (Edit(start, end, f"(select {text})"),), Applicability.SAFE)
                yield Violation(start, end, ctx.message(call=f"{name}()", policy=policy.name,
                                                        table=table.qualified_name),
                                fixes=[fix], data={"table": table.qualified_name, "policy": policy.name})
