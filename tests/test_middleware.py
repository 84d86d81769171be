"""Middleware facts: matcher parsing, route paths, and where the session is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from treido_ls.parsing import Lang, parse
from treido_ls.workspace import middleware
from treido_ls.workspace.middleware import Matcher, compile_matcher, read_matcher, route_path

NEGATIVE = "/((?!_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|jpg|jpeg|gif|webp)$).*)"


@pytest.mark.parametrize(("pattern", "path", "covered"), [
    ("/dashboard/:path*", "/dashboard", True),
    ("/dashboard/:path*", "/dashboard/a/b", True),
    ("/dashboard/:path*", "/dashboardx", False),
    ("/dashboard/:path*", "/api/dashboard", False),
    ("/api/:path+", "/api", False),
    ("/api/:path+", "/api/orders", True),
    ("/about/:slug?", "/about", True),
    ("/about/:slug", "/about/team", True),
    ("/about/:slug", "/about/team/x", False),
    ("/about", "/about", True),
    ("/about", "/about/", True),
    ("/user/:id(\\d+)", "/user/42", True),
    ("/user/:id(\\d+)", "/user/me", False),
    (NEGATIVE, "/api/orders", True),
    (NEGATIVE, "/_next/static/chunk.js", False),
    (NEGATIVE, "/logo.svg", False),
    ("/((?!api|_next).*)", "/api/orders", False),
    ("/((?!api|_next).*)", "/account", True),
])
def test_matcher(pattern: str, path: str, covered: bool) -> None:
    compiled = compile_matcher(pattern)
    assert compiled is not None
    assert Matcher((compiled,)).covers(path) is covered


@pytest.mark.parametrize("pattern", ["dashboard", "/x/((unbalanced", "/:"])
def test_unreadable_matcher(pattern: str) -> None:
    assert compile_matcher(pattern) is None


def _root(code: str):  # type: ignore[no-untyped-def]
    return parse(Lang.TYPESCRIPT, code.encode()).root_node


def test_read_matcher_forms() -> None:
    assert read_matcher(_root("export function middleware() {}")).patterns is None
    one = read_matcher(_root("export const config = { matcher: '/api/:path*' }"))
    assert one.covers("/api/x") and not one.covers("/account")
    objects = read_matcher(_root("export const config = { matcher: [{ source: '/account/:path*' }] }"))
    assert objects.covers("/account/settings") and not objects.covers("/")
    assert read_matcher(_root("export const config = { matcher: routes() }")).patterns is None
    via_const = read_matcher(_root("const m = ['/a/:p*']\nexport const config = { matcher: m }"))
    assert via_const.covers("/a/b") and not via_const.covers("/b")


@pytest.mark.parametrize(("rel", "route"), [
    ("app/api/orders/route.ts", "/api/orders"),
    ("src/app/api/orders/[id]/route.ts", "/api/orders/id"),
    ("app/(shop)/api/cart/route.ts", "/api/cart"),
    ("app/api/files/[[...path]]/route.ts", "/api/files"),
    ("pages/api/hello.ts", "/api/hello"),
    ("pages/api/users/index.ts", "/api/users"),
    ("lib/x.ts", None),
])
def test_route_path(rel: str, route: str | None) -> None:
    assert route_path(rel) == route


class _NoImports:
    def definition_of(self, path: Path, callee: str) -> tuple[Path, str] | None:
        return None


def test_session_check_prefixes() -> None:
    code = """
const PUBLIC = ['/login', '/auth'];
export async function proxy(request) {
  const { data: { user } } = await supabase.auth.getUser();
  if (request.nextUrl.pathname.startsWith('/api/public')) return NextResponse.next();
  if (!user && !PUBLIC.some((p) => request.nextUrl.pathname.startsWith(p))) {
    return NextResponse.redirect(new URL('/login', request.url));
  }
}
"""
    check = middleware.session_check(_NoImports(), Path("proxy.ts"), _root(code))
    assert check is not None and check.method == "getUser" and check.line == 6
    assert check.applies_to("/api/orders")
    assert not check.applies_to("/login")
    assert not check.applies_to("/api/public/x")


def test_no_exit_means_no_check() -> None:
    code = "export async function middleware(req) { const { data } = await supabase.auth.getUser(); return res }"
    assert middleware.session_check(_NoImports(), Path("middleware.ts"), _root(code)) is None
