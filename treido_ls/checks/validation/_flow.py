"""What the validation rules share: entry points (server actions, route handlers), their taint, and sinks.

A sink is where unvalidated input does harm: a data write (`.insert/.update/.upsert` values, the filters of
an `.update()`/`.delete()` chain), `.rpc()` arguments, a Stripe call that changes something, a redirect
target, or any call on the service-role client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks._auth import callee_facts, has_use_server, is_stripe_call
from treido_ls.checks._scope import assigned_values, declaration_of
from treido_ls.checks._supabase import chain_methods, query_chain
from treido_ls.checks._taint import Source, Taint
from treido_ls.context import FileContext
from treido_ls.workspace import fnscan

FUNCTIONS = "[(function_declaration) (function_expression) (arrow_function)] @fn"
CALLS = "(call_expression) @call"
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})

WRITES = frozenset({"insert", "update", "upsert"})
_FILTERS = frozenset({"eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "is", "in", "match", "contains",
                      "containedBy", "filter", "or", "not", "overlaps", "textSearch", "likeAnyOf", "ilikeAnyOf"})
# Stripe methods that only read: retrieving by an id the client sent is an authorisation question.
_STRIPE_READS = re.compile(r"^(retrieve|list|search)")
_AUTH_CALLS_NOT_SINKS = frozenset({"exchangeCodeForSession", "verifyOtp", "getUser", "getClaims"})
_REDIRECTS = frozenset({"redirect", "permanentRedirect"})
# A redirect whose fixed prefix already names a path on this site cannot be turned into an open redirect.
_SERVICE_KEY = re.compile(r"(?i)service_?role")
_SAFE_PREFIX = re.compile(r"^(/[^/\\]|[a-zA-Z][a-zA-Z0-9+.-]*://[^/]+/|\x00/)|[?#]")


@dataclass(frozen=True, slots=True)
class Entry:
    fn: Node
    name: str
    name_node: Node


@dataclass(frozen=True, slots=True)
class Sink:
    call: Node
    label: str  # for messages: "`.insert()`"
    args: tuple[Node, ...]
    redirect: bool = False


@dataclass(frozen=True, slots=True)
class Hit:
    """Untrusted input (`sources`) reaching a sink at `node`, a part of one of its arguments."""

    sink: Sink
    node: Node
    sources: frozenset[Source]


def actions(ctx: FileContext) -> Iterator[Entry]:
    """Exported async functions of a 'use server' module, and functions with their own 'use server'."""
    seen: set[int] = set()
    if ctx.is_kind("server-action"):
        for info in ctx.exported_functions():
            if info.is_async:
                seen.add(info.node.id)
                yield Entry(info.node, info.name, info.name_node)
    if b"use server" not in ctx.source:
        return
    for fn in ctx.captures(FUNCTIONS).get("fn", []):
        if fn.id not in seen and has_use_server(fn):
            yield Entry(fn, *syntax.function_name(fn))


def route_handlers(ctx: FileContext) -> Iterator[Entry]:
    """Exported functions of a route handler file (`GET`, `POST`, ... or a Pages API handler)."""
    if not ctx.is_kind("route-handler"):
        return
    for info in ctx.exported_functions():
        yield Entry(info.node, info.name, info.name_node)


def action_taint(ctx: FileContext, fn: Node) -> Taint:
    return Taint.for_action(fn, validators=ctx.project.config.project.validators, imports=_modules(ctx))


def handler_taint(ctx: FileContext, entry: Entry) -> Taint:
    return Taint.for_route_handler(entry.fn, validators=ctx.project.config.project.validators,
                                   imports=_modules(ctx), route_params=entry.name in HTTP_METHODS)


def _modules(ctx: FileContext) -> dict[str, str]:
    return {local: binding.module for local, binding in ctx.imports.items()}


def may_have_sinks(ctx: FileContext) -> bool:
    """Cheap byte test before any tree work."""
    source = ctx.source
    return any(word in source for word in (b".insert(", b".update(", b".upsert(", b".delete(", b".rpc(",
                                           b"edirect(", b"stripe", b"Stripe", b"dmin"))


# -- sinks ---------------------------------------------------------------------------------------------


def hits(ctx: FileContext, fn: Node, taint: Taint) -> Iterator[Hit]:
    """Every part of a sink argument in `fn` (nested callbacks included) that carries untrusted input."""
    body = fn.child_by_field_name("body")
    if body is None:
        return
    admin_cache: dict[str, bool] = {}
    for call in ctx.descendants(body, "call_expression"):
        sink = sink_of(ctx, call, admin_cache)
        if sink is None:
            continue
        for arg in sink.args:
            parts = _redirect_parts(taint, arg) if sink.redirect else list(taint.occurrences(arg))
            for node, found in parts:
                yield Hit(sink, node, found)


def sink_of(ctx: FileContext, call: Node, admin_cache: dict[str, bool] | None = None) -> Sink | None:
    args = tuple(syntax.call_arguments(call))
    if not args:
        return None
    parts = syntax.member_call_parts(call)
    if parts is None:
        return _redirect_sink(ctx, call, args)
    receiver, method = parts
    if method in WRITES and query_chain(call) is not None:
        return Sink(call, f"`.{method}()`", args)
    if method in _FILTERS:
        write = _write_of_chain(call)
        if write is not None:
            return Sink(call, f"the `.{method}()` filter of a `.{write}()`", args)
    if method == "rpc" and _rpc_receiver(receiver):
        label = syntax.text(args[0]) if len(syntax.text(args[0])) <= 40 else "..."
        return Sink(call, f"`.rpc({label})`", args)
    if method == "redirect" and syntax.text(receiver) in ("NextResponse", "Response"):
        return Sink(call, f"`{syntax.text(receiver)}.redirect()`", args[:1], redirect=True)
    if _stripe_write(ctx, call):
        return Sink(call, f"the Stripe call `{_stripe_path(call)}()`", args)
    if method not in _AUTH_CALLS_NOT_SINKS and _on_admin_client(ctx, receiver, admin_cache or {}):
        return Sink(call, f"the service-role client's `.{method}()`", args)
    return None


def _redirect_sink(ctx: FileContext, call: Node, args: tuple[Node, ...]) -> Sink | None:
    function = call.child_by_field_name("function")
    if function is None or function.type != "identifier":
        return None
    binding = ctx.imports.get(syntax.text(function))
    if binding is None or binding.module != "next/navigation" or binding.name not in _REDIRECTS:
        return None
    return Sink(call, f"`{binding.name}()`", args[:1], redirect=True)


def _write_of_chain(call: Node) -> str | None:
    """`update`/`delete` when this filter narrows a write (`.delete().eq('id', id)`), else None."""
    links = chain_methods(call)
    if query_chain(call) is None:
        return None
    for method, _ in links[1:]:
        if method in ("update", "delete"):
            return method
        if method in ("select", "from"):
            return None
    return None


def _rpc_receiver(receiver: Node) -> bool:
    if receiver.type == "member_expression":
        return syntax.text(receiver.child_by_field_name("property")) != "auth"
    return receiver.type in ("identifier", "call_expression", "await_expression", "parenthesized_expression")


def _stripe_write(ctx: FileContext, call: Node) -> bool:
    """A Stripe API call that is not a read (`retrieve`, `list`, `search`)."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return False
    if _STRIPE_READS.match(syntax.text(function.child_by_field_name("property"))):
        return False
    return is_stripe_call(ctx, call)


def _stripe_path(call: Node) -> str:
    function = call.child_by_field_name("function")
    text = syntax.text(function)
    return text if len(text) <= 50 else "..."


def _on_admin_client(ctx: FileContext, receiver: Node, cache: dict[str, bool]) -> bool:
    """Is this call chained on the service-role client (a factory call, a variable holding one, or an
    imported module-level client)?"""
    root = _chain_root(receiver)
    if root is None:
        return False
    if root.type == "call_expression":
        return _creates_admin(ctx, root)
    name = syntax.text(root)
    if name not in cache:
        cache[name] = _admin_name(ctx, root)
    return cache[name]


def _chain_root(node: Node) -> Node | None:
    current = syntax.unwrap(node)
    while current is not None:
        if current.type == "identifier":
            return current
        if current.type == "member_expression":
            current = syntax.unwrap(current.child_by_field_name("object"))
        elif current.type == "call_expression":
            function = syntax.unwrap(current.child_by_field_name("function"))
            if function is None or function.type != "member_expression":
                return current  # `createAdminClient().from(...)`
            current = syntax.unwrap(function.child_by_field_name("object"))
        else:
            return None
    return None


def _admin_name(ctx: FileContext, ident: Node) -> bool:
    if declaration_of(ident) is not None:
        return any(_creates_admin(ctx, value) for value in assigned_values(ident))
    if syntax.text(ident) in ctx.imports:
        facts = ctx.project.symbols.call_facts(ctx.project.root / ctx.path, ctx.imports, syntax.text(ident))
        return facts is not None and facts.is_admin_client and facts.is_value
    return False


def _creates_admin(ctx: FileContext, value: Node) -> bool:
    call = syntax.unwrap(value)
    if call is None or call.type != "call_expression" or fnscan.callee_key(call) is None:
        return False
    key = fnscan.callee_key(call) or ""
    if key.rpartition(".")[2] in ctx.project.config.project.admin_clients:
        return True
    if any(_SERVICE_KEY.search(syntax.text(arg)) for arg in syntax.call_arguments(call)):
        return True  # `createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY!)` right here
    facts = callee_facts(ctx, call)
    return facts is not None and facts.is_admin_client and not facts.is_value


# -- redirect targets ----------------------------------------------------------------------------------


def _redirect_parts(taint: Taint, arg: Node) -> list[tuple[Node, frozenset[Source]]]:
    """Untrusted parts that decide where a redirect goes: those before a fixed path on this site."""
    prefix = ""
    for part in _url_parts(arg):
        if isinstance(part, str):
            prefix += part
            continue
        found = taint.sources(part)
        if not found:
            prefix += "\x00"  # a trusted value (an origin, a constant): opaque
            continue
        if _SAFE_PREFIX.search(prefix):
            return []
        return list(taint.occurrences(part)) or [(part, found)]
    return []


def _url_parts(arg: Node) -> list[str | Node]:
    """A URL expression as fixed text and expressions: `${origin}/orders/${id}` -> [origin, '/orders/', id].

    With an explicit stack: `a + b + c + ...` nests as deep as the chain is long."""
    parts: list[str | Node] = []
    stack: list[Node | None] = [arg]
    while stack:
        node = syntax.unwrap(stack.pop())
        if node is None:
            continue
        if node.type == "template_string":
            for child in node.named_children:
                if child.type == "template_substitution" and child.named_children:
                    parts.append(child.named_children[0])
                elif child.type in ("string_fragment", "escape_sequence"):
                    parts.append(syntax.text(child))
        elif node.type == "string":
            parts.append(syntax.string_value(node) or "")
        elif node.type == "binary_expression" and syntax.text(node.child_by_field_name("operator")) == "+":
            stack += [node.child_by_field_name("right"), node.child_by_field_name("left")]
        elif node.type == "new_expression" and syntax.text(node.child_by_field_name("constructor")) == "URL":
            args_node = node.child_by_field_name("arguments")
            stack.append(next((c for c in args_node.named_children if c.type != "comment"), None)
                         if args_node else None)
        else:
            parts.append(node)
    return parts
