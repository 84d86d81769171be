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


def imported_calls(ctx: FileContext, name: str, modules: tuple[str, ...]) -> list[Node]:
    """Calls of `name` imported from `modules`, by its local alias or through a namespace import.

    One query over the tree restricted to the local names, instead of visiting every call."""
    aliases = sorted(b.local for b in ctx.imports.values() if b.module in modules and b.name == name)
    namespaces = sorted(b.local for b in ctx.imports.values() if b.module in modules and b.name in ("*", "default"))
    patterns = []
    if aliases:
        names = " ".join(f'"{alias}"' for alias in aliases)
        patterns.append(f"(call_expression function: (identifier) @fn (#any-of? @fn {names})) @call")
    if namespaces:
        names = " ".join(f'"{ns}"' for ns in namespaces)
        patterns.append(
            "(call_expression function: (member_expression object: (identifier) @ns property: "
            f'(property_identifier) @prop) (#any-of? @ns {names}) (#eq? @prop "{name}")) @call'
        )
    if not patterns:
        return []
    calls = ctx.captures("\n".join(patterns)).get("call", [])
    return sorted(calls, key=lambda node: node.start_byte)
