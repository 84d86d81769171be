"""Recognising Stripe webhook handlers: Stripe-ness of a file, signature verification, the event."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks._scope import assigned_values, declaration_of
from treido_ls.context import FileContext

CALLS = "(call_expression) @call"
# `x.type` compared with a string or switched on: where a handler acts on an event's type.
TYPE_ACCESS = """
(member_expression
  object: (identifier) @event
  property: (property_identifier) @prop (#eq? @prop "type")) @member
"""

_STRIPE_MODULE = re.compile(r"(^|[/:])stripe", re.IGNORECASE)
_STRIPE_HINT = re.compile(rb"(?i)stripe")
_VERIFY_NAME = re.compile(
    r"(?i)(verif\w*(webhook|event|signature|stripe))|((webhook|event|signature|stripe)\w*verif)|(construct\w*event)"
)
# `parseThinEvent` / `parseEventNotification`: the v2 (thin event) API, verified the same way.
VERIFY_METHODS = frozenset({"constructEvent", "constructEventAsync", "parseThinEvent", "parseEventNotification"})
_MAX_HELPER_DEPTH = 3


def may_be_stripe_file(ctx: FileContext) -> bool:
    """Cheap byte test before any query: no 'stripe' anywhere means no Stripe webhook."""
    return _STRIPE_HINT.search(ctx.source) is not None


def imports_stripe(ctx: FileContext) -> bool:
    """The SDK (`stripe`, `npm:stripe@17`, esm.sh) or a project module about Stripe (`@/lib/stripe`)."""
    return any(_STRIPE_MODULE.search(binding.module) for binding in ctx.imports.values())


def reads_signature_header(ctx: FileContext) -> bool:
    return _mentions_signature(ctx.source)


@functools.lru_cache(maxsize=4)
def _mentions_signature(source: bytes) -> bool:
    """Cached per source: asked once per call by the verifier test."""
    return b"stripe-signature" in source.lower()


def is_webhook_handler_file(ctx: FileContext) -> bool:
    """A route handler or Edge Function that reads `stripe-signature` or acts on a Stripe `event.type`."""
    if not ctx.is_kind("route-handler", "edge-function") or not may_be_stripe_file(ctx):
        return False
    return reads_signature_header(ctx) or (imports_stripe(ctx) and any(True for _ in event_type_uses(ctx)))


def event_type_uses(ctx: FileContext) -> Iterator[Node]:
    """`x.type` member expressions compared with or switched on a Stripe-style event type ('a.b')."""
    for member in ctx.captures(TYPE_ACCESS).get("member", []):
        if _compared_with_event_type(member):
            yield member


def _compared_with_event_type(member: Node) -> bool:
    parent = member.parent
    if parent is None:
        return False
    if parent.type == "binary_expression":
        other = parent.child_by_field_name("right")
        if other is member:
            other = parent.child_by_field_name("left")
        return _is_event_type_literal(other)
    if parent.type == "parenthesized_expression" and parent.parent is not None:
        switch = parent.parent
        if switch.type == "switch_statement":
            body = switch.child_by_field_name("body")
            cases = body.named_children if body is not None else []
            return any(_is_event_type_literal(c.child_by_field_name("value")) for c in cases)
    return False


def _is_event_type_literal(node: Node | None) -> bool:
    value = syntax.string_value(node)
    return value is not None and re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", value) is not None


def verifier_calls(ctx: FileContext) -> list[Node]:
    return [call for call in ctx.captures(CALLS).get("call", []) if _is_verifier_call(ctx, call)]


def _is_verifier_call(ctx: FileContext, call: Node, depth: int = 0) -> bool:
    """Does this call verify a Stripe signature? The one place that decides (a cross-file resolver
    will replace the name heuristics for imported helpers)."""
    function = call.child_by_field_name("function")
    if function is None:
        return False
    name = syntax.callee_name(call)
    if function.type == "member_expression" and name in VERIFY_METHODS:
        return True
    configured = ctx.project.config.project.webhook_verifiers
    if name is not None and (name in configured or syntax.text(function) in configured):
        return True
    root = _callee_root(function)
    if root is None:
        return False
    if function.type == "identifier" and depth < _MAX_HELPER_DEPTH:
        local = next((fn for fn in ctx.functions if fn.name == name), None)
        if local is not None and local.body is not None:
            return any(
                _is_verifier_call(ctx, inner, depth + 1)
                for inner in syntax.descendants_of_type(local.body, {"call_expression"})
            )
    if syntax.text(root) not in ctx.imports:
        return False
    return bool(name and _VERIFY_NAME.search(name)) or (reads_signature_header(ctx) and _passes_signature(call))


def _callee_root(function: Node) -> Node | None:
    node: Node | None = function
    while node is not None and node.type == "member_expression":
        node = node.child_by_field_name("object")
    return node if node is not None and node.type == "identifier" else None


def _passes_signature(call: Node) -> bool:
    """An imported helper handed the `stripe-signature` header is trusted to check it."""
    for arg in syntax.call_arguments(call):
        if b"stripe-signature" in (arg.text or b"").lower():
            return True
        if arg.type == "identifier":
            for value in assigned_values(arg):
                if b"stripe-signature" in (value.text or b"").lower():
                    return True
    return False


@dataclass(frozen=True, slots=True)
class RawSource:
    """Where an unverified payload comes from: `await req.json()`, `JSON.parse(...)`, `req.body`."""

    node: Node


def raw_payload_source(value: Node | None, depth: int = 0) -> RawSource | None:
    """The raw request read an expression derives from (following simple variable aliases)."""
    node = syntax.unwrap(value)
    if node is None or depth > 4:
        return None
    if node.type == "call_expression":
        if is_json_read(node):
            return RawSource(_with_await(node))
        if syntax.text(node.child_by_field_name("function")) == "JSON.parse":
            return RawSource(node)
        return None
    if node.type == "member_expression":
        obj = node.child_by_field_name("object")
        if syntax.text(node.child_by_field_name("property")) == "body" and syntax.text(obj) in ("req", "request"):
            return RawSource(node)
        return None
    if node.type == "identifier":
        for assigned in assigned_values(node):
            found = raw_payload_source(assigned, depth + 1)
            if found is not None:
                return found
    return None


def is_json_read(call: Node) -> bool:
    """`req.json()` / `request.json()` on a request object (not a fetch response)."""
    parts = syntax.member_call_parts(call)
    if parts is None or parts[1] != "json" or syntax.call_arguments(call):
        return False
    receiver = syntax.unwrap(parts[0])
    if receiver is None or receiver.type != "identifier":
        return False
    name = syntax.text(receiver)
    if name in ("req", "request"):
        return True
    declaration = declaration_of(receiver)
    return declaration is not None and declaration.type in syntax.FUNCTION_TYPES and name not in ("res", "response")


def _with_await(node: Node) -> Node:
    parent = node.parent
    return parent if parent is not None and parent.type == "await_expression" else node


def verified_event_names(ctx: FileContext, calls: list[Node]) -> set[str]:
    """Variables the verifier calls' results are stored in (`event` by convention)."""
    names: set[str] = set()
    for call in calls:
        node = call
        while node.parent is not None and node.parent.type in (
            "await_expression", "parenthesized_expression", "as_expression", "non_null_expression",
        ):
            node = node.parent
        parent = node.parent
        if parent is None:
            continue
        target = None
        if parent.type == "variable_declarator":
            target = parent.child_by_field_name("name")
        elif parent.type == "assignment_expression":
            target = parent.child_by_field_name("left")
        if target is not None and target.type == "identifier":
            names.add(syntax.text(target))
    return names or {"event"}
