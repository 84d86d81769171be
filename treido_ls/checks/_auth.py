"""Auth facts for the checks: guards (same file, imported at any depth, config names), user checks,
data access, and which code runs on the server. Cross-file answers come from `ctx.project.symbols`."""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.context import FileContext, function_directives
from treido_ls.workspace import fnscan
from treido_ls.workspace.symbols import FunctionFacts

# Receivers whose `.from()` is not Supabase's.
_NOT_SUPABASE = frozenset({"Array", "Buffer", "Object", "Uint8Array", "Promise", "Set", "Map", "Iterator", "Date",
                           "Readable", "ReadableStream", "Observable", "Temporal", "Rx", "dayjs", "moment"})
# An import we cannot read (a file outside the checkout) still guards when its name says so.
_GUARD_NAME = re.compile(r"^(require|ensure|assert|verify|protect|guard|enforce)_?(Auth|User|Admin|Session|Login|"
                         r"SignedIn|Authenticated|Role)|^(getUserOrRedirect|getUserOrThrow|authGuard|withAuth)$")
_USER_NAME = re.compile(r"^(get|fetch|load|read)?(Current|Session|Auth|Authenticated|Verified|SignedIn|LoggedIn)?"
                        r"(User|Claims|Viewer)$", re.IGNORECASE)
_SERVER_MODULES = frozenset({"next/headers", "server-only", "next/server"})
SERVER_KINDS = ("server-action", "route-handler", "server-component", "page", "layout", "middleware", "edge-function")


@dataclass(frozen=True, slots=True)
class DataAccess:
    node: Node  # the call that reads or writes
    what: str  # for messages: "`.from('orders')`"
    client: Node | None  # the Supabase client identifier it is called on, when there is one


@functools.lru_cache(maxsize=256)
def _joined(root: Path, rel: str) -> Path:
    return root / rel


def abs_path(ctx: FileContext) -> Path:
    return _joined(ctx.project.root, ctx.path)


@dataclass(slots=True)
class _FileFacts:
    """Answers for the file being linted, kept for the last FileContext only (rules run one file at a time)."""

    ctx: FileContext
    callees: dict[str, FunctionFacts | None]
    local_names: frozenset[str]
    calls: list[Node]  # every call in the file, in source order (one query instead of tree walks)
    starts: list[int]


_last: list[_FileFacts] = []
ALL_CALLS = "(call_expression) @call"


def _file_facts(ctx: FileContext) -> _FileFacts:
    current = _last[0] if _last else None
    if current is None or current.ctx is not ctx:
        ctx.project.symbols.summary(abs_path(ctx), ctx.source)  # the text being linted wins over disk
        calls = sorted(ctx.captures(ALL_CALLS).get("call", []), key=lambda n: n.start_byte)
        current = _FileFacts(ctx, {}, frozenset(fn.name for fn in ctx.functions), calls,
                             [c.start_byte for c in calls])
        _last[:] = [current]
    return current


def calls_within(ctx: FileContext, node: Node, own: bool = False) -> list[Node]:
    """Calls inside `node` in source order; with `own`, not those of nested functions."""
    facts = _file_facts(ctx)
    lo = bisect.bisect_left(facts.starts, node.start_byte)
    hi = bisect.bisect_left(facts.starts, node.end_byte)
    found = facts.calls[lo:hi]
    if own:
        nested = _nested_functions(node)
        found = [c for c in found if not _inside_any(c, nested)]
    return found


def _nested_functions(node: Node) -> list[tuple[int, int]]:
    """Byte ranges of the functions inside `node` (not `node` itself), outermost only, sorted.

    Computed top-down from one query: asking each call for its enclosing function walks `.parent`,
    which tree-sitter answers by descending from the root (quadratic on deeply nested code)."""
    ranges: list[tuple[int, int]] = []
    for fn in syntax.descendants_of_type(node, syntax.FUNCTION_TYPES):
        if fn.start_byte == node.start_byte and fn.end_byte == node.end_byte:
            continue
        if ranges and fn.end_byte <= ranges[-1][1]:
            continue  # inside an outer nested function already listed
        ranges.append((fn.start_byte, fn.end_byte))
    return ranges


def _inside_any(call: Node, ranges: list[tuple[int, int]]) -> bool:
    index = bisect.bisect_right(ranges, (call.start_byte, float("inf"))) - 1
    return index >= 0 and ranges[index][0] <= call.start_byte and call.end_byte <= ranges[index][1]


def callee_facts(ctx: FileContext, call: Node) -> FunctionFacts | None:
    """What a call's callee is in the project: a function of this file, or where its import leads."""
    key = fnscan.callee_key(call)
    if key is None:
        return None
    file_facts = _file_facts(ctx)
    cache, local_names = file_facts.callees, file_facts.local_names
    if key in cache:
        return cache[key]
    head = key.partition(".")[0]
    binding = ctx.imports.get(head)
    if binding is None and key not in local_names:
        facts = None  # not a project function: a method, a global, a parameter
    elif binding is not None and not _project_module(binding.module):
        facts = None  # a package: its code is not ours to read
    else:
        facts = ctx.project.symbols.call_facts(abs_path(ctx), ctx.imports, key)
    cache[key] = facts
    return facts


def _project_module(module: str) -> bool:
    """Relative imports and the usual aliases; other specifiers may still be tsconfig paths."""
    return not module.startswith(("next/", "react", "@supabase/", "stripe", "zod", "node:")) and module not in (
        "next", "server-only", "client-only")


def _config_hit(ctx: FileContext, call: Node, names: list[str]) -> bool:
    if not names:
        return False
    key = fnscan.callee_key(call)
    if key is None:
        return False
    local = key.rpartition(".")[2]
    binding = ctx.imports.get(key.partition(".")[0])
    imported = binding.name if binding is not None and binding.name not in ("*", "default") else local
    return local in names or imported in names


def guard_call(ctx: FileContext, call: Node) -> bool:
    """Is this call a guard: a project function that verifies the user and leaves without one (at any
    import depth), a config `authGuards`/`adminGuards` name, or an unreadable import named like a guard."""
    settings = ctx.project.config.project
    if _config_hit(ctx, call, [*settings.auth_guards, *settings.admin_guards]):
        return True
    facts = callee_facts(ctx, call)
    if facts is not None:
        return facts.is_guard
    return _unresolved_guard_name(ctx, call)


def _unresolved_guard_name(ctx: FileContext, call: Node, pattern: re.Pattern[str] = _GUARD_NAME) -> bool:
    key = fnscan.callee_key(call)
    if key is None:
        return False
    binding = ctx.imports.get(key.partition(".")[0])
    if binding is None or not _project_module(binding.module):
        return False
    if ctx.project.symbols.resolve(abs_path(ctx), binding.module) is not None:
        return False  # we read it and it does not guard
    name = key.rpartition(".")[2] if "." in key else (binding.name if binding.name != "default" else key)
    return pattern.search(name) is not None


def user_source_call(ctx: FileContext, call: Node) -> bool:
    """`auth.getUser()`/`getClaims()`, or a project function returning the verified user."""
    if fnscan.is_auth_verify_call(call):
        return True
    facts = callee_facts(ctx, call)
    if facts is not None:
        return facts.reads_user or facts.is_guard
    return _unresolved_guard_name(ctx, call, _USER_NAME)


def is_auth_verification(ctx: FileContext, node: Node) -> bool:
    """A call that verifies the user: `auth.getUser()`/`getClaims()` or a guard."""
    return node.type == "call_expression" and (fnscan.is_auth_verify_call(node) or guard_call(ctx, node))


def guard_offsets(ctx: FileContext, fn: Node) -> list[int]:
    """Byte offsets in `fn` after which every path has verified the user."""
    offsets: list[int] = []
    for call in calls_within(ctx, fn, own=True):
        if fnscan.is_auth_verify_call(call) or user_source_call(ctx, call):
            check = fnscan.exiting_check_after(call, fn, fnscan.bound_names(call))
            if check is not None:
                offsets.append(check.end_byte)
                continue
            fallback = _exit_fallback(call)
            if fallback is not None and fnscan.unconditional(fallback, fn):
                offsets.append(fallback.end_byte)
                continue
        if fnscan.callee_key(call) is not None and fnscan.unconditional(call, fn) and guard_call(ctx, call):
            offsets.append(call.end_byte)
    return sorted(offsets)


def _exit_fallback(call: Node) -> Node | None:
    """`(await getUser()).data.user ?? redirect('/login')`: the user, or leave."""
    node = call
    while node.parent is not None and node.parent.type in (
            "await_expression", "parenthesized_expression", "member_expression", "non_null_expression"):
        node = node.parent
    parent = node.parent
    if parent is None or parent.type != "binary_expression" or parent.child_by_field_name("left") != node:
        return None
    if syntax.text(parent.child_by_field_name("operator")) not in ("??", "||"):
        return None
    right = syntax.unwrap(parent.child_by_field_name("right"))
    if right is not None and right.type == "call_expression" and syntax.callee_name(right) in fnscan.EXIT_CALLS:
        return parent
    return None


def inside_guard_callback(ctx: FileContext, node: Node, fn: Node) -> bool:
    """`withUser(async (user) => { ...node... })`: the guard runs the callback only for a signed-in user."""
    current = node.parent
    while current is not None and current != fn:
        parent = current.parent
        if current.type in syntax.FUNCTION_TYPES and parent is not None and parent.type == "arguments":
            call = parent.parent
            if call is not None and call.type == "call_expression" and guard_call(ctx, call):
                return True
        current = parent
    return False


def user_names(ctx: FileContext, fn: Node) -> set[str]:
    """Names bound to the verified user (or the result holding it) inside `fn`."""
    names: set[str] = set()
    for call in calls_within(ctx, fn, own=True):
        if user_source_call(ctx, call):
            names |= fnscan.bound_names(call)
    return names


def inside_user_check(node: Node, fn: Node, names: set[str]) -> bool:
    """`if (user) { ...node... }`: the branch only runs for a signed-in user."""
    current = node
    while current.parent is not None and current != fn:
        parent = current.parent
        if parent.type == "if_statement" and parent.child_by_field_name("consequence") == current:
            condition = parent.child_by_field_name("condition")
            idents = {syntax.text(n) for n in syntax.walk(condition)} if condition is not None else set()
            if idents & names and condition is not None and not fnscan.tests_absence(condition, names):
                return True
        current = parent
    return False


def data_accesses(ctx: FileContext, fn: Node) -> list[DataAccess]:
    """Supabase queries (`.from`, `.rpc`, `.storage`), admin-client calls and Stripe API calls in `fn`."""
    body = fn.child_by_field_name("body")
    if body is None:
        return []
    found: list[DataAccess] = []
    for call in calls_within(ctx, body):
        access = _access(ctx, call)
        if access is not None:
            found.append(access)
    return found


def _access(ctx: FileContext, call: Node) -> DataAccess | None:
    parts = syntax.member_call_parts(call)
    if parts is not None:
        receiver, method = parts
        if method in ("from", "rpc") and _supabase_receiver(receiver):
            args = syntax.call_arguments(call)
            if method == "from" and (len(args) != 1 or args[0].type not in {
                    *syntax.STRING_TYPES, "identifier", "member_expression"}):
                return None
            if not args:
                return None
            label = syntax.text(args[0]) if len(syntax.text(args[0])) <= 40 else "..."
            return DataAccess(call, f"`.{method}({label})`", _root_identifier(receiver))
        if is_stripe_call(ctx, call):
            return DataAccess(call, "a Stripe API call", None)
        root = _root_identifier(receiver)
        if root is not None and syntax.text(root) in ctx.imports and _admin_value(ctx, syntax.text(root)):
            return DataAccess(call, "the service-role client", None)
    facts = callee_facts(ctx, call) if fnscan.callee_key(call) is not None else None
    if (facts is not None and facts.is_admin_client and not facts.is_value) or _config_hit(
            ctx, call, ctx.project.config.project.admin_clients):
        return DataAccess(call, "the service-role client", None)
    return None


def _admin_value(ctx: FileContext, local: str) -> bool:
    """An imported module-level service-role client (`export const supabaseAdmin = createClient(...)`)."""
    if not _project_module(ctx.imports[local].module):
        return False
    facts = ctx.project.symbols.call_facts(abs_path(ctx), ctx.imports, local)
    return facts is not None and facts.is_admin_client and facts.is_value


def _supabase_receiver(receiver: Node) -> bool:
    if receiver.type == "identifier":
        return syntax.text(receiver) not in _NOT_SUPABASE
    if receiver.type == "member_expression":
        prop = syntax.text(receiver.child_by_field_name("property"))
        return prop != "auth" and ".auth." not in syntax.text(receiver) + "."
    return receiver.type in ("call_expression", "await_expression", "parenthesized_expression")


def _root_identifier(node: Node) -> Node | None:
    current: Node | None = node
    while current is not None:
        if current.type == "identifier":
            return current
        if current.type == "member_expression":
            current = current.child_by_field_name("object")
        else:
            return None
    return None


def is_stripe_call(ctx: FileContext, call: Node) -> bool:
    """`stripe.customers.create(...)`: a call two or more members deep on a Stripe client (not `webhooks.*`)."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return False
    root = function.child_by_field_name("object")
    depth = 1
    while root is not None and root.type == "member_expression":
        if syntax.text(root.child_by_field_name("property")) == "webhooks":
            return False
        root = root.child_by_field_name("object")
        depth += 1
    root = syntax.unwrap(root)
    if root is None or depth < 2:
        return False
    if root.type == "identifier":
        return "stripe" in syntax.text(root).lower() and any(
            "stripe" in binding.module.lower() for binding in ctx.imports.values())
    if root.type == "call_expression":
        return "stripe" in (syntax.callee_name(root) or "").lower()
    return False


def is_server_code(ctx: FileContext) -> bool:
    """Code that runs on the server: actions, route handlers, server components, middleware/proxy, or a
    module importing server-only APIs. Never a 'use client' module."""
    if ctx.is_kind("client"):
        return False
    if ctx.is_kind(*SERVER_KINDS):
        return True
    if any(syntax.string_value(stmt.child_by_field_name("source")) in _SERVER_MODULES
           for stmt in ctx.root.named_children if stmt.type == "import_statement"):
        return True
    return any(_server_client_import(ctx, local) for local in ctx.imports)


def _server_client_import(ctx: FileContext, local: str) -> bool:
    """The module imports the cookie-bound server client (or its factory): it runs on the server."""
    binding = ctx.imports[local]
    if binding.module == "@supabase/ssr" and binding.name == "createServerClient":
        return True
    if not _project_module(binding.module):
        return False
    facts = ctx.project.symbols.call_facts(abs_path(ctx), ctx.imports, local)
    return facts is not None and facts.is_server_client_factory


def has_use_server(fn: Node) -> bool:
    return "use server" in function_directives(fn)


# Public names for the admin-client and middleware checks (same behaviour as the private helpers above).
config_hit = _config_hit
project_module = _project_module
