"""validation/unvalidated-action-input: a server action's argument reaches a sink without a schema parse."""

from __future__ import annotations

from collections.abc import Iterator

from treido_ls.checks import check
from treido_ls.checks._taint import describe
from treido_ls.checks.validation._flow import action_taint, actions, hits, may_have_sinks
from treido_ls.checks.validation._zod_fix import action_fix
from treido_ls.context import FileContext
from treido_ls.model import Fix, Violation


@check("validation/unvalidated-action-input")
def unvalidated_action_input(ctx: FileContext) -> Iterator[Violation]:
    if b"use server" not in ctx.source or not may_have_sinks(ctx):
        return
    for entry in actions(ctx):
        taint = action_taint(ctx, entry.fn)
        seen: set[tuple[int, int]] = set()
        fixes: list[Fix] | None = None
        for hit in hits(ctx, entry.fn, taint):
            span = (hit.node.start_byte, hit.node.end_byte)
            if span in seen:
                continue
            seen.add(span)
            if fixes is None:  # one schema for the whole action, offered on each of its findings
                fix = action_fix(ctx, entry.fn, entry.name)
                fixes = [fix] if fix is not None else []
            yield Violation(*span, ctx.message(name=entry.name, what=describe(hit.sources), sink=hit.sink.label),
                            fixes=list(fixes), data={"sources": sorted(source.label for source in hit.sources)})
