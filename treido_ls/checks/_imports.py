"""Adding an import for a fix: once, next to the existing imports, in the file's quote and semicolon style."""

from __future__ import annotations

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.context import FileContext
from treido_ls.model import Edit

_LOCAL_PREFIXES = (".", "@/", "~/", "#")


def named_import(ctx: FileContext, module: str, name: str) -> tuple[str, Edit | None]:
    """How to refer to `name` from `module` here, and the edit that imports it (None when already imported).

    Reuses an existing binding or namespace import, extends an existing `import { ... } from module`, or
    adds a new import statement."""
    for binding in ctx.imports.values():
        if binding.module == module and binding.name == name:
            return binding.local, None
    for binding in ctx.imports.values():
        if binding.module == module and binding.name == "*":
            return f"{binding.local}.{name}", None
    for stmt in _imports(ctx):
        if syntax.string_value(stmt.child_by_field_name("source")) != module or _type_only(stmt):
            continue
        named = _named_imports(stmt)
        specs = [c for c in named.named_children if c.type == "import_specifier"] if named is not None else []
        if specs:
            return name, Edit(specs[-1].end_byte, specs[-1].end_byte, f", {name}")
    return name, new_import(ctx, f"{{ {name} }}", module)


def new_import(ctx: FileContext, clause: str, module: str) -> Edit:
    """`import <clause> from '<module>'` as a new statement: after the last package import, else before the
    project's own `@/` and relative imports, else at the top (after the directive prologue)."""
    imports = _imports(ctx)
    newline = syntax.newline_of(ctx.source)
    quote = _import_quote(ctx, imports)
    semi = (";" if syntax.text(imports[-1]).endswith(";") else "") if imports else ctx.semicolon
    statement = f"import {clause} from {quote}{module}{quote}{semi}"
    packages = [s for s in imports if not _is_local(s)]
    if imports and not packages:  # only project imports: packages go first
        return Edit(imports[0].start_byte, imports[0].start_byte, statement + newline)
    anchor = packages[-1] if packages else _last_directive(ctx)
    if anchor is None:
        return Edit(0, 0, statement + newline)
    return Edit(anchor.end_byte, anchor.end_byte, newline + statement)


def _imports(ctx: FileContext) -> list[Node]:
    return [stmt for stmt in ctx.root.named_children if stmt.type == "import_statement"]


def _named_imports(stmt: Node) -> Node | None:
    clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
    return next((c for c in clause.named_children if c.type == "named_imports"), None) if clause else None


def _type_only(stmt: Node) -> bool:
    """`import type { X } from 'm'` cannot carry a value import."""
    return any(child.type == "type" for child in stmt.children)


def _is_local(stmt: Node) -> bool:
    module = syntax.string_value(stmt.child_by_field_name("source")) or ""
    return module.startswith(_LOCAL_PREFIXES)


def _import_quote(ctx: FileContext, imports: list[Node]) -> str:
    if imports:
        source = imports[-1].child_by_field_name("source")
        if source is not None and syntax.text(source)[:1] in ("'", '"'):
            return syntax.text(source)[0]
    return syntax.quote_of(ctx.source)


def _last_directive(ctx: FileContext) -> Node | None:
    """The last `'use server'`-style statement of the prologue (imports go below it)."""
    last = None
    for stmt in ctx.root.named_children:
        if stmt.type == "comment":
            continue
        if stmt.type != "expression_statement" or not stmt.named_children or stmt.named_children[0].type != "string":
            break
        last = stmt
    return last
