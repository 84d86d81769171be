"""Fix for stripe/webhook-not-idempotent (playbook recipe B): record `event.id` before any side effect.

Right after the verified event is obtained, insert into the processed-events table; a duplicate key
(`23505`) means Stripe redelivered an event already handled, so the handler answers 200 at once. The
insert reuses a Supabase client variable already in scope there, else calls the service-role factory
the handler uses further down (no client at all: no fix, since creating one needs the project's own
factory). When no migration creates the table, the fix also writes one.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks._auth import callee_facts
from treido_ls.checks._sql import new_migration_stamp
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, FileEdit, Fix

_CLIENT_FACTORY = re.compile(r"^create\w*Client$")
_ADMIN_NAME = re.compile(r"(?i)admin|service")
_SUPABASE_MODULE = re.compile(r"supabase")
_BLOCKS = frozenset({"statement_block", "program"})
_DECLARATIONS = frozenset({"lexical_declaration", "variable_declaration"})
_ERROR_NAMES = ("duplicate", "duplicateEvent", "processedError")


def idempotency_fix(ctx: FileContext, verifiers: list[Node], event: str) -> Fix | None:
    verifier = next((call for call in verifiers if _stored_in(call) == event), None)
    fn = syntax.enclosing_function(verifier) if verifier is not None else None
    if verifier is None or fn is None or not _is_async(fn):
        return None
    anchor = _anchor(verifier)
    if anchor is None:
        return None
    client = _client_in_scope(ctx, anchor) or _later_admin_factory(ctx, fn, anchor)
    if client is None:
        return None
    table = ctx.project.config.project.processed_events_table
    edit = Edit(anchor.end_byte, anchor.end_byte, _check_text(ctx, fn, anchor, client, table, event))
    title = f"Record `{event}.id` in `{table}` and answer 200 to a redelivered event"
    migration = _migration(ctx, table)
    if migration is not None:
        title += " (with a migration creating the table)"
    return Fix(title, (edit,), Applicability.UNSAFE, file_edits=(migration,) if migration else ())


def _stored_in(call: Node) -> str | None:
    """`event` in `const event = await verify(...)` or `event = stripe.webhooks.constructEvent(...)`."""
    node = call
    while node.parent is not None and node.parent.type in (
        "await_expression", "parenthesized_expression", "as_expression", "non_null_expression",
    ):
        node = node.parent
    parent = node.parent
    target = None
    if parent is not None and parent.type == "variable_declarator":
        target = parent.child_by_field_name("name")
    elif parent is not None and parent.type == "assignment_expression":
        target = parent.child_by_field_name("left")
    return syntax.text(target) if target is not None and target.type == "identifier" else None


def _is_async(fn: Node) -> bool:
    return any(child.type == "async" for child in fn.children)


def _anchor(verifier: Node) -> Node | None:
    """The statement after which the event exists: the one holding the verifier call, or the whole `try`
    when the call only assigns a variable declared outside it (`event = constructEvent(...)` in a try)."""
    node: Node | None = verifier
    while node is not None and not (node.parent is not None and node.parent.type in _BLOCKS):
        if node.type in syntax.FUNCTION_TYPES:
            return None
        node = node.parent
    if node is None:
        return None
    while node.type == "expression_statement" and node.parent is not None and node.parent.parent is not None:
        block_owner = node.parent.parent
        if block_owner.type != "try_statement" or block_owner.parent is None or block_owner.parent.type not in _BLOCKS:
            break
        node = block_owner
    return node


def _client_in_scope(ctx: FileContext, anchor: Node) -> str | None:
    """A Supabase client variable declared before `anchor` in an enclosing block (an admin one preferred),
    else an imported client value."""
    found: list[str] = []
    node: Node | None = anchor
    while node is not None:
        parent = node.parent
        if parent is not None and parent.type in _BLOCKS:
            for stmt in parent.named_children:
                if stmt.start_byte >= node.start_byte:
                    break
                found += _clients_declared(ctx, stmt)
        node = parent
    found += [b.local for b in ctx.imports.values()
              if _SUPABASE_MODULE.search(b.module) and b.name != "*" and not b.local[:1].isupper()
              and not b.local.startswith(("create", "get", "use")) and _ADMIN_NAME.search(b.local)]
    admin = [name for name in found if _ADMIN_NAME.search(name)]
    candidates = admin or found
    return candidates[0] if candidates else None


def _later_admin_factory(ctx: FileContext, fn: Node, anchor: Node) -> str | None:
    """`createAdminClient()` when the handler creates its service-role client only further down: called
    inline (`(await f())` when awaited there), since a declaration here would clash with the later one."""
    for declarator in ctx.descendants(fn, "variable_declarator"):
        value = declarator.child_by_field_name("value")
        target = declarator.child_by_field_name("name")
        if value is None or target is None or declarator.start_byte < anchor.end_byte:
            continue
        created = syntax.unwrap(value)
        if created is None or not _creates_client(ctx, created) or not _self_contained(ctx, created):
            continue
        if not (_ADMIN_NAME.search(syntax.text(target)) or _ADMIN_NAME.search(syntax.callee_name(created) or "")):
            continue
        awaited = value.type == "await_expression"
        return f"(await {syntax.text(created)})" if awaited else syntax.text(created)
    return None


def _self_contained(ctx: FileContext, call: Node) -> bool:
    """A factory call whose arguments name no local variable (only `process.env.X`, `Deno.env.get(...)`)."""
    args = call.child_by_field_name("arguments")
    if args is None:
        return False
    names = {syntax.text(n) for n in ctx.descendants(args, "identifier")}
    return names <= {"process", "Deno"}


def _clients_declared(ctx: FileContext, stmt: Node) -> list[str]:
    if stmt.type == "export_statement":
        stmt = stmt.child_by_field_name("declaration") or stmt
    if stmt.type not in _DECLARATIONS:
        return []
    names: list[str] = []
    for declarator in stmt.named_children:
        target = declarator.child_by_field_name("name")
        value = syntax.unwrap(declarator.child_by_field_name("value"))
        if target is not None and target.type == "identifier" and value is not None and _creates_client(ctx, value):
            names.append(syntax.text(target))
    return names


def _creates_client(ctx: FileContext, value: Node) -> bool:
    if value.type != "call_expression":
        return False
    name = syntax.callee_name(value) or ""
    project = ctx.project.config.project
    if name in project.admin_clients or name in project.server_client_factories:
        return True
    if _CLIENT_FACTORY.match(name) and "stripe" not in name.lower():
        return True
    facts = callee_facts(ctx, value)
    return facts is not None and (facts.is_admin_client or facts.is_server_client_factory) and not facts.is_value


def _check_text(ctx: FileContext, fn: Node, anchor: Node, client: str, table: str, event: str) -> str:
    newline, semi = syntax.newline_of(ctx.source), ctx.semicolon
    quote = syntax.quote_of(ctx.source)
    indent = syntax.line_indent(ctx.source, anchor.start_byte).decode()
    inner = indent + syntax.indent_unit(ctx.source, fn, fn.child_by_field_name("body"))
    used = {syntax.text(n) for n in ctx.descendants(fn, "identifier")}
    error = next((name for name in _ERROR_NAMES if name not in used), "processedEventError")
    respond = "NextResponse.json" if "NextResponse" in ctx.imports else "Response.json"
    lines = [
        f"const {{ error: {error} }} = await {client}.from({quote}{table}{quote})"
        f".insert({{ id: {event}.id, type: {event}.type }}){semi}",
        f"if ({error}) {{",
        f"{inner[len(indent):]}if ({error}.code === {quote}23505{quote}) return {respond}({{ received: true }}){semi}",
        f"{inner[len(indent):]}throw {error}{semi}",
        "}",
    ]
    return "".join(newline + indent + line for line in lines)


def _migration(ctx: FileContext, table: str) -> FileEdit | None:
    """The table's migration, unless one already creates it."""
    schema, _, name = table.rpartition(".")
    schema = schema or "public"
    if ctx.project.schema.table(name, schema) is not None:
        return None
    stamp = new_migration_stamp(ctx.project.schema_builder.paths)
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "processed_events"
    qualified = f"{schema}.{name}"
    sql = (
        f"-- Stripe event ids already handled: the webhook inserts each id once, a duplicate means a redelivery.\n"
        f"create table if not exists {qualified} (\n"
        f"  id text primary key,\n"
        f"  type text not null,\n"
        f"  processed_at timestamptz not null default now()\n"
        f");\n"
        f"alter table {qualified} enable row level security;\n"
        f"-- Only the service-role webhook handler touches it: no access through the API.\n"
        f'create policy "{name}: service role only" on {qualified}\n'
        f"  for all to anon, authenticated using (false) with check (false);\n"
    )
    return FileEdit(f"{ctx.project.migrations_dir}/{stamp}_{slug}.sql", sql)
