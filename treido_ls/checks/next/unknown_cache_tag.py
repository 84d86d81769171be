"""next/unknown-cache-tag: `revalidateTag('x')`/`updateTag('x')` for a tag no `cacheTag()` declares."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._next import is_next_api
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix, Violation
from treido_ls.workspace.columns import closest_name, sole_close_name
from treido_ls.workspace.tags import REVALIDATE_CALLS, DeclaredTags

CALLS = "(call_expression function: [(identifier) (member_expression)]) @call"
MODULES = ("next/cache",)


@check("next/unknown-cache-tag")
def unknown_cache_tag(ctx: FileContext) -> Iterator[Violation]:
    if not _imports_revalidation(ctx):
        return
    declared: DeclaredTags | None = None
    for call in ctx.captures(CALLS).get("call", []):
        tag = _literal_tag(ctx, call)
        if tag is None:
            continue
        if declared is None:
            declared = ctx.project.cache_tags.declared((ctx.project.root / ctx.path, ctx.source))
            if declared.dynamic or not declared.uses:
                return  # tags built at run time, or no cacheTag() at all: nothing to compare with
        value = syntax.string_value(tag) or ""
        if not declared.declares(value):
            yield _violation(ctx, tag, value, declared)


def _imports_revalidation(ctx: FileContext) -> bool:
    return any(
        binding.module in MODULES and binding.name in (*REVALIDATE_CALLS, "*", "default")
        for binding in ctx.imports.values()
    )


def _literal_tag(ctx: FileContext, call: Node) -> Node | None:
    """The string literal first argument of next/cache's revalidateTag()/updateTag()."""
    args = syntax.call_arguments(call)
    if not args or not any(is_next_api(ctx, call, name, MODULES) for name in REVALIDATE_CALLS):
        return None
    tag = syntax.unwrap(args[0])
    return tag if tag is not None and syntax.string_value(tag) is not None else None


def _violation(ctx: FileContext, tag: Node, value: str, declared: DeclaredTags) -> Violation:
    known = set(declared.literals)
    closest = closest_name(value, known)
    hint = f"; did you mean `{closest}`?" if closest else ""
    fixes: list[Fix] = []
    target = sole_close_name(value, known)
    inner = ctx.source[tag.start_byte + 1 : tag.end_byte - 1]
    if target is not None and inner == value.encode():
        fixes.append(Fix(f"Replace `{value}` with `{target}`", (Edit(tag.start_byte + 1, tag.end_byte - 1, target),),
                         Applicability.SAFE))
    return Violation(tag.start_byte, tag.end_byte, ctx.message(tag=value, hint=hint), fixes,
                     data={"tag": value, "closest": closest})
