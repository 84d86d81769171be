"""validation/mass-assignment: an untrusted object passed whole (or spread) into `.insert/.update/.upsert`."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._supabase import query_chain
from treido_ls.checks._taint import Taint, describe
from treido_ls.checks.validation._flow import WRITES, action_taint, actions, handler_taint, route_handlers
from treido_ls.context import FileContext
from treido_ls.model import Violation


@check("validation/mass-assignment")
def mass_assignment(ctx: FileContext) -> Iterator[Violation]:
    if not any(word in ctx.source for word in (b".insert(", b".update(", b".upsert(")):
        return
    entries = [(entry.fn, action_taint(ctx, entry.fn)) for entry in actions(ctx)]
    entries += [(entry.fn, handler_taint(ctx, entry)) for entry in route_handlers(ctx)]
    for fn, taint in entries:
        yield from _writes(ctx, fn, taint)


def _writes(ctx: FileContext, fn: Node, taint: Taint) -> Iterator[Violation]:
    body = fn.child_by_field_name("body")
    if body is None:
        return
    for call in ctx.descendants(body, "call_expression"):
        parts = syntax.member_call_parts(call)
        args = syntax.call_arguments(call)
        if parts is None or parts[1] not in WRITES or not args or query_chain(call) is None:
            continue
        found = taint.whole(args[0])
        if found:
            yield Violation(args[0].start_byte, args[0].end_byte,
                            ctx.message(what=describe(found), method=parts[1]),
                            data={"sources": sorted(source.label for source in found)})
