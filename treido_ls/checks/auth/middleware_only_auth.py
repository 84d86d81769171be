"""auth/middleware-only-auth: a route handler reaches data with no guard of its own, relying on the session
check of `middleware.ts`/`proxy.ts` (which can be skipped: CVE-2025-29927)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tree_sitter import Node

from treido_ls.checks import check
from treido_ls.checks._admin import clearing_check_before
from treido_ls.checks._auth import (
    DataAccess,
    data_accesses,
    guard_offsets,
    inside_guard_callback,
    inside_user_check,
    user_names,
)
from treido_ls.checks.validation._flow import route_handlers
from treido_ls.context import FileContext
from treido_ls.model import Related, Violation
from treido_ls.workspace import middleware
from treido_ls.workspace.symbols import SymbolIndex


@dataclass(frozen=True, slots=True)
class _Binding:
    module: str
    name: str


class _Resolver:
    """Where a name called in a middleware (or a helper of it) is defined, through the symbol index."""

    def __init__(self, symbols: SymbolIndex) -> None:
        self.symbols = symbols

    def definition_of(self, path: Path, callee: str) -> tuple[Path, str] | None:
        summary = self.symbols.summary(path)
        if summary is None:
            return None
        imports = {local: _Binding(*target) for local, target in summary.imports.items()}
        facts = self.symbols.call_facts(path, imports, callee)
        return (facts.path, facts.name) if facts is not None else None


@check("auth/middleware-only-auth")
def middleware_only_auth(ctx: FileContext) -> Iterator[Violation]:
    if not ctx.is_kind("route-handler"):
        return
    route = middleware.route_path(ctx.path)
    if route is None:
        return
    unguarded = [(entry, access) for entry in route_handlers(ctx)
                 if (access := _unguarded_access(ctx, entry.fn)) is not None]
    if not unguarded:
        return
    found = _middleware_check(ctx, route)
    if found is None:
        return
    session, where = found
    for entry, access in unguarded:
        message = ctx.message(name=entry.name, what=access.what, where=where, method=session.method)
        related = [Related(_relative(ctx, session.path), session.start, session.end,
                           "the only session check on this route: middleware can be skipped")]
        yield Violation(entry.name_node.start_byte, entry.name_node.end_byte, message, related=related)


def _unguarded_access(ctx: FileContext, fn: Node) -> DataAccess | None:
    """The first data access no guard of the handler's own covers (the auth/missing-getuser-guard logic,
    plus webhook signatures and shared secrets, which make a route public on purpose)."""
    accesses = data_accesses(ctx, fn)
    if not accesses:
        return None
    offsets = guard_offsets(ctx, fn)
    names: set[str] | None = None
    for access in accesses:
        at = access.node.start_byte
        if any(offset <= at for offset in offsets) or inside_guard_callback(ctx, access.node, fn):
            continue
        if names is None:
            names = user_names(ctx, fn)
        if names and inside_user_check(access.node, fn, names):
            continue
        if clearing_check_before(ctx, fn, at):
            return None
        return access
    return None


def _middleware_check(ctx: FileContext, route: str) -> tuple[middleware.SessionCheck, str] | None:
    """The middleware's session check when its matcher and conditions cover `route`."""
    root_dir = ctx.project.root
    path = middleware.find_middleware(root_dir)
    if path is None:
        return None
    tree = middleware.parse_file(path)
    if tree is None or not middleware.read_matcher(tree).covers(route):
        return None
    session = middleware.session_check(_Resolver(ctx.project.symbols), path.resolve(), tree)
    if session is None or not session.applies_to(route):
        return None
    return session, f"{_relative(ctx, session.path)}:{session.line}"


def _relative(ctx: FileContext, path: Path) -> str:
    try:
        return path.relative_to(ctx.project.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
