"""next/revalidate-tag-missing-profile: `revalidateTag(tag)` without a cache-life profile (Next.js 16+)."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._next import imported_calls
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix, Violation

PROFILE = "max"


@check("next/revalidate-tag-missing-profile")
def revalidate_tag_missing_profile(ctx: FileContext) -> Iterator[Violation]:
    calls = imported_calls(ctx, "revalidateTag", ("next/cache",))
    if not calls or ctx.project.next_major(ctx.path) < 16:
        return
    for call in calls:
        args = syntax.call_arguments(call)
        if len(args) != 1 or args[0].type == "spread_element":
            continue
        yield Violation(call.start_byte, call.end_byte, ctx.message(), fixes=[_add_profile(ctx, args[0])])


def _add_profile(ctx: FileContext, tag: Node) -> Fix:
    quote = syntax.text(tag)[0] if tag.type == "string" else syntax.quote_of(ctx.source)
    assert ctx.rule is not None
    return Fix(
        ctx.rule.fix_title or f"Add the '{PROFILE}' profile",
        (Edit(tag.end_byte, tag.end_byte, f", {quote}{PROFILE}{quote}"),),
        Applicability.UNSAFE,
    )
