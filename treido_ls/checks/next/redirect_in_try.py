"""next/redirect-in-try: `redirect()`/`notFound()`/... inside a `try` whose `catch` swallows the throw."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._next import is_next_api
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix, Violation

NAVIGATION = "next/navigation"
THROWING = ("redirect", "permanentRedirect", "notFound", "forbidden", "unauthorized")
CALLS = "(call_expression function: [(identifier) (member_expression)]) @call"
RETHROW = "unstable_rethrow"
# Checks that single out Next's control-flow errors; with a `throw` in the catch they rethrow them.
ERROR_CHECKS = frozenset({"isRedirectError", "isNotFoundError", "isNextRouterError", "isHTTPAccessFallbackError"})


@check("next/redirect-in-try")
def redirect_in_try(ctx: FileContext) -> Iterator[Violation]:
    if b"try" not in ctx.source or not any(
        b.module == NAVIGATION and b.name in (*THROWING, "*") for b in ctx.imports.values()
    ):
        return
    for call in ctx.captures(CALLS).get("call", []):
        name = next((n for n in THROWING if is_next_api(ctx, call, n, (NAVIGATION,))), None)
        if name is None:
            continue
        handler = _swallowing_catch(call)
        if handler is None:
            continue
        param = handler.child_by_field_name("parameter")
        shown = syntax.text(param) if param is not None and param.type == "identifier" else "error"
        fix = _fix(ctx, handler)
        yield Violation(call.start_byte, call.end_byte, ctx.message(name=name, param=shown),
                        fixes=[fix] if fix is not None else [])


def _swallowing_catch(call: Node) -> Node | None:
    """The catch clause that would swallow a throw from `call` (nearest enclosing try blocks first)."""
    child, parent = call, call.parent
    while parent is not None and (parent.type not in syntax.FUNCTION_TYPES or _is_callback(parent)):
        if parent.type == "try_statement":
            body = parent.child_by_field_name("body")
            handler = parent.child_by_field_name("handler")
            if body is not None and body.id == child.id and handler is not None and not _rethrows(handler):
                return handler
        child, parent = parent, parent.parent
    return None


def _is_callback(fn: Node) -> bool:
    """A function passed straight to a call (`.then(res => ...)`, `.forEach(...)`): its throw reaches the try
    when the call runs it (sync) or is awaited, as in the Next.js docs' `fetch().then(...)` example."""
    return fn.type in ("arrow_function", "function_expression", "function") and fn.parent is not None \
        and fn.parent.type == "arguments"


def _rethrows(handler: Node) -> bool:
    """`throw err`, `unstable_rethrow(err)`, or an `isRedirectError(err)` check with a throw."""
    body = handler.child_by_field_name("body")
    if body is None:
        return False
    param = handler.child_by_field_name("parameter")
    name = syntax.text(param) if param is not None and param.type == "identifier" else None
    throws = checks = False
    for node in syntax.descendants_of_type(body, {"throw_statement", "call_expression"}):
        if node.type == "throw_statement":
            thrown = syntax.unwrap(node.named_children[0]) if node.named_children else None
            if name is not None and thrown is not None and thrown.type == "identifier" and syntax.text(thrown) == name:
                return True
            throws = True
        else:
            callee = syntax.callee_name(node)
            if callee == RETHROW:
                return True
            checks = checks or callee in ERROR_CHECKS
    return throws and checks


def _fix(ctx: FileContext, handler: Node) -> Fix | None:
    body = handler.child_by_field_name("body")
    param = handler.child_by_field_name("parameter")
    if body is None or (param is not None and param.type != "identifier"):
        return None
    edits: list[Edit] = []
    if param is None:
        name = _fresh_name(body)
        keyword = handler.children[0]
        edits.append(Edit(keyword.end_byte, keyword.end_byte, f" ({name})"))
    else:
        name = syntax.text(param)
    callee, import_edit = _rethrow_callee(ctx)
    semi = ";" if _uses_semicolons(ctx, handler) else ""
    edits.append(_insert_first(ctx, handler, body, f"{callee}({name}){semi}"))
    if import_edit is not None:
        edits.append(import_edit)
    assert ctx.rule is not None
    return Fix(ctx.rule.fix_title or f"Call `{RETHROW}()` first in the catch", tuple(edits), Applicability.SAFE)


def _fresh_name(body: Node) -> str:
    """A catch parameter name that does not shadow a variable the catch body reads."""
    used = {syntax.text(n) for n in syntax.descendants_of_type(body, {"identifier", "shorthand_property_identifier"})}
    return next(name for name in ("error", "err", "caughtError", "caughtError_") if name not in used)


def _insert_first(ctx: FileContext, handler: Node, body: Node, statement: str) -> Edit:
    source, newline = ctx.source, syntax.newline_of(ctx.source)
    first = body.named_children[0] if body.named_children else None
    open_brace = body.children[0]
    if first is not None:
        if _same_line(source, open_brace.end_byte, first.start_byte):
            return Edit(first.start_byte, first.start_byte, statement + " ")
        indent = syntax.line_indent(source, first.start_byte).decode()
        return Edit(first.start_byte, first.start_byte, statement + newline + indent)
    close_brace = body.children[-1]
    outer = syntax.line_indent(source, close_brace.start_byte).decode()
    try_stmt = handler.parent  # measured on the try block: its statements' indent minus the try's
    block = try_stmt.child_by_field_name("body") if try_stmt is not None else None
    inner = outer + syntax.indent_unit(ctx.source, try_stmt, block)
    return Edit(open_brace.end_byte, close_brace.start_byte, newline + inner + statement + newline + outer)


def _same_line(source: bytes, start: int, end: int) -> bool:
    return b"\n" not in source[start:end]


def _uses_semicolons(ctx: FileContext, handler: Node) -> bool:
    try_stmt = handler.parent
    block = try_stmt.child_by_field_name("body") if try_stmt is not None else None
    statements = [s for s in (block.named_children if block is not None else []) if s.type != "comment"]
    if statements:
        return any(syntax.text(s).endswith(";") for s in statements)
    return b";\n" in ctx.source or b";\r\n" in ctx.source


def _rethrow_callee(ctx: FileContext) -> tuple[str, Edit | None]:
    """How to call `unstable_rethrow` here, and the import edit that makes it available (if any)."""
    for binding in ctx.imports.values():
        if binding.module == NAVIGATION and binding.name == RETHROW:
            return binding.local, None
    for binding in ctx.imports.values():
        if binding.module == NAVIGATION and binding.name == "*":
            return f"{binding.local}.{RETHROW}", None
    imports = [stmt for stmt in ctx.root.named_children if stmt.type == "import_statement"]
    for stmt in imports:
        named = _named_imports(stmt)
        if named is not None and syntax.string_value(stmt.child_by_field_name("source")) == NAVIGATION:
            specs = [c for c in named.named_children if c.type == "import_specifier"]
            if specs:
                return RETHROW, Edit(specs[-1].end_byte, specs[-1].end_byte, f", {RETHROW}")
    last = imports[-1]
    source = last.child_by_field_name("source")
    quote = syntax.text(source)[0] if source is not None else syntax.quote_of(ctx.source)
    semi = ";" if syntax.text(last).endswith(";") else ""
    line = f"import {{ {RETHROW} }} from {quote}{NAVIGATION}{quote}{semi}"
    return RETHROW, Edit(last.end_byte, last.end_byte, syntax.newline_of(ctx.source) + line)


def _named_imports(stmt: Node) -> Node | None:
    """The `{ ... }` of a value import (not `import type`)."""
    if any(child.type == "type" for child in stmt.children):
        return None
    clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
    if clause is None:
        return None
    return next((c for c in clause.named_children if c.type == "named_imports"), None)
