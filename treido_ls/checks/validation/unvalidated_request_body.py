"""validation/unvalidated-request-body: a route handler's body, query or route parameter reaches a sink
without a schema parse. Reported once per source expression (`await req.json()`), naming the first sink."""

from __future__ import annotations

from collections.abc import Iterator

from treido_ls.checks import check
from treido_ls.checks._taint import BODY, Source
from treido_ls.checks.validation._flow import Sink, handler_taint, hits, may_have_sinks, route_handlers
from treido_ls.checks.validation._zod_fix import body_fix
from treido_ls.context import FileContext
from treido_ls.model import Violation


@check("validation/unvalidated-request-body")
def unvalidated_request_body(ctx: FileContext) -> Iterator[Violation]:
    if not ctx.is_kind("route-handler") or not may_have_sinks(ctx):
        return
    for entry in route_handlers(ctx):
        first_sink: dict[Source, Sink] = {}
        for hit in hits(ctx, entry.fn, handler_taint(ctx, entry)):
            for source in hit.sources:
                first_sink.setdefault(source, hit.sink)
        for source in sorted(first_sink, key=lambda s: (s.start, s.end)):
            fix = body_fix(ctx, entry.fn, entry.name, source.start, source.end) if source.kind == BODY else None
            yield Violation(source.start, source.end,
                            ctx.message(what=source.label, sink=first_sink[source].label, handler=entry.name),
                            fixes=[fix] if fix is not None else [])
