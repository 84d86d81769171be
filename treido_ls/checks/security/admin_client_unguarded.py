"""security/admin-client-unguarded: a server action or route handler reaches the service-role client with no
admin check, webhook signature verification or shared-secret check before it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._admin import AdminTracer, Hop, clearing_check_before
from treido_ls.checks._auth import abs_path, calls_within, project_module
from treido_ls.checks.validation._flow import Entry, actions, route_handlers
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix, Related, Violation
from treido_ls.workspace.symbols import FunctionFacts

_RECIPE = ("Guard this path: call an admin check (a helper that verifies the user and their role) or verify the "
           "webhook signature before the service-role client, or read with the user's cookie-bound client so "
           "RLS applies")


@check("security/admin-client-unguarded")
def admin_client_unguarded(ctx: FileContext) -> Iterator[Violation]:
    if not ctx.imports or not (ctx.is_kind("route-handler") or b"use server" in ctx.source):
        return
    tracer = AdminTracer(ctx)
    entries = [*route_handlers(ctx), *actions(ctx)]
    seen: set[int] = set()
    public = set(ctx.project.config.project.public_actions)
    for entry in entries:
        if entry.fn.id in seen or entry.name in public:
            continue
        seen.add(entry.fn.id)
        found = _first_unguarded(ctx, tracer, entry.fn)
        if found is not None:
            yield _violation(ctx, entry, *found)


def _first_unguarded(ctx: FileContext, tracer: AdminTracer, fn: Node) -> tuple[Node, list[Hop]] | None:
    body = fn.child_by_field_name("body")
    if body is None:
        return None
    for call in calls_within(ctx, body):
        hops = tracer.path_from_call(call)
        if hops is None:
            continue
        if clearing_check_before(ctx, fn, call.start_byte):
            return None  # later calls come after the same check
        return call, hops
    return None


def _violation(ctx: FileContext, entry: Entry, call: Node, hops: list[Hop]) -> Violation:
    kind = "Route handler" if ctx.is_kind("route-handler") else "Server action"
    callee = syntax.text(call.child_by_field_name("function"))
    via = f" through `{callee}()`" if hops and "reaches" in hops[0].message else ""
    root = ctx.project.root.resolve()
    related = [Related(_relative(hop.path, root), hop.start, hop.end, hop.message) for hop in hops]
    message = ctx.message(kind=kind, name=entry.name, via=via)
    return Violation(call.start_byte, call.end_byte, message, fixes=[_fix(ctx, entry.fn, call)], related=related)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


# -- fix ----------------------------------------------------------------------------------------------


def _fix(ctx: FileContext, fn: Node, call: Node) -> Fix:
    statement = _statement_in_body(fn, call)
    guard = _admin_guard(ctx)
    if statement is None or guard is None:
        return Fix(_RECIPE, (), Applicability.DISPLAY_ONLY)
    name, facts, import_edit = guard
    indent = syntax.line_indent(ctx.source, statement.start_byte).decode()
    await_ = "await " if facts is None or facts.is_async else ""
    text = f"{await_}{name}(){ctx.semicolon}{syntax.newline_of(ctx.source)}{indent}"
    edits = [Edit(statement.start_byte, statement.start_byte, text)]
    if import_edit is not None:
        edits.insert(0, import_edit)
    return Fix(f"Call `{name}()` before the service-role client", tuple(edits), Applicability.UNSAFE)


def _statement_in_body(fn: Node, call: Node) -> Node | None:
    body = fn.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return None
    current: Node | None = call
    while current is not None and current.parent is not None and current.parent.id != body.id:
        current = current.parent
    return current if current is not None and current.parent is not None else None


def _admin_guard(ctx: FileContext) -> tuple[str, FunctionFacts | None, Edit | None] | None:
    """An admin guard callable without arguments: imported already, or exported by a project module the file
    imports from (then added to that import), or a config name the file imports."""
    symbols = ctx.project.symbols
    path = abs_path(ctx)
    configured = set(ctx.project.config.project.admin_guards)
    for local, binding in ctx.imports.items():
        if not project_module(binding.module):
            continue
        if local in configured or binding.name in configured:
            return local, None, None
        facts = symbols.call_facts(path, ctx.imports, local)
        if facts is not None and facts.is_admin_guard and facts.required_params == 0:
            return local, facts, None
    for statement in ctx.root.named_children:
        found = _guard_from_module(ctx, statement)
        if found is not None:
            return found
    return None


def _guard_from_module(ctx: FileContext, statement: Node) -> tuple[str, FunctionFacts | None, Edit | None] | None:
    if statement.type != "import_statement" or syntax.text(statement).startswith("import type"):
        return None
    module = syntax.string_value(statement.child_by_field_name("source"))
    if module is None or not project_module(module):
        return None
    named = next((n for c in statement.named_children if c.type == "import_clause"
                  for n in c.named_children if n.type == "named_imports"), None)
    target = ctx.project.symbols.resolve(abs_path(ctx), module)
    summary = ctx.project.symbols.summary(target) if target is not None else None
    if named is None or summary is None or target is None:
        return None
    for export in summary.exports:
        if export in ctx.imports or export == "default":
            continue
        facts = ctx.project.symbols.exported_facts(target, export)
        if facts is not None and facts.is_admin_guard and facts.required_params == 0:
            last = [s for s in named.named_children if s.type == "import_specifier"]
            if not last:
                return None
            return export, facts, Edit(last[-1].end_byte, last[-1].end_byte, f", {export}")
    return None
