"""sql/security-definer-callable-by-anon: anon can EXECUTE a SECURITY DEFINER function (splinter 0028)."""

from __future__ import annotations

from collections.abc import Iterator

from treido_ls.checks import check
from treido_ls.checks._sql import EXPOSED_SCHEMAS, here, migration_schema
from treido_ls.context import FileContext
from treido_ls.model import Violation


@check("sql/security-definer-callable-by-anon")
def security_definer_callable_by_anon(ctx: FileContext) -> Iterator[Violation]:
    model = migration_schema(ctx)
    if model is None:
        return
    for function in model.functions():
        # Trigger functions cannot be called through the API; other schemas are not exposed.
        if not function.security_definer or function.returns_trigger or function.schema not in EXPOSED_SCHEMAS:
            continue
        if not function.can_execute("anon") or not here(ctx, function.name_provenance):
            continue
        how = "directly" if "anon" in function.execute_roles else "through PUBLIC"
        at = function.name_provenance
        yield Violation(at.start, at.end, ctx.message(function=function.signature, how=how),
                        data={"function": function.signature})
