"""auth/missing-getuser-guard: a server action reaches data access before verifying the user."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._auth import (
    DataAccess,
    callee_facts,
    data_accesses,
    guard_offsets,
    has_use_server,
    inside_guard_callback,
    inside_user_check,
    user_names,
)
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix, Violation
from treido_ls.workspace import fnscan
from treido_ls.workspace.symbols import FunctionFacts

FUNCTIONS = "[(function_declaration) (function_expression) (arrow_function)] @fn"


@check("auth/missing-getuser-guard")
def missing_getuser_guard(ctx: FileContext) -> Iterator[Violation]:
    if b"use server" not in ctx.source:
        return
    public = set(ctx.project.config.project.public_actions)
    for fn, name, name_node in _actions(ctx):
        if name in public:
            continue
        access = _unguarded_access(ctx, fn)
        if access is None:
            continue
        fix = _fix(ctx, fn, access)
        yield Violation(name_node.start_byte, name_node.end_byte, ctx.message(name=name, what=access.what),
                        fixes=[fix] if fix is not None else [])


def _actions(ctx: FileContext) -> Iterator[tuple[Node, str, Node]]:
    """Exported async functions of a 'use server' module, and functions with their own 'use server'."""
    seen: set[int] = set()
    if ctx.is_kind("server-action"):
        for info in ctx.exported_functions():
            if info.is_async:
                seen.add(info.node.id)
                yield info.node, info.name, info.name_node
    for fn in ctx.captures(FUNCTIONS).get("fn", []):
        if fn.id not in seen and has_use_server(fn):
            name, name_node = syntax.function_name(fn)
            yield fn, name, name_node


def _unguarded_access(ctx: FileContext, fn: Node) -> DataAccess | None:
    accesses = data_accesses(ctx, fn)
    if not accesses:
        return None
    offsets = guard_offsets(ctx, fn)
    names: set[str] | None = None
    for access in accesses:
        if any(offset <= access.node.start_byte for offset in offsets):
            continue
        if names is None:
            names = user_names(ctx, fn)
        if names and inside_user_check(access.node, fn, names):
            continue
        if inside_guard_callback(ctx, access.node, fn):
            continue
        return access
    return None


# -- fix ----------------------------------------------------------------------------------------------


def _fix(ctx: FileContext, fn: Node, access: DataAccess) -> Fix | None:
    body = fn.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return None
    helper = _guard_helper(ctx)
    if helper is not None:
        return _call_helper(ctx, body, helper)
    return _inline_check(ctx, fn, access)


def _guard_helper(ctx: FileContext) -> FunctionFacts | None:
    """A guard the file can call without arguments: imported, or a function of this file."""
    candidates: list[FunctionFacts] = []
    seen: set[str] = set()
    for local in [*ctx.imports, *(info.name for info in ctx.functions if not info.exported)]:
        if local in seen:
            continue
        seen.add(local)
        facts = ctx.project.symbols.call_facts(ctx.project.root / ctx.path, ctx.imports, local)
        if facts is not None and facts.is_guard and facts.required_params == 0 and not facts.is_admin_guard:
            candidates.append(facts)
            if local != facts.name:
                candidates[-1] = _renamed(facts, local)
    return candidates[0] if candidates else None


def _renamed(facts: FunctionFacts, local: str) -> FunctionFacts:
    return FunctionFacts(facts.path, local, facts.start, facts.end, facts.is_async, facts.is_guard,
                         facts.is_admin_guard, facts.is_webhook_verifier, facts.is_server_client_factory,
                         facts.is_admin_client, facts.reads_user, facts.is_value, facts.required_params)




def _call_helper(ctx: FileContext, body: Node, helper: FunctionFacts) -> Fix | None:
    first = syntax.first_statement(body)
    if first is None:
        return None
    indent = syntax.line_indent(ctx.source, first.start_byte).decode()
    await_ = "await " if helper.is_async else ""
    text = f"{await_}{helper.name}(){ctx.semicolon}{syntax.newline_of(ctx.source)}{indent}"
    return Fix(f"Call `{helper.name}()` first", (Edit(first.start_byte, first.start_byte, text),),
               Applicability.UNSAFE)


def _inline_check(ctx: FileContext, fn: Node, access: DataAccess) -> Fix | None:
    """Insert `getUser()` plus an early exit right after the Supabase client is created; without a client
    (a Stripe call), create one first with the server-client factory the file imports."""
    if _declares(fn, "user"):
        return None
    nl = syntax.newline_of(ctx.source)
    semi = ctx.semicolon
    quote = syntax.quote_of(ctx.source)
    exit_ = _file_exit(ctx) or f"throw new Error({quote}Unauthorized{quote})"
    found = _client_declaration(ctx, fn, access)
    if found is not None:
        declaration, client = found
        indent = syntax.line_indent(ctx.source, declaration.start_byte).decode()
        text = (f"{nl}{indent}const {{ data: {{ user }} }} = await {client}.auth.getUser(){semi}"
                f"{nl}{indent}if (!user) {exit_}{semi}")
        at = declaration.end_byte
    else:
        body = fn.child_by_field_name("body")
        first = syntax.first_statement(body) if body is not None else None
        factory = _imported_factory(ctx)
        if first is None or factory is None or _declares(fn, "supabase"):
            return None
        indent = syntax.line_indent(ctx.source, first.start_byte).decode()
        await_ = "await " if factory.is_async else ""
        text = (f"const supabase = {await_}{factory.name}(){semi}{nl}{indent}"
                f"const {{ data: {{ user }} }} = await supabase.auth.getUser(){semi}{nl}{indent}"
                f"if (!user) {exit_}{semi}{nl}{indent}")
        at = first.start_byte
    assert ctx.rule is not None
    return Fix(ctx.rule.fix_title or "Verify the user with getUser() first", (Edit(at, at, text),),
               Applicability.UNSAFE)


def _client_declaration(ctx: FileContext, fn: Node, access: DataAccess) -> tuple[Node, str] | None:
    """The statement creating the Supabase client the access uses, or any server client made before it."""
    if access.client is not None:
        declaration = _declaration_in_body(fn, syntax.text(access.client), access.node.start_byte)
        return (declaration, syntax.text(access.client)) if declaration is not None else None
    for stmt in fnscan.own_nodes(fn, frozenset({"lexical_declaration"})):
        if stmt.start_byte >= access.node.start_byte or stmt.parent is None or stmt.parent.type != "statement_block":
            continue
        for declarator in stmt.named_children:
            target = declarator.child_by_field_name("name")
            value = syntax.unwrap(declarator.child_by_field_name("value"))
            if target is None or target.type != "identifier" or value is None or value.type != "call_expression":
                continue
            facts = callee_facts(ctx, value)
            if facts is not None and facts.is_server_client_factory:
                return stmt, syntax.text(target)
    return None


def _imported_factory(ctx: FileContext) -> FunctionFacts | None:
    """The cookie-bound server-client factory the file imports, under its local name."""
    for local in ctx.imports:
        facts = ctx.project.symbols.call_facts(ctx.project.root / ctx.path, ctx.imports, local)
        if facts is not None and facts.is_server_client_factory and facts.required_params == 0:
            return _renamed(facts, local)
    return None


def _declaration_in_body(fn: Node, name: str, before: int) -> Node | None:
    """The statement declaring the client, in the function's body or a block of it (a `try`)."""
    for stmt in fnscan.own_nodes(fn, frozenset({"lexical_declaration", "variable_declaration"})):
        if stmt.start_byte >= before or stmt.parent is None or stmt.parent.type != "statement_block":
            continue
        for declarator in stmt.named_children:
            target = declarator.child_by_field_name("name")
            if declarator.type == "variable_declarator" and target is not None and syntax.text(target) == name:
                return stmt
    return None


def _declares(fn: Node, name: str) -> bool:
    for node in fnscan.own_nodes(fn, frozenset({"variable_declarator"})):
        target = node.child_by_field_name("name")
        if target is not None and any(
                syntax.text(n) == name for n in syntax.walk(target)
                if n.type in ("identifier", "shorthand_property_identifier_pattern")):
            return True
    return False


IF_STATEMENTS = "(if_statement) @if"
# What an early exit copied from another action may mention: nothing local to that action.
_EXIT_NAMES = frozenset({"redirect", "notFound", "forbidden", "unauthorized", "permanentRedirect", "Error",
                         "NextResponse", "Response"})


def _file_exit(ctx: FileContext) -> str | None:
    """The early exit the file's other actions use after `if (!user)`: `redirect('/login')`,
    `return { error: '...' }`, ... (one line, mentioning nothing local), without its `;`."""
    for stmt in ctx.captures(IF_STATEMENTS).get("if", []):
        condition = stmt.child_by_field_name("condition")
        consequence = stmt.child_by_field_name("consequence")
        if condition is None or consequence is None or stmt.child_by_field_name("alternative") is not None:
            continue
        if not fnscan.tests_absence(condition, {"user"}) or not fnscan.exits(consequence):
            continue
        if consequence.type == "statement_block":
            inner = [c for c in consequence.named_children if c.type != "comment"]
            if len(inner) != 1:
                continue
            consequence = inner[0]
        text = syntax.text(consequence).rstrip().removesuffix(";")
        names = {syntax.text(n) for n in syntax.walk(consequence) if n.type == "identifier"}
        if "\n" not in text and names <= _EXIT_NAMES:
            return text
    return None
