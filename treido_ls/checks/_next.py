"""Recognising Next.js APIs by their import, not their name (a local `revalidateTag` is not Next's)."""

from __future__ import annotations

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.context import FileContext


def is_next_api(ctx: FileContext, call: Node, name: str, modules: tuple[str, ...]) -> bool:
    """True when `call` calls `name` imported from one of `modules` (named or via a namespace)."""
    function = call.child_by_field_name("function")
    if function is None:
        return False
    if function.type == "identifier":
        binding = ctx.imports.get(syntax.text(function))
        return binding is not None and binding.module in modules and binding.name == name
    if function.type == "member_expression":
        obj = function.child_by_field_name("object")
        prop = function.child_by_field_name("property")
        if obj is None or obj.type != "identifier" or syntax.text(prop) != name:
            return False
        binding = ctx.imports.get(syntax.text(obj))
        return binding is not None and binding.module in modules and binding.name in ("*", "default")
    return False
