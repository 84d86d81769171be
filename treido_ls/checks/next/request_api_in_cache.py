"""next/request-api-in-cache: request-bound APIs (cookies, headers, auth, the cookie-bound client) in a cache."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._cache import (
    CachedScope,
    cache_directive_functions,
    called_functions,
    local_functions,
    unstable_cache_callbacks,
)
from treido_ls.checks._next import is_next_api
from treido_ls.context import FileContext
from treido_ls.model import Related, Violation
from treido_ls.workspace import fnscan

REQUEST_APIS = ("cookies", "headers", "draftMode")
AUTH_METHODS = frozenset({"getUser", "getClaims"})
SERVER_CLIENT_NAMES = frozenset({"createClient", "createServerClient"})


@dataclass
class _Search:
    """Per-file state: same-file functions and what each one reaches (memoised)."""

    ctx: FileContext
    functions: dict[str, Node]
    cached_fns: set[int]
    reaches: dict[int, tuple[str, Node] | None] = field(default_factory=dict)


@check("next/request-api-in-cache")
def request_api_in_cache(ctx: FileContext) -> Iterator[Violation]:
    scopes = cache_directive_functions(ctx) + unstable_cache_callbacks(ctx)
    scopes = [scope for scope in scopes if not scope.is_private]
    if not scopes:
        return
    search = _Search(ctx, local_functions(ctx), {scope.fn.id for scope in scopes})
    for scope in scopes:
        yield from _scope_violations(search, scope)


def _scope_violations(search: _Search, scope: CachedScope) -> Iterator[Violation]:
    ctx = search.ctx
    where = ("an `unstable_cache` callback" if scope.directive == "unstable_cache"
             else f"cached function `{scope.name}` ('{scope.directive}')")
    body = scope.fn.child_by_field_name("body")
    if body is None:
        return
    for call in syntax.descendants_of_type(body, {"call_expression"}):
        what = _request_api(ctx, call) or _imported_request_api(ctx, call)
        if what is not None:
            yield Violation(call.start_byte, call.end_byte, ctx.message(what=what, where=where))
    for call, target in called_functions(body, search.functions):
        if target.id == scope.fn.id or target.id in search.cached_fns:
            continue
        found = _reaches(search, target, set())
        if found is None:
            continue
        inner_what, inner = found
        callee = syntax.text(call.child_by_field_name("function"))
        yield Violation(
            call.start_byte, call.end_byte,
            ctx.message(what=f"`{callee}()` (which calls {inner_what})", where=where),
            related=[Related(ctx.path, inner.start_byte, inner.end_byte, f"{inner_what} is called here")],
        )


_MAX_HELPER_DEPTH = 100


def _reaches(search: _Search, fn: Node, visiting: set[int], depth: int = 0) -> tuple[str, Node] | None:
    """The first request API `fn` calls, directly or through same-file functions.

    Helper chains deeper than _MAX_HELPER_DEPTH count as not reaching one (no finding rather than
    a RecursionError on generated code)."""
    if fn.id in search.reaches:
        return search.reaches[fn.id]
    if fn.id in visiting or depth >= _MAX_HELPER_DEPTH:
        return None
    visiting.add(fn.id)
    result: tuple[str, Node] | None = None
    body = fn.child_by_field_name("body")
    if body is not None:
        result = next(((what, call) for call in syntax.descendants_of_type(body, {"call_expression"})
                       if (what := _request_api(search.ctx, call) or _imported_request_api(search.ctx, call))
                       is not None), None)
        if result is None:
            for _, target in called_functions(body, search.functions):
                if target.id not in search.cached_fns and (result := _reaches(search, target, visiting, depth + 1)):
                    break
    search.reaches[fn.id] = result
    return result


def _request_api(ctx: FileContext, call: Node) -> str | None:
    """A label for a call that reads the incoming request, or None."""
    for name in REQUEST_APIS:
        if is_next_api(ctx, call, name, ("next/headers",)):
            return f"`{name}()`"
    parts = syntax.member_call_parts(call)
    if parts is not None:
        receiver, method = parts
        if method in AUTH_METHODS and receiver.type == "member_expression" and \
                syntax.text(receiver.child_by_field_name("property")) == "auth":
            return f"`auth.{method}()`"
        return None
    function = call.child_by_field_name("function")
    if function is not None and function.type == "identifier" and _is_server_client_factory(ctx, syntax.text(function)):
        return f"`{syntax.text(function)}()` (the cookie-bound Supabase server client)"
    return None


def _imported_request_api(ctx: FileContext, call: Node) -> str | None:
    """A project function from another file that creates the cookie-bound client or reads the user."""
    key = fnscan.callee_key(call)
    if key is None or key.partition(".")[0] not in ctx.imports:
        return None
    path = ctx.project.root / ctx.path
    symbols = ctx.project.symbols
    symbols.summary(path, ctx.source)  # the text being linted wins over the file on disk
    facts = symbols.call_facts(path, ctx.imports, key)
    if facts is None:
        return None
    if facts.is_server_client_factory:
        return f"`{key}()` (a cookie-bound Supabase server client factory)"
    if facts.reads_user:
        return f"`{key}()` (which reads the signed-in user)"
    return None


def _is_server_client_factory(ctx: FileContext, local: str) -> bool:
    binding = ctx.imports.get(local)
    configured = ctx.project.config.project.server_client_factories
    if binding is None:
        return False
    if local in configured or binding.name in configured:
        return True
    module = binding.module.rstrip("/")
    return binding.name in SERVER_CLIENT_NAMES and (module.endswith("supabase/server") or module.endswith(
        "supabase/server.ts"))
