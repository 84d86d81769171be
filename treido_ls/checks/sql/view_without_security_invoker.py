"""sql/view-without-security-invoker: a public view runs with its owner's rights (splinter 0010)."""

from __future__ import annotations

from collections.abc import Iterator

from treido_ls.checks import check
from treido_ls.checks._sql import EXPOSED_SCHEMAS, here, migration_schema
from treido_ls.context import FileContext
from treido_ls.model import Violation


@check("sql/view-without-security-invoker")
def view_without_security_invoker(ctx: FileContext) -> Iterator[Violation]:
    model = migration_schema(ctx)
    if model is None:
        return
    for view in model.views():
        if view.kind != "view" or view.schema not in EXPOSED_SCHEMAS or view.external or view.security_invoker:
            continue
        # `security_invoker = off` set later is the statement at fault; otherwise CREATE VIEW.
        at = view.name_provenance
        if view.security_invoker is False and view.security_invoker_provenance is not None:
            at = view.security_invoker_provenance
        if not here(ctx, at):
            continue
        yield Violation(at.start, at.end, ctx.message(view=view.qualified_name), data={"view": view.qualified_name})
