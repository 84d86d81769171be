"""Cached scopes of a file: `'use cache'` functions and modules, and `unstable_cache(...)` callbacks."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.context import FileContext, function_directives

FUNCTIONS = """
[(function_declaration) (function_expression) (arrow_function) (method_definition)
 (generator_function_declaration)] @fn
"""
CALLS = "(call_expression function: [(identifier) (member_expression)]) @call"
PRIVATE = "use cache: private"


def is_cache_directive(directive: str) -> bool:
    """'use cache', 'use cache: remote', 'use cache: private' (and future 'use cache: <kind>')."""
    return directive == "use cache" or directive.startswith("use cache:")


@dataclass(frozen=True, slots=True)
class CachedScope:
    fn: Node  # the function whose body is cached
    name: str
    anchor: Node  # where findings about the whole function land
    directive: str  # 'use cache', 'use cache: remote', ..., or 'unstable_cache'

    @property
    def is_private(self) -> bool:
        """'use cache: private' may read cookies and headers: results stay in the browser."""
        return self.directive == PRIVATE


def cache_directive_functions(ctx: FileContext) -> list[CachedScope]:
    """Functions with their own cache directive, and each exported async function of a cache module."""
    if b"use cache" not in ctx.source:
        return []
    scopes: list[CachedScope] = []
    seen: set[int] = set()
    for fn in ctx.captures(FUNCTIONS).get("fn", []):
        directive = next((d for d in function_directives(fn) if is_cache_directive(d)), None)
        if directive is not None:
            scopes.append(CachedScope(fn, function_name(fn), _directive_node(fn) or fn, directive))
            seen.add(fn.id)
    module = next((d for d in ctx.directives if is_cache_directive(d)), None)
    if module is not None:
        for info in ctx.exported_functions():
            if info.is_async and info.node.id not in seen:  # a cache module may only export async functions
                scopes.append(CachedScope(info.node, info.name, info.name_node, module))
    return scopes


def unstable_cache_callbacks(ctx: FileContext) -> list[CachedScope]:
    """The functions passed to `unstable_cache(fn, keys, options)` (inline, or a same-file function)."""
    locals_ = {binding.local for binding in ctx.imports.values()
               if binding.module == "next/cache" and binding.name in ("unstable_cache", "*")}
    if not locals_:
        return []
    scopes: list[CachedScope] = []
    for call in ctx.captures(CALLS).get("call", []):
        if not _calls_unstable_cache(call, locals_):
            continue
        args = syntax.call_arguments(call)
        target = syntax.unwrap(args[0]) if args else None
        if target is not None and target.type == "identifier":
            target = local_functions(ctx).get(syntax.text(target))
        if target is not None and target.type in syntax.FUNCTION_TYPES:
            scopes.append(CachedScope(target, function_name(target), call, "unstable_cache"))
    return scopes


def _calls_unstable_cache(call: Node, locals_: set[str]) -> bool:
    function = call.child_by_field_name("function")
    if function is None:
        return False
    if function.type == "identifier":
        return syntax.text(function) in locals_
    obj = function.child_by_field_name("object")
    return syntax.text(obj) in locals_ and syntax.text(function.child_by_field_name("property")) == "unstable_cache"


def local_functions(ctx: FileContext) -> dict[str, Node]:
    """Same-file functions by name: top-level ones and `const f = cache(async () => ...)` wrappers."""
    found = {info.name: info.node for info in ctx.functions}
    for stmt in ctx.root.named_children:
        decl = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else stmt
        if decl is None or decl.type not in ("lexical_declaration", "variable_declaration"):
            continue
        for declarator in decl.named_children:
            name = declarator.child_by_field_name("name")
            value = syntax.unwrap(declarator.child_by_field_name("value"))
            wrapped = _wrapped_function(value)
            if name is not None and name.type == "identifier" and wrapped is not None:
                found.setdefault(syntax.text(name), wrapped)
    return found


def _wrapped_function(value: Node | None) -> Node | None:
    """The function inside `cache(fn)` / `unstable_cache(fn, ...)` style wrappers."""
    if value is None or value.type != "call_expression":
        return None
    args = syntax.call_arguments(value)
    first = syntax.unwrap(args[0]) if args else None
    return first if first is not None and first.type in syntax.FUNCTION_TYPES else None


def function_name(fn: Node) -> str:
    """A readable name: declared name, the variable or property it is assigned to, else 'anonymous'."""
    name = fn.child_by_field_name("name")
    if name is not None:
        return syntax.text(name)
    parent = fn.parent
    while parent is not None and parent.type in ("parenthesized_expression", "as_expression", "arguments"):
        parent = parent.parent
    if parent is not None and parent.type == "variable_declarator":
        return syntax.text(parent.child_by_field_name("name"))
    if parent is not None and parent.type == "pair":
        return syntax.text(parent.child_by_field_name("key"))
    if parent is not None and parent.type == "export_statement":
        return "default"
    if parent is not None and parent.type == "call_expression":
        return f"{syntax.callee_name(parent) or 'anonymous'} callback"
    return "anonymous function"


def _directive_node(fn: Node) -> Node | None:
    body = fn.child_by_field_name("body")
    if body is None:
        return None
    for child in body.named_children:
        if child.type == "comment":
            continue
        if child.type == "expression_statement" and child.named_children:
            value = syntax.string_value(child.named_children[0])
            if value is not None and is_cache_directive(value):
                return child.named_children[0]
            continue
        break
    return None


def called_functions(body: Node, functions: dict[str, Node]) -> list[tuple[Node, Node]]:
    """(call, function) for calls in `body` to same-file functions named in `functions`."""
    out: list[tuple[Node, Node]] = []
    for call in syntax.descendants_of_type(body, {"call_expression"}):
        function = call.child_by_field_name("function")
        if function is not None and function.type == "identifier":
            target = functions.get(syntax.text(function))
            if target is not None:
                out.append((call, target))
    return out
