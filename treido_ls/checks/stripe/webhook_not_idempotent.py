"""stripe/webhook-not-idempotent: a verified webhook has side effects but never records `event.id`.

Stripe delivers at least once: a retry after a timeout replays every side effect unless the
handler records or checks the event id, or its writes converge on replay (upserts keyed on Stripe
ids, deletes, updates to fixed values, Stripe calls with an idempotency key).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._scope import declaration_of, pattern_bindings
from treido_ls.checks._stripe import CALLS, may_be_stripe_file, verified_event_names, verifier_calls
from treido_ls.checks._supabase import query_chain
from treido_ls.checks.stripe._idempotency_fix import idempotency_fix
from treido_ls.context import FileContext
from treido_ls.model import Violation

_WRITES = frozenset({"insert", "update", "upsert", "delete"})
_LOGGERS = frozenset({"console", "logger", "log"})
_RESPONSES = frozenset({"json", "Response", "NextResponse", "send", "end", "redirect"})
# Reads, and `update` (sets fixed values, so a replay converges).
_STRIPE_READS = frozenset({
    "update", "retrieve", "list", "search", "listLineItems", "retrieveUpcoming", "createPreview", "listSources",
    "constructEvent", "constructEventAsync", "generateTestHeaderString", "autoPagingEach", "autoPagingToArray",
})
_STRIPE_CLIENT = re.compile(r"^stripe(Client|Api|Sdk)?$", re.IGNORECASE)
_EMAIL_CALL = re.compile(r"^send\w*(e?mail|receipt|invoice|notification)\w*$", re.IGNORECASE)
# Columns that identify one delivery: a lookup on them that ends the handler is a duplicate check.
_EVENT_KEY_COLUMN = re.compile(r"(event|session|payment_intent|invoice|charge|checkout)", re.IGNORECASE)


ID_READS = """
(member_expression object: (identifier) @object property: (property_identifier) @prop (#eq? @prop "id")) @use
"""
IDENTIFIERS = "(identifier) @use"


@check("stripe/webhook-not-idempotent")
def webhook_not_idempotent(ctx: FileContext) -> Iterator[Violation]:
    if not may_be_stripe_file(ctx):
        return
    verifiers = verifier_calls(ctx)
    if not verifiers:
        return
    events = verified_event_names(ctx, verifiers)
    if _event_id_handed_on(ctx, events):
        return
    calls = sorted(ctx.captures(CALLS).get("call", []), key=lambda node: node.start_byte)
    table = ctx.project.config.project.processed_events_table
    if any(_duplicate_lookup(call) or _records_in(call, table) for call in calls):
        return
    for call in calls:
        what = _side_effect(call)
        if what is not None:
            event = sorted(events)[0]
            fix = idempotency_fix(ctx, verifiers, event)
            yield Violation(_method_start(call), call.end_byte, ctx.message(what=what, event=event),
                            fixes=[fix] if fix is not None else [], data={"event": event})
            return


def _method_start(call: Node) -> int:
    """Report from the method name: in a multi-line builder chain that is the line doing the write."""
    function = call.child_by_field_name("function")
    prop = function.child_by_field_name("property") if function is not None else None
    return prop.start_byte if function is not None and function.type == "member_expression" and prop else \
        call.start_byte


def _event_id_handed_on(ctx: FileContext, events: set[str]) -> bool:
    """`event.id` (or `const eventId = event.id`) passed to a call that is not a log line or a
    response: the handler records or checks it."""
    ids = [m["use"][0] for m in ctx.matches(ID_READS) if syntax.text(m["object"][0]) in events]
    if any(_reaches_a_call(use) for use in ids):
        return True
    aliases = {syntax.text(name) for use in ids if (name := _declared_name(use)) is not None}
    if not aliases:
        return False
    return any(syntax.text(use) in aliases and _reaches_a_call(use) for use in ctx.captures(IDENTIFIERS).get("use", []))


def _declared_name(use: Node) -> Node | None:
    parent = use.parent
    if parent is not None and parent.type == "variable_declarator" and parent.child_by_field_name("value") == use:
        name = parent.child_by_field_name("name")
        return name if name is not None and name.type == "identifier" else None
    return None


def _reaches_a_call(use: Node) -> bool:
    node = use
    while node.parent is not None and node.type not in syntax.FUNCTION_TYPES:
        parent = node.parent
        if parent.type == "arguments" and parent.parent is not None and parent.parent.type == "call_expression":
            call = parent.parent
            function = call.child_by_field_name("function")
            root = function
            while root is not None and root.type == "member_expression":
                root = root.child_by_field_name("object")
            if syntax.text(root) not in _LOGGERS and syntax.callee_name(call) not in _RESPONSES:
                return True
        node = parent
    return False


def _records_in(call: Node, table: str) -> bool:
    """A write to the configured processed-events table."""
    parts = syntax.member_call_parts(call)
    if parts is None or parts[1] not in ("insert", "upsert"):
        return False
    chain = query_chain(call)
    return chain is not None and chain.table == table


def _duplicate_lookup(call: Node) -> bool:
    """`.select(...).eq('stripe_session_id', session.id)` whose row, when found, ends the handler."""
    parts = syntax.member_call_parts(call)
    if parts is None or parts[1] not in ("eq", "match") or query_chain(call) is None:
        return False
    if "select" not in _chain_methods(call) or not any(_EVENT_KEY_COLUMN.search(c) for c in _filter_columns(call)):
        return False
    found = _row_variable(call)
    if found is None:
        return False
    row, statement = found
    # `if (existing) return ...` right after the lookup (a few statements at most).
    following = statement.next_named_sibling
    for _ in range(4):
        if following is None:
            return False
        if following.type == "if_statement" and _returns_when_found(following, row):
            return True
        following = following.next_named_sibling
    return False


def _row_variable(call: Node) -> tuple[str, Node] | None:
    """The variable a lookup's row lands in and its statement: `const { data: existing } = await ...`."""
    node = call
    while node.parent is not None and node.parent.type in (
        "member_expression", "call_expression", "await_expression", "parenthesized_expression",
    ):
        node = node.parent
    declarator = node.parent
    if declarator is None or declarator.type != "variable_declarator" or declarator.parent is None:
        return None
    target = declarator.child_by_field_name("name")
    if target is not None and target.type == "identifier":
        return syntax.text(target), declarator.parent
    row = next((local for local, key in pattern_bindings(target).items() if key == "data"), None)
    return (row, declarator.parent) if row is not None else None


def _returns_when_found(stmt: Node, row: str) -> bool:
    """`if (existing) return ...` or `if (order.status === 'paid') return ...` (not `if (!order)`)."""
    condition = syntax.unwrap(stmt.child_by_field_name("condition"))
    consequence = stmt.child_by_field_name("consequence")
    if condition is None or consequence is None or condition.type == "unary_expression":
        return False
    uses_row = any(syntax.text(n) == row for n in syntax.descendants_of_type(condition, {"identifier"})) or (
        condition.type == "identifier" and syntax.text(condition) == row)
    returns = consequence.type == "return_statement" or any(
        True for _ in syntax.descendants_of_type(consequence, {"return_statement"}))
    return uses_row and returns


def _side_effect(call: Node) -> str | None:
    parts = syntax.member_call_parts(call)
    if parts is None:
        name = syntax.callee_name(call)
        return f"`{name}()`" if name is not None and _EMAIL_CALL.match(name) else None
    receiver, method = parts
    if method in _WRITES:
        chain = query_chain(call)
        if chain is None or _keyed_on_stripe_ids(call, method):
            return None
        return f"`.{method}()` on `{chain.table}`" if chain.table else f"`.{method}()`"
    if method == "rpc" and syntax.call_arguments(call):
        return f"`.rpc({syntax.text(syntax.call_arguments(call)[0])})`"
    if _is_stripe_write(call, receiver, method):
        return f"`{syntax.text(call.child_by_field_name('function'))}()`"
    if method in ("sendMail", "sendEmail") or (method == "send" and syntax.text(receiver).endswith("emails")):
        return f"`{syntax.text(call.child_by_field_name('function'))}()`"
    return None


def _is_stripe_write(call: Node, receiver: Node, method: str) -> bool:
    if method in _STRIPE_READS or receiver.type != "member_expression":
        return False
    root = receiver
    path: list[str] = []
    while root.type == "member_expression":
        path.append(syntax.text(root.child_by_field_name("property")))
        obj = root.child_by_field_name("object")
        if obj is None:
            return False
        root = obj
    if root.type != "identifier" or not _STRIPE_CLIENT.match(syntax.text(root)) or "webhooks" in path:
        return False
    return not any(_has_key(arg, "idempotencyKey") for arg in syntax.call_arguments(call))


def _keyed_on_stripe_ids(call: Node, method: str) -> bool:
    """Writes whose replay converges to the same rows: upserts keyed on a conflict target or a
    Stripe object id, deletes, and updates that set fixed values (supabase-js cannot increment,
    so only a value computed from an earlier read, `credits: profile.credits + 100`, drifts)."""
    args = syntax.call_arguments(call)
    if method == "upsert":
        if len(args) > 1 and _has_key(args[1], "onConflict"):
            return True
        return bool(args) and _row_keyed_by_id(args[0])
    if method == "delete":
        return True
    if method == "update":
        return bool(args) and not _computed(args[0])
    return False


def _computed(values: Node) -> bool:
    """Arithmetic on a value read from the database earlier (or `++`): the row moves on every replay."""
    for node in syntax.descendants_of_type(values, {"binary_expression", "update_expression"}):
        if node.type == "update_expression":
            return True
        if syntax.text(node.child_by_field_name("operator")) in ("+", "-", "*") and any(
            _read_from_database(ident) for ident in syntax.descendants_of_type(node, {"identifier"})
        ):
            return True
    return False


def _read_from_database(identifier: Node) -> bool:
    declaration = declaration_of(identifier)
    if declaration is None or declaration.type != "variable_declarator":
        return False
    value = syntax.unwrap(declaration.child_by_field_name("value"))
    return value is not None and value.type == "call_expression" and query_chain(value) is not None


def _row_keyed_by_id(rows: Node) -> bool:
    """`{ id: subscription.id, ... }`: the primary key comes from the Stripe object."""
    for pair in syntax.descendants_of_type(rows, {"pair"}):
        key = syntax.text(pair.child_by_field_name("key"))
        value = syntax.unwrap(pair.child_by_field_name("value"))
        if key == "id" and value is not None and value.type == "member_expression":
            return True
    return False


def _has_key(node: Node, key: str) -> bool:
    if node.type != "object":
        return False
    for child in node.named_children:
        name = child.child_by_field_name("key") if child.type == "pair" else child
        if child.type in ("pair", "shorthand_property_identifier") and syntax.text(name) == key:
            return True
    return False


def _chain_methods(call: Node) -> set[str]:
    """Every method called along the builder chain the call belongs to."""
    return {method for _, method, _ in _chain(call)}


def _filter_columns(call: Node) -> list[str]:
    columns: list[str] = []
    for _, method, args in _chain(call):
        if method in ("eq", "match", "in") and args:
            column = syntax.string_value(args[0])
            if column is not None:
                columns.append(column)
            elif args[0].type == "object":
                columns += [syntax.text(p.child_by_field_name("key")) for p in args[0].named_children
                            if p.type == "pair"]
    return columns


def _chain(call: Node) -> Iterator[tuple[Node, str, list[Node]]]:
    """(call, method, args) for the calls chained before and after `call`."""
    top = call
    while (
        top.parent is not None and top.parent.type == "member_expression"
        and top.parent.parent is not None and top.parent.parent.type == "call_expression"
    ):
        top = top.parent.parent
    node: Node | None = top
    while node is not None and node.type == "call_expression":
        parts = syntax.member_call_parts(node)
        if parts is None:
            return
        yield node, parts[1], syntax.call_arguments(node)
        node = parts[0]
