"""The project's Next.js middleware (`middleware.ts`, or `proxy.ts` since Next.js 16): which paths it runs
on (`config.matcher`) and where it checks the session.

Matchers are path-to-regexp strings (`/dashboard/:path*`) or regular expressions in a group
(`/((?!_next/static|_next/image|favicon.ico).*)`). A matcher we cannot read counts as covering every
path, as does a middleware without `config` (Next.js then runs it on every request).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.parsing import lang_for_path, parse
from treido_ls.workspace import fnscan

NAMES = ("middleware", "proxy")
_EXTENSIONS = (".ts", ".js", ".mjs", ".tsx", ".jsx")
_PARAM = re.compile(r":([A-Za-z_$][\w$]*)")
_MAX_DEPTH = 3


# -- matchers --------------------------------------------------------------------------------------


def compile_matcher(pattern: str) -> re.Pattern[str] | None:
    """A Next.js matcher string as a regular expression matched against the whole path; None when unreadable."""
    if not pattern.startswith("/"):
        return None
    out: list[str] = []
    i = 0
    try:
        while i < len(pattern):
            prefix = ""
            if pattern[i] == "/" and i + 1 < len(pattern) and pattern[i + 1] in ":(":
                prefix, i = "/", i + 1
            char = pattern[i]
            if char == ":":
                param = _PARAM.match(pattern, i)
                if param is None:
                    return None
                i = param.end()
                body = "[^/]+?"
                if i < len(pattern) and pattern[i] == "(":
                    body, i = _group(pattern, i)
            elif char == "(":
                body, i = _group(pattern, i)
            else:
                out.append(re.escape(char))
                i += 1
                continue
            modifier = pattern[i] if i < len(pattern) and pattern[i] in "*+?" else ""
            i += len(modifier)
            out.append(_token(re.escape(prefix), f"(?:{body})", modifier))
        return re.compile("".join(out))
    except (ValueError, re.error):
        return None


def _token(prefix: str, segment: str, modifier: str) -> str:
    delimiter = prefix or "/"
    if modifier == "?":
        return f"(?:{prefix}{segment})?"
    if modifier == "+":
        return f"{prefix}{segment}(?:{delimiter}{segment})*"
    if modifier == "*":
        return f"(?:{prefix}{segment}(?:{delimiter}{segment})*)?"
    return f"{prefix}{segment}"


def _group(pattern: str, start: int) -> tuple[str, int]:
    """The inside of the balanced group opening at `start`, and the index after it."""
    depth = 0
    i = start
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return pattern[start + 1:i], i + 1
        i += 1
    raise ValueError("unbalanced group")


@dataclass(frozen=True, slots=True)
class Matcher:
    """The paths a middleware runs on; `patterns` None means every path."""

    patterns: tuple[re.Pattern[str], ...] | None

    def covers(self, path: str) -> bool:
        if self.patterns is None:
            return True
        candidates = {path, path.rstrip("/") or "/"}  # Next.js matches `/about/` as `/about`
        return any(p.fullmatch(c) for p in self.patterns for c in candidates)


def read_matcher(root: Node) -> Matcher:
    """`export const config = { matcher: ... }` of a middleware module."""
    value = _config_matcher(root)
    if value is None:
        return Matcher(None)
    strings = _matcher_strings(value, root)
    if strings is None:
        return Matcher(None)
    compiled = [compile_matcher(s) for s in strings]
    if any(c is None for c in compiled):
        return Matcher(None)
    return Matcher(tuple(c for c in compiled if c is not None))


def _config_matcher(root: Node) -> Node | None:
    for name, declared in _top_level_values(root):
        value = syntax.unwrap(declared)
        if name != "config" or value is None or value.type != "object":
            continue
        for pair in value.named_children:
            key = pair.child_by_field_name("key")
            if pair.type == "pair" and key is not None and syntax.text(key).strip("'\"") == "matcher":
                return pair.child_by_field_name("value")
    return None


def _matcher_strings(declared: Node, root: Node) -> list[str] | None:
    value = syntax.unwrap(declared)
    if value is None:
        return None
    single = syntax.string_value(value)
    if single is not None:
        return [single]
    if value.type == "identifier":
        target = dict(_top_level_values(root)).get(syntax.text(value))
        return _matcher_strings(target, root) if target is not None and target.id != value.id else None
    if value.type != "array":
        return None
    found: list[str] = []
    for item in value.named_children:
        if item.type == "comment":
            continue
        text = syntax.string_value(item)
        if text is None and item.type == "object":
            text = next((syntax.string_value(p.child_by_field_name("value")) for p in item.named_children
                         if p.type == "pair" and syntax.text(p.child_by_field_name("key")) == "source"), None)
        if text is None:
            return None
        found.append(text)
    return found


def _top_level_values(root: Node) -> Iterator[tuple[str, Node]]:
    for stmt in root.named_children:
        inner = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else stmt
        if inner is None or inner.type not in ("lexical_declaration", "variable_declaration"):
            continue
        for declarator in inner.named_children:
            name = declarator.child_by_field_name("name")
            value = declarator.child_by_field_name("value")
            if declarator.type == "variable_declarator" and name is not None and value is not None:
                yield syntax.text(name), value


# -- routes ----------------------------------------------------------------------------------------


def route_path(rel_path: str) -> str | None:
    """The URL path a route handler file serves: `app/api/orders/[id]/route.ts` -> `/api/orders/id`."""
    parts = list(PurePosixPath(rel_path).parts)
    if parts and parts[0] == "src":
        parts = parts[1:]
    if len(parts) >= 2 and parts[0] == "app":
        segments = parts[1:-1]
    elif len(parts) >= 2 and parts[0] == "pages":
        segments = [*parts[1:-1], PurePosixPath(parts[-1]).stem]
        if segments[-1] == "index":
            segments.pop()
    else:
        return None
    kept: list[str] = []
    for segment in segments:
        if segment.startswith(("(", "@")) or segment.startswith("[[..."):
            continue  # route groups, parallel slots and optional catch-alls add nothing to the URL
        kept.append(segment.strip("[]").removeprefix("...") if segment.startswith("[") else segment)
    return "/" + "/".join(kept)


# -- the session check -------------------------------------------------------------------------------


class Resolver(Protocol):
    """What the session-check search needs from the symbol index: where a called name is defined."""

    def definition_of(self, path: Path, callee: str) -> tuple[Path, str] | None: ...


@dataclass(frozen=True, slots=True)
class SessionCheck:
    """Where a middleware leaves when there is no session, and for which paths."""

    path: Path
    start: int
    end: int
    line: int  # 1-based
    method: str  # getUser, getClaims or getSession
    include: tuple[str, ...] = ()  # path prefixes the check is limited to (empty: all)
    exclude: tuple[str, ...] = ()  # path prefixes it lets through

    def applies_to(self, path: str) -> bool:
        if self.include and not any(_under(path, p) for p in self.include):
            return False
        return not any(_under(path, p) for p in self.exclude)


def _under(path: str, prefix: str) -> bool:
    if prefix in ("", "/"):
        return path == "/"
    return path.startswith(prefix)


def find_middleware(root: Path) -> Path | None:
    for base in (root, root / "src"):
        for name in NAMES:
            for ext in _EXTENSIONS:
                candidate = base / f"{name}{ext}"
                if candidate.is_file():
                    return candidate
    return None


def parse_file(path: Path, source: bytes | None = None) -> Node | None:
    lang = lang_for_path(path.name)
    if lang is None or not lang.is_script:
        return None
    if source is None:
        try:
            source = path.read_bytes()
        except OSError:
            return None
    return parse(lang, source).root_node


def entry_function(root: Node) -> Node | None:
    """The exported `middleware`/`proxy` function, or the default export."""
    for stmt in root.named_children:
        if stmt.type != "export_statement":
            continue
        declaration = stmt.child_by_field_name("declaration")
        value = stmt.child_by_field_name("value")
        if value is not None and (fn := fnscan.function_value(value)) is not None:
            return fn
        if declaration is None:
            continue
        if declaration.type == "function_declaration":
            name = syntax.text(declaration.child_by_field_name("name"))
            if name in NAMES or any(c.type == "default" for c in stmt.children):
                return declaration
        for declarator in declaration.named_children:
            name_node = declarator.child_by_field_name("name")
            fn = fnscan.function_value(declarator.child_by_field_name("value"))
            if declarator.type == "variable_declarator" and syntax.text(name_node) in NAMES and fn is not None:
                return fn
    return None


def function_named(root: Node, name: str) -> Node | None:
    for stmt in root.named_children:
        inner = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else stmt
        if inner is None:
            continue
        if inner.type == "function_declaration" and syntax.text(inner.child_by_field_name("name")) == name:
            return inner
        if stmt.type == "export_statement" and name == "default" and (value := stmt.child_by_field_name("value")):
            return fnscan.function_value(value)
    for declared, value in _top_level_values(root):
        if declared == name:
            return fnscan.function_value(value)
    return None


def session_check(resolver: Resolver, path: Path, root: Node) -> SessionCheck | None:
    """The middleware's exit when there is no session, in its own code or a helper it calls."""
    fn = entry_function(root)
    return _check_in(resolver, path, root, fn, 0, set()) if fn is not None else None


def _check_in(resolver: Resolver, path: Path, root: Node, fn: Node, depth: int,
              seen: set[tuple[Path, str]]) -> SessionCheck | None:
    for call in fnscan.calls_in(fn):
        method = _session_method(call)
        key = fnscan.callee_key(call)
        if method is None and key is None:
            continue
        found = _exit_after(call, fn, root, path, method or "getUser")
        if found is not None and (method is not None or _returns_user(resolver, path, key)):
            return found
        if method is not None or key is None or depth >= _MAX_DEPTH:
            continue
        target = resolver.definition_of(path, key)
        if target is None or target in seen:
            continue
        seen.add(target)
        target_root = root if target[0] == path else parse_file(target[0])
        target_fn = function_named(target_root, target[1]) if target_root is not None else None
        if target_root is not None and target_fn is not None:
            inner = _check_in(resolver, target[0], target_root, target_fn, depth + 1, seen)
            if inner is not None:
                return inner
    return None


def _returns_user(resolver: Resolver, path: Path, key: str | None) -> bool:
    """A helper whose result the middleware tests (`const { user } = await updateSession(req)`)."""
    if key is None:
        return False
    target = resolver.definition_of(path, key)
    if target is None:
        return False
    target_root = parse_file(target[0])
    fn = function_named(target_root, target[1]) if target_root is not None else None
    return fn is not None and any(_session_method(c) is not None for c in fnscan.calls_in(fn))


def _session_method(call: Node) -> str | None:
    for method in ("getUser", "getClaims", "getSession"):
        if fnscan.is_auth_call(call, method):
            return method
    return None


def _exit_after(call: Node, fn: Node, root: Node, path: Path, method: str) -> SessionCheck | None:
    names = _aliases(fn, fnscan.bound_names(call), call.end_byte)
    if not names:
        return None
    for stmt in sorted(fnscan.own_nodes(fn, frozenset({"if_statement"})), key=lambda n: n.start_byte):
        if stmt.start_byte < call.end_byte:
            continue
        condition = stmt.child_by_field_name("condition")
        consequence = stmt.child_by_field_name("consequence")
        if condition is None or consequence is None:
            continue
        if not (fnscan.tests_absence(condition, names) and fnscan.exits(consequence)):
            continue
        terms = _PathTerms(root, fn, names)
        terms.add(condition, False)
        for outer, negated in _enclosing_conditions(stmt, fn):
            terms.add(outer, negated)
        for early in _early_exits_before(fn, stmt):
            terms.add(early, True)
        return SessionCheck(path, stmt.start_byte, stmt.end_byte, stmt.start_point[0] + 1, method,
                            tuple(terms.include), tuple(terms.exclude))
    return None


def _aliases(fn: Node, names: set[str], after: int) -> set[str]:
    """`const user = data?.claims`: names derived from the bound result count as the result."""
    found = set(names)
    for declarator in fnscan.own_nodes(fn, frozenset({"variable_declarator"})):
        value = declarator.child_by_field_name("value")
        target = declarator.child_by_field_name("name")
        if declarator.start_byte < after or value is None or target is None:
            continue
        if {syntax.text(n) for n in syntax.walk(value) if n.type == "identifier"} & found:
            found |= {syntax.text(n) for n in syntax.walk(target)
                      if n.type in ("identifier", "shorthand_property_identifier_pattern")}
    return found


def _enclosing_conditions(stmt: Node, fn: Node) -> Iterator[tuple[Node, bool]]:
    """Conditions of the `if` statements around `stmt` (negated when it sits in the `else`)."""
    current = stmt
    while current.parent is not None and current != fn:
        parent = current.parent
        if parent.type == "else_clause" and parent.parent is not None and parent.parent.type == "if_statement":
            condition = parent.parent.child_by_field_name("condition")
            if condition is not None:
                yield condition, True
        elif parent.type == "if_statement" and parent.child_by_field_name("consequence") == current:
            condition = parent.child_by_field_name("condition")
            if condition is not None:
                yield condition, False
        current = parent


def _early_exits_before(fn: Node, stmt: Node) -> Iterator[Node]:
    """`if (pathname.startsWith('/api')) return NextResponse.next()` before the check: those paths skip it."""
    for top in fnscan.top_statements(fn):
        if top.start_byte >= stmt.start_byte:
            return
        if top.type != "if_statement" or top.end_byte > stmt.start_byte:
            continue
        condition = top.child_by_field_name("condition")
        consequence = top.child_by_field_name("consequence")
        if condition is not None and consequence is not None and fnscan.exits(consequence):
            yield condition


class _PathTerms:
    """Path prefixes a condition tests (`pathname.startsWith('/dashboard')`, `PROTECTED.some(...)`),
    sorted by whether the check applies to them (include) or lets them through (exclude)."""

    def __init__(self, root: Node, fn: Node, user_names: set[str]) -> None:
        self.root = root
        self.fn = fn
        self.user_names = user_names
        self.include: list[str] = []
        self.exclude: list[str] = []

    def add(self, node: Node, negated: bool, depth: int = 0) -> None:
        for inner in syntax.walk(node):
            value = syntax.string_value(inner) if inner.type in syntax.STRING_TYPES else None
            if value is not None and value.startswith("/"):
                fixed = re.split(r"[{:(*\[]", value, maxsplit=1)[0]  # `/api{/*path}`, `/items/:id`: the fixed prefix
                if fixed == "/" and value != "/":
                    continue  # `/:path*` names no prefix
                (self.exclude if _negated(inner, node) != negated else self.include).append(fixed)
            elif inner.type == "identifier" and depth < 2 and syntax.text(inner) not in self.user_names:
                declared = self._declaration(syntax.text(inner))
                if declared is not None and declared.id != node.id:
                    self.add(declared, _negated(inner, node) != negated, depth + 1)

    def _declaration(self, name: str) -> Node | None:
        for declarator in fnscan.own_nodes(self.fn, frozenset({"variable_declarator"})):
            if syntax.text(declarator.child_by_field_name("name")) == name:
                return declarator.child_by_field_name("value")
        return dict(_top_level_values(self.root)).get(name)


def _negated(node: Node, stop: Node) -> bool:
    """An odd number of `!` / `!==` between `node` and `stop`."""
    flips = 0
    current = node
    while current != stop and current.parent is not None:
        parent = current.parent
        negation = parent.type == "unary_expression" and syntax.text(parent).startswith("!")
        differs = parent.type == "binary_expression" and syntax.text(parent.child_by_field_name("operator")) in (
            "!==", "!=")
        flips += negation or differs
        current = parent
    return flips % 2 == 1
