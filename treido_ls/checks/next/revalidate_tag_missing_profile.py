"""next/revalidate-tag-missing-profile: `revalidateTag(tag)` without a cache-life profile (Next.js 16+)."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._auth import has_use_server
from treido_ls.checks._imports import named_import
from treido_ls.checks._next import imported_calls
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix, Violation

PROFILE = "max"
UPDATE_TAG = "updateTag"


@check("next/revalidate-tag-missing-profile")
def revalidate_tag_missing_profile(ctx: FileContext) -> Iterator[Violation]:
    calls = imported_calls(ctx, "revalidateTag", ("next/cache",))
    if not calls or ctx.project.next_major(ctx.path) < 16:
        return
    for call in calls:
        args = syntax.call_arguments(call)
        if len(args) != 1 or args[0].type == "spread_element":
            continue
        fixes = [_add_profile(ctx, args[0])]
        if _in_server_action(ctx, call):
            fixes.append(_update_tag(ctx, call))
        yield Violation(call.start_byte, call.end_byte, ctx.message(), fixes=fixes)


def _add_profile(ctx: FileContext, tag: Node) -> Fix:
    quote = syntax.text(tag)[0] if tag.type == "string" else syntax.quote_of(ctx.source)
    assert ctx.rule is not None
    return Fix(
        ctx.rule.fix_title or f"Add the '{PROFILE}' profile",
        (Edit(tag.end_byte, tag.end_byte, f", {quote}{PROFILE}{quote}"),),
        Applicability.UNSAFE,
    )


def _in_server_action(ctx: FileContext, call: Node) -> bool:
    """`updateTag` only works in server actions: a 'use server' module or a function with its own directive."""
    fn = syntax.enclosing_function(call)
    if fn is None:
        return False
    if ctx.is_kind("server-action"):
        return True
    while fn is not None:
        if has_use_server(fn):
            return True
        fn = syntax.enclosing_function(fn)
    return False


def _update_tag(ctx: FileContext, call: Node) -> Fix:
    """`revalidateTag(tag)` -> `updateTag(tag)`: expire now, so the action reads its own write."""
    function = call.child_by_field_name("function")
    assert function is not None
    if function.type == "member_expression":  # `cache.revalidateTag(tag)` -> `cache.updateTag(tag)`
        prop = function.child_by_field_name("property")
        assert prop is not None
        edits: tuple[Edit, ...] = (Edit(prop.start_byte, prop.end_byte, UPDATE_TAG),)
    else:
        local, import_edit = named_import(ctx, "next/cache", UPDATE_TAG)
        edits = (Edit(function.start_byte, function.end_byte, local),) + ((import_edit,) if import_edit else ())
    return Fix("Use `updateTag(tag)` instead (expire now: the action reads its own write)", edits,
               Applicability.UNSAFE)
