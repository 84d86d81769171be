"""security/service-role-in-client: the service-role key or client where browser code can reach it."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._admin import SERVICE_ROLE
from treido_ls.checks._auth import abs_path, project_module
from treido_ls.context import FileContext
from treido_ls.model import Related, Violation
from treido_ls.workspace.symbols import SymbolIndex

_PUBLIC_SECRET = re.compile(rb"NEXT_PUBLIC_\w*(?:SERVICE_?ROLE|SECRET)\w*", re.IGNORECASE)
_ENV_MEMBERS = """
(member_expression object: (member_expression) @env property: (property_identifier) @name) @ref
(subscript_expression object: (member_expression) @env index: (string) @name) @ref
"""
_USE_SERVER = re.compile(rb"^(?:\s|//[^\n]*\n|/\*.*?\*/)*['\"]use server['\"]", re.DOTALL)
_MAX_MODULES = 400


@dataclass(frozen=True, slots=True)
class _Chain:
    """How an imported module leads to the service-role client: the modules in between, then the client."""

    modules: tuple[Path, ...]
    client: Path
    name: str
    start: int
    end: int


@check("security/service-role-in-client")
def service_role_in_client(ctx: FileContext) -> Iterator[Violation]:
    if b"NEXT_PUBLIC_" in ctx.source:
        yield from _public_secrets(ctx)
    if not ctx.is_kind("client"):
        return
    yield from _service_role_env(ctx)
    yield from _admin_imports(ctx)


def _public_secrets(ctx: FileContext) -> Iterator[Violation]:
    """`NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY` anywhere: Next.js inlines every NEXT_PUBLIC_ value into the bundle."""
    for match in _PUBLIC_SECRET.finditer(ctx.source):
        node = ctx.root.descendant_for_byte_range(match.start(), match.end())
        if node is None or node.type not in ("identifier", "property_identifier", "string_fragment",
                                             "shorthand_property_identifier", "shorthand_property_identifier_pattern"):
            continue
        if node.type == "string_fragment" and syntax.text(node) != match.group().decode():
            continue
        name = match.group().decode()
        what = f"`{name}` is a NEXT_PUBLIC_ variable, so Next.js inlines its value into the browser bundle"
        yield Violation(node.start_byte, node.end_byte, ctx.message(what=what))


def _service_role_env(ctx: FileContext) -> Iterator[Violation]:
    for match in ctx.matches(_ENV_MEMBERS):
        env, name, ref = (next(iter(match.get(key, [])), None) for key in ("env", "name", "ref"))
        if env is None or name is None or ref is None or syntax.text(env) != "process.env":
            continue
        value = syntax.string_value(name) if name.type == "string" else syntax.text(name)
        if value is None or not SERVICE_ROLE.search(value) or value.upper().startswith("NEXT_PUBLIC_"):
            continue
        what = f"`process.env.{value}` is read in a 'use client' module"
        yield Violation(ref.start_byte, ref.end_byte, ctx.message(what=what))


def _admin_imports(ctx: FileContext) -> Iterator[Violation]:
    symbols = ctx.project.symbols
    path = abs_path(ctx)
    symbols.summary(path, ctx.source)
    walked: dict[Path, _Chain | None] = {}
    for statement in ctx.root.named_children:
        if statement.type != "import_statement" or _type_only(statement):
            continue
        source = statement.child_by_field_name("source")
        module = syntax.string_value(source)
        if source is None or module is None or not project_module(module):
            continue
        direct = _direct_admin_import(ctx, statement)
        if direct is not None:
            yield direct
            continue
        target = symbols.resolve(path, module)
        chain = _module_chain(symbols, target, walked) if target is not None else None
        if chain is not None:
            yield _chain_violation(ctx, source, module, chain)


def _type_only(statement: Node) -> bool:
    return any(child.type == "type" for child in statement.children) or syntax.text(statement).startswith(
        "import type")


def _direct_admin_import(ctx: FileContext, statement: Node) -> Violation | None:
    """`import { createAdminClient } from '@/lib/supabase/admin'` in a client module."""
    for local_node in _imported_names(statement):
        facts = ctx.project.symbols.call_facts(abs_path(ctx), ctx.imports, syntax.text(local_node))
        if facts is not None and facts.is_admin_client:
            what = f"the service-role client `{facts.name}` is imported into a 'use client' module"
            related = [Related(_relative(ctx, facts.path), facts.start, facts.end,
                               f"`{facts.name}` uses the service role key")]
            return Violation(local_node.start_byte, local_node.end_byte, ctx.message(what=what), related=related)
    return None


def _imported_names(statement: Node) -> Iterator[Node]:
    """The local names a statement imports as values (not `type` specifiers, not namespaces)."""
    for clause in statement.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                yield part
            elif part.type == "named_imports":
                for spec in part.named_children:
                    local = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                    if spec.type == "import_specifier" and local is not None and not any(
                            c.type == "type" for c in spec.children):
                        yield local


def _module_chain(symbols: SymbolIndex, start: Path, walked: dict[Path, _Chain | None]) -> _Chain | None:
    """Breadth-first over the project modules `start` imports (not crossing into 'use server' modules, whose
    exports reach the client as server references) to one that builds the service-role client."""
    if start in walked:
        return walked[start]
    parents: dict[Path, Path | None] = {start: None}
    queue = deque([start])
    found: _Chain | None = None
    while queue and len(parents) <= _MAX_MODULES and found is None:
        current = queue.popleft()
        summary = symbols.summary(current)
        if summary is None or _is_server_actions(current):
            continue
        admin = next((fn for name in summary.functions if (fn := summary.functions[name]).admin_client), None)
        if admin is not None:
            found = _Chain(_lineage(parents, current), current, admin.name, admin.start, admin.end)
            break
        for module, _name in summary.imports.values():
            if not project_module(module):
                continue
            target = symbols.resolve(current, module)
            if target is not None and target not in parents:
                parents[target] = current
                queue.append(target)
    walked[start] = found
    return found


def _lineage(parents: dict[Path, Path | None], last: Path) -> tuple[Path, ...]:
    chain: list[Path] = []
    node: Path | None = last
    while node is not None:
        chain.append(node)
        node = parents[node]
    return tuple(reversed(chain))


_SERVER_ACTIONS: dict[tuple[Path, int, int], bool] = {}


def _is_server_actions(path: Path) -> bool:
    """A module starting with 'use server' (memoised by modification time: this runs per keystroke)."""
    try:
        stat = path.stat()
        key = (path, stat.st_mtime_ns, stat.st_size)
        if key not in _SERVER_ACTIONS:
            with path.open("rb") as handle:
                if len(_SERVER_ACTIONS) > 4096:
                    _SERVER_ACTIONS.clear()
                _SERVER_ACTIONS[key] = _USE_SERVER.match(handle.read(512)) is not None
    except OSError:
        return False
    return _SERVER_ACTIONS[key]


def _chain_violation(ctx: FileContext, source: Node, module: str, chain: _Chain) -> Violation:
    what = (f"`{module}` leads to the service-role client `{chain.name}`"
            f" ({_relative(ctx, chain.client)}), and this 'use client' module imports it")
    related = [Related(_relative(ctx, step), 0, 0, f"imported on the way: {_relative(ctx, step)}")
               for step in chain.modules[:-1]]
    related.append(Related(_relative(ctx, chain.client), chain.start, chain.end,
                           f"`{chain.name}` uses the service role key"))
    return Violation(source.start_byte, source.end_byte, ctx.message(what=what), related=related)


def _relative(ctx: FileContext, path: Path) -> str:
    try:
        return path.relative_to(ctx.project.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
