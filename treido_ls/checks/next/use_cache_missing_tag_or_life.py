"""next/use-cache-missing-tag-or-life: a `'use cache'` function without `cacheTag()` or `cacheLife()`."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._cache import CachedScope, cache_directive_functions, called_functions, local_functions
from treido_ls.context import FileContext
from treido_ls.model import Violation

TAG = frozenset({"cacheTag", "unstable_cacheTag"})
LIFE = frozenset({"cacheLife", "unstable_cacheLife"})
_WHY = {
    ("`cacheTag()`",): "nothing can revalidate its entries by tag",
    ("`cacheLife()`",): "its lifetime silently falls back to the default profile",
    ("`cacheTag()`", "`cacheLife()`"): "nothing can revalidate its entries by tag and its lifetime is the default",
}


@check("next/use-cache-missing-tag-or-life")
def use_cache_missing_tag_or_life(ctx: FileContext) -> Iterator[Violation]:
    scopes = cache_directive_functions(ctx)
    if not scopes:
        return
    functions = local_functions(ctx)
    for scope in scopes:
        if not _does_work(ctx, scope.fn):
            continue
        found = _cache_api_calls(ctx, scope.fn, functions, set())
        missing = tuple(label for label, names in (("`cacheTag()`", TAG), ("`cacheLife()`", LIFE))
                        if not found & names)
        if missing:
            yield _violation(ctx, scope, missing)


def _does_work(ctx: FileContext, fn: Node) -> bool:
    """Static output (JSX or values with no call, `await` or `new`) has nothing to tag or expire."""
    body = fn.child_by_field_name("body")
    if body is None:
        return False
    return any(node.type != "call_expression" or _next_cache_api(ctx, node) is None
               for node in syntax.descendants_of_type(body, {"call_expression", "await_expression", "new_expression"}))


def _violation(ctx: FileContext, scope: CachedScope, missing: tuple[str, ...]) -> Violation:
    return Violation(
        scope.anchor.start_byte, scope.anchor.end_byte,
        ctx.message(name=scope.name, directive=scope.directive, missing=" or ".join(missing), why=_WHY[missing]),
        data={"missing": [m.strip("`()") for m in missing]},
    )


def _cache_api_calls(ctx: FileContext, fn: Node, functions: dict[str, Node], visited: set[int]) -> set[str]:
    """Names of next/cache tag/life APIs called in `fn`, or in same-file helpers it calls.

    With an explicit stack: a chain of helpers calling each other can be as long as the file."""
    visited.add(fn.id)
    found: set[str] = set()
    stack = [fn]
    while stack:
        body = stack.pop().child_by_field_name("body")
        if body is None:
            continue
        for call in syntax.descendants_of_type(body, {"call_expression"}):
            name = _next_cache_api(ctx, call)
            if name is not None:
                found.add(name)
        for _, target in called_functions(body, functions):
            if target.id not in visited:
                visited.add(target.id)
                stack.append(target)
    return found


def _next_cache_api(ctx: FileContext, call: Node) -> str | None:
    function = call.child_by_field_name("function")
    if function is None:
        return None
    if function.type == "identifier":
        binding = ctx.imports.get(syntax.text(function))
        if binding is not None and binding.module == "next/cache" and binding.name in TAG | LIFE:
            return binding.name
    elif function.type == "member_expression":
        obj = function.child_by_field_name("object")
        prop = syntax.text(function.child_by_field_name("property"))
        binding = ctx.imports.get(syntax.text(obj)) if obj is not None and obj.type == "identifier" else None
        if binding is not None and binding.module == "next/cache" and binding.name == "*" and prop in TAG | LIFE:
            return prop
    return None
