"""Workspace symbols: where an import leads, and what the project's own functions do.

Rules ask cross-file questions ("is `requireUser` a guard?"). The answers come from per-file
summaries, computed once per (path, content hash) from the open editor buffer or the file on disk,
read lazily on first need. Facts that depend on other files (a guard calling a guard two imports
away) are folded on demand with a visited set, so cycles end, and memoised until any summary changes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.parsing import lang_for_path, parse
from treido_ls.workspace import fnscan
from treido_ls.workspace.config import Config
from treido_ls.workspace.jsonc import JsoncError
from treido_ls.workspace.jsonc import parse as parse_jsonc

log = logging.getLogger(__name__)

EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mjs")
_TSCONFIG_NAMES = ("tsconfig.json", "jsconfig.json")
_SERVICE_ROLE = re.compile(r"service[_-]?role|SUPABASE_SECRET", re.IGNORECASE)
_MAX_EXTENDS = 8


@dataclass(frozen=True, slots=True)
class LocalFunction:
    """What one top-level function does by itself; callees are kept as names, resolved later."""

    name: str
    start: int  # the name's byte range
    end: int
    is_async: bool
    verifies_user: bool  # getUser/getClaims followed by an exit when there is no user
    reads_user: bool  # calls getUser/getClaims (may return the user for the caller to test)
    role_check: bool
    verifies_webhook: bool
    server_factory: bool
    admin_client: bool
    is_value: bool = False  # a module-level client value (`export const admin = createClient(...)`)
    guard_calls: tuple[str, ...] = ()  # callees run on every path (a guard among them guards this one)
    checked_calls: tuple[str, ...] = ()  # callees whose result is tested by an exiting `if`
    calls: tuple[str, ...] = ()
    returned: tuple[str, ...] = ()  # callees whose result is returned (factories wrapping factories)
    required_params: int = 0


class LazyFunctions(Mapping[str, LocalFunction]):
    """Top-level functions by name, each analysed on first access (a keystroke asks about a few)."""

    def __init__(self, thunks: dict[str, Callable[[], LocalFunction | None]]) -> None:
        self._thunks = thunks
        self._done: dict[str, LocalFunction | None] = {}

    def _get(self, name: str) -> LocalFunction | None:
        if name not in self._done:
            thunk = self._thunks.get(name)
            self._done[name] = thunk() if thunk is not None else None
        return self._done[name]

    def __getitem__(self, name: str) -> LocalFunction:
        found = self._get(name)
        if found is None:
            raise KeyError(name)
        return found

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._get(name) is not None

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._thunks if self._get(name) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass(frozen=True, slots=True)
class FileSummary:
    digest: bytes
    functions: LazyFunctions
    exports: dict[str, str]  # exported name -> local name
    reexports: dict[str, tuple[str, str]]  # exported name -> (module, name)
    star_exports: tuple[str, ...]
    imports: dict[str, tuple[str, str]]  # local -> (module, imported name)


@dataclass(frozen=True, slots=True)
class FunctionFacts:
    """A project function's meaning, with cross-file callees folded in."""

    path: Path
    name: str
    start: int
    end: int
    is_async: bool = False
    is_guard: bool = False
    is_admin_guard: bool = False
    is_webhook_verifier: bool = False
    is_server_client_factory: bool = False
    is_admin_client: bool = False
    reads_user: bool = False
    is_value: bool = False
    required_params: int = 0


@dataclass(slots=True)
class _TsConfig:
    paths: dict[str, list[str]] = field(default_factory=dict)
    paths_base: Path | None = None
    base_url: Path | None = None


class SymbolIndex:
    def __init__(self, root: Path, config: Config | None = None) -> None:
        self.root = root.resolve()
        self.config = config
        self._buffers: dict[Path, bytes] = {}
        self._summaries: dict[Path, FileSummary] = {}
        self._disk: dict[Path, tuple[int, int, bytes]] = {}  # path -> (mtime_ns, size, bytes)
        self._facts: dict[tuple[Path, str], FunctionFacts | None] = {}
        self._tsconfigs: dict[Path, _TsConfig] = {}
        self._resolved: dict[tuple[Path, str], Path | None] = {}
        self._cycle_cuts: set[tuple[Path, str]] = set()
        self._hashed: dict[Path, bytes] = {}  # the bytes each summary was last checked against

    # -- editor buffers and invalidation ------------------------------------------------------------

    def update_buffer(self, path: Path, source: bytes | str) -> None:
        data = source.encode("utf-8") if isinstance(source, str) else source
        absolute = self._abs(path)
        previous = self._buffers.get(absolute)
        self._buffers[absolute] = data
        if previous is None:
            self.invalidate(path)  # the buffer may stand for a file not on disk yet
        elif previous != data:
            self._facts.clear()  # summaries recompute by hash; folded facts may depend on this file

    def forget_buffer(self, path: Path) -> None:
        self._buffers.pop(self._abs(path), None)
        self.invalidate(path)

    def invalidate(self, path: Path) -> None:
        absolute = self._abs(path)
        self._disk.pop(absolute, None)
        self._resolved.clear()  # a created or deleted file changes where imports lead
        if absolute.name in _TSCONFIG_NAMES or absolute.suffix == ".json":
            self._tsconfigs.clear()
        if self._summaries.pop(absolute, None) is not None:
            self._facts.clear()

    # -- import resolution --------------------------------------------------------------------------

    def resolve(self, from_path: Path, specifier: str) -> Path | None:
        """The project file an import specifier names, or None (a package, or nothing there)."""
        key = (self._abs(from_path).parent, specifier)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(self._abs(from_path), specifier)
        return self._resolved[key]

    def _resolve(self, from_path: Path, specifier: str) -> Path | None:
        if specifier.startswith((".", "/")):
            return self._file_at(from_path.parent / specifier if specifier.startswith(".") else Path(specifier))
        tsconfig = self._tsconfig_for(from_path.parent)
        for pattern, targets in tsconfig.paths.items():
            rest = _match_alias(pattern, specifier)
            if rest is None or tsconfig.paths_base is None:
                continue
            for target in targets:
                found = self._file_at(tsconfig.paths_base / target.replace("*", rest, 1))
                if found is not None:
                    return found
        if tsconfig.base_url is not None and not specifier.startswith("@"):
            found = self._file_at(tsconfig.base_url / specifier)
            if found is not None:
                return found
        if specifier.startswith("@/") and not tsconfig.paths:
            # Zero config: Next.js apps alias `@/` to the root or to src/.
            for base in (self.root, self.root / "src"):
                found = self._file_at(base / specifier[2:])
                if found is not None:
                    return found
        return None

    def _file_at(self, base: Path) -> Path | None:
        candidates = [base]
        if base.suffix in (".js", ".jsx", ".mjs"):
            stem = base.with_suffix("")
            candidates += [stem.with_suffix(".ts"), stem.with_suffix(".tsx")]
        candidates += [base.with_name(base.name + ext) for ext in EXTENSIONS]
        candidates += [base / f"index{ext}" for ext in EXTENSIONS]
        for candidate in candidates:
            absolute = self._abs(candidate)
            if absolute in self._buffers or absolute.is_file():
                return absolute
        return None

    def _tsconfig_for(self, folder: Path) -> _TsConfig:
        for candidate in (folder, *folder.parents):
            for name in _TSCONFIG_NAMES:
                path = candidate / name
                if path.is_file():
                    if path not in self._tsconfigs:
                        self._tsconfigs[path] = self._load_tsconfig(path, 0)
                    return self._tsconfigs[path]
            if candidate == self.root:
                break
        return _TsConfig()

    def _load_tsconfig(self, path: Path, depth: int) -> _TsConfig:
        """`compilerOptions.paths`/`baseUrl`, following `extends` (the child's options win)."""
        try:
            data = parse_jsonc(path.read_bytes()).value
        except (OSError, JsoncError) as exc:
            log.debug("cannot read %s: %s", path, exc)
            return _TsConfig()
        result = _TsConfig()
        if not isinstance(data, dict):
            return result
        extends = data.get("extends")
        for parent in ([extends] if isinstance(extends, str) else extends if isinstance(extends, list) else []):
            parent_path = self._extends_path(path, parent) if isinstance(parent, str) else None
            if parent_path is not None and depth < _MAX_EXTENDS:
                inherited = self._load_tsconfig(parent_path, depth + 1)
                result.paths = inherited.paths or result.paths
                result.paths_base = inherited.paths_base or result.paths_base
                result.base_url = inherited.base_url or result.base_url
        options = data.get("compilerOptions")
        if not isinstance(options, dict):
            return result
        if isinstance(options.get("baseUrl"), str):
            result.base_url = (path.parent / options["baseUrl"]).resolve()
            result.paths_base = result.base_url
        paths = options.get("paths")
        if isinstance(paths, dict):
            result.paths = {k: [t for t in v if isinstance(t, str)] for k, v in paths.items() if isinstance(v, list)}
            result.paths_base = result.base_url or path.parent.resolve()
        return result

    def _extends_path(self, config: Path, target: str) -> Path | None:
        base = config.parent / target if target.startswith(".") else self.root / "node_modules" / target
        for candidate in (base, base.with_name(base.name + ".json"), base / "tsconfig.json"):
            if candidate.is_file():
                return candidate.resolve()
        return None

    # -- summaries ----------------------------------------------------------------------------------

    def summary(self, path: Path, source: bytes | None = None) -> FileSummary | None:
        """The file's summary; `source` (the text being linted) wins over buffers and disk."""
        absolute = self._abs(path)
        data = source if source is not None else self._read(absolute)
        if data is None:
            return None
        cached = self._summaries.get(absolute)
        if cached is not None and self._hashed.get(absolute) is data:
            return cached  # the same bytes object as last time: rules ask many times per lint
        self._hashed[absolute] = data
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if cached is not None and cached.digest == digest:
            return cached
        lang = lang_for_path(absolute.name)
        if lang is None or not lang.is_script:
            return None
        summary = summarize(parse(lang, data).root_node, digest)
        self._summaries[absolute] = summary
        self._facts.clear()  # folded facts may depend on what changed
        return summary

    def _read(self, path: Path) -> bytes | None:
        if path in self._buffers:
            return self._buffers[path]
        try:
            stat = path.stat()
        except OSError:
            return None
        cached = self._disk.get(path)
        if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
            return cached[2]
        try:
            data = path.read_bytes()
        except OSError:
            return None
        self._disk[path] = (stat.st_mtime_ns, stat.st_size, data)
        return data

    # -- facts --------------------------------------------------------------------------------------

    def function_facts(self, path: Path, name: str) -> FunctionFacts | None:
        """Facts of the function `name` defined (or exported) by `path`."""
        return self._facts_of(self._abs(path), name, set())

    def exported_facts(self, path: Path, export_name: str) -> FunctionFacts | None:
        target = self._definition(self._abs(path), export_name, set())
        return self._facts_of(target[0], target[1], set()) if target is not None else None

    def call_facts(self, ctx_path: Path, imports: dict[str, Any], callee_local_name: str) -> FunctionFacts | None:
        """Facts of what a local name (or `ns.name`) called in `ctx_path` refers to: a function of that
        file, or the definition its import leads to. `imports` is FileContext.imports."""
        absolute = self._abs(ctx_path)
        head, _, member = callee_local_name.partition(".")
        binding = imports.get(head)
        if binding is None:
            return None if member else self._facts_of(absolute, head, set())
        module, name = binding.module, binding.name
        if member:
            if name != "*":
                return None
            name = member
        target_file = self.resolve(absolute, module)
        if target_file is None:
            return None
        target = self._definition(target_file, name, set())
        return self._facts_of(target[0], target[1], set()) if target is not None else None

    def _facts_of(self, path: Path, name: str, visiting: set[tuple[Path, str]]) -> FunctionFacts | None:
        key = (path, name)
        if key in self._facts:
            return self._facts[key]
        if key in visiting:
            self._cycle_cuts.add(key)
            return None  # a cycle: what is being decided cannot help decide itself
        summary = self.summary(path)
        if summary is None:
            return None
        local = summary.functions.get(name)
        if local is None:
            target = self._definition(path, name, set())
            if target is None or target == key:
                return None
            facts = self._facts_of(target[0], target[1], visiting | {key})
        else:
            facts = self._fold(path, summary, local, visiting | {key})
        self._cycle_cuts.discard(key)
        if not self._cycle_cuts:  # an answer that leaned on an unfinished caller is not final
            self._facts[key] = facts
        return facts

    def _fold(self, path: Path, summary: FileSummary, fn: LocalFunction,
              visiting: set[tuple[Path, str]]) -> FunctionFacts:
        def callee(name: str) -> FunctionFacts | None:
            return self._callee_facts(path, summary, name, visiting)

        names = self._config_names()
        is_admin_guard = fn.name in names["admin_guards"] or any(
            (f := callee(c)) is not None and f.is_admin_guard for c in fn.guard_calls)
        reads_user = fn.reads_user or any((f := callee(c)) is not None and f.reads_user for c in fn.calls)
        is_guard = (is_admin_guard or fn.verifies_user or fn.name in names["auth_guards"]
                    or any((f := callee(c)) is not None and f.is_guard for c in fn.guard_calls)
                    or any((f := callee(c)) is not None and f.reads_user for c in fn.checked_calls))
        is_admin_guard = is_admin_guard or (is_guard and fn.role_check)
        verifier = fn.verifies_webhook or fn.name in names["webhook_verifiers"] or any(
            (f := callee(c)) is not None and f.is_webhook_verifier for c in fn.calls)
        factory = fn.server_factory or fn.name in names["server_client_factories"] or any(
            (f := callee(c)) is not None and f.is_server_client_factory for c in fn.returned)
        admin = fn.admin_client or fn.name in names["admin_clients"] or any(
            (f := callee(c)) is not None and f.is_admin_client for c in fn.returned)
        return FunctionFacts(path, fn.name, fn.start, fn.end, fn.is_async, is_guard, is_admin_guard, verifier,
                             factory and not admin, admin, reads_user, fn.is_value, fn.required_params)

    def _callee_facts(self, path: Path, summary: FileSummary, name: str,
                      visiting: set[tuple[Path, str]]) -> FunctionFacts | None:
        head, _, member = name.partition(".")
        imported = summary.imports.get(head)
        if imported is None:
            if member or head not in summary.functions:
                return None
            return self._facts_of(path, head, visiting)
        module, export_name = imported
        if member:
            if export_name != "*":
                return None
            export_name = member
        target_file = self.resolve(path, module)
        if target_file is None:
            return None
        target = self._definition(target_file, export_name, set())
        return self._facts_of(target[0], target[1], visiting) if target is not None else None

    def _definition(self, path: Path, export_name: str, seen: set[tuple[Path, str]]) -> tuple[Path, str] | None:
        """Follow exports, re-exports and `export *` to the file and local name that define `export_name`."""
        if (path, export_name) in seen:
            return None
        seen.add((path, export_name))
        summary = self.summary(path)
        if summary is None:
            return None
        local = summary.exports.get(export_name)
        if local is not None:
            if local in summary.functions:
                return path, local
            if local in summary.imports:
                module, name = summary.imports[local]
                target = self.resolve(path, module)
                return self._definition(target, name, seen) if target is not None else None
            return None
        if export_name in summary.reexports:
            module, name = summary.reexports[export_name]
            target = self.resolve(path, module)
            return self._definition(target, name, seen) if target is not None else None
        for module in summary.star_exports:
            target = self.resolve(path, module)
            found = self._definition(target, export_name, seen) if target is not None else None
            if found is not None:
                return found
        return None

    def _config_names(self) -> dict[str, frozenset[str]]:
        project = self.config.project if self.config is not None else None
        keys = ("auth_guards", "admin_guards", "webhook_verifiers", "server_client_factories", "admin_clients")
        return {key: frozenset(getattr(project, key, ()) or ()) for key in keys}

    def _abs(self, path: Path) -> Path:
        """Absolute and normalised (`app/../lib/x.ts` -> `lib/x.ts`), so one file has one key."""
        return Path(os.path.normpath(path if path.is_absolute() else self.root / path))


def _match_alias(pattern: str, specifier: str) -> str | None:
    """What `*` matched when `specifier` fits the tsconfig paths pattern, '' for an exact pattern."""
    if "*" not in pattern:
        return "" if pattern == specifier else None
    prefix, _, suffix = pattern.partition("*")
    if specifier.startswith(prefix) and specifier.endswith(suffix) and len(specifier) >= len(prefix) + len(suffix):
        return specifier[len(prefix): len(specifier) - len(suffix)]
    return None


# -- summarising one file ---------------------------------------------------------------------------


def summarize(root: Node, digest: bytes = b"") -> FileSummary:
    imports = _imports(root)
    functions: dict[str, Callable[[], LocalFunction | None]] = {}
    exports: dict[str, str] = {}
    reexports: dict[str, tuple[str, str]] = {}
    stars: list[str] = []
    for stmt in root.named_children:
        exported = stmt.type == "export_statement"
        inner = stmt.child_by_field_name("declaration") if exported else stmt
        if exported and inner is None:
            _export_without_declaration(stmt, root, imports, functions, exports, reexports, stars)
            continue
        for name, name_node, value in _declared(inner):
            if value is not None:
                functions[name] = partial(_analyse_declaration, name, name_node, value, root, imports)
            if exported:
                exports[name] = name
                if any(c.type == "default" for c in stmt.children):
                    exports["default"] = name
    return FileSummary(digest, LazyFunctions(functions), exports, reexports, tuple(stars), imports)


def _analyse_declaration(name: str, name_node: Node, value: Node, root: Node,
                         imports: dict[str, tuple[str, str]]) -> LocalFunction | None:
    fn = fnscan.function_value(value)
    if fn is not None:
        return _local_function(name, name_node, fn, root, imports)
    if _creates_admin_client(value, root, imports):
        return LocalFunction(name, name_node.start_byte, name_node.end_byte, False, False, False,
                             False, False, False, True, is_value=True)
    return None


def _declared(stmt: Node | None) -> list[tuple[str, Node, Node | None]]:
    """(name, name node, value) for function declarations and `const x = ...` declarators."""
    if stmt is None:
        return []
    if stmt.type in ("function_declaration", "generator_function_declaration"):
        name = stmt.child_by_field_name("name")
        return [(syntax.text(name), name, stmt)] if name is not None else []
    found: list[tuple[str, Node, Node | None]] = []
    if stmt.type in ("lexical_declaration", "variable_declaration"):
        for declarator in stmt.named_children:
            name = declarator.child_by_field_name("name")
            if declarator.type == "variable_declarator" and name is not None and name.type == "identifier":
                found.append((syntax.text(name), name, declarator.child_by_field_name("value")))
    return found


def _export_without_declaration(stmt: Node, root: Node, imports: dict[str, tuple[str, str]],
                                functions: dict[str, Callable[[], LocalFunction | None]], exports: dict[str, str],
                                reexports: dict[str, tuple[str, str]], stars: list[str]) -> None:
    source = syntax.string_value(stmt.child_by_field_name("source"))
    value = stmt.child_by_field_name("value")
    if value is not None:  # export default <expr>
        fn = fnscan.function_value(value)
        if fn is not None:
            name_node = fn.child_by_field_name("name")
            local = syntax.text(name_node) if name_node is not None else "default"
            functions[local] = partial(_local_function, local, name_node or fn, fn, root, imports)
            exports["default"] = local
        else:
            target = syntax.unwrap(value)
            if target is not None and target.type == "identifier":
                exports["default"] = syntax.text(target)
        return
    if any(c.type == "export_clause" for c in stmt.named_children):
        for clause in stmt.named_children:
            if clause.type != "export_clause":
                continue
            for spec in clause.named_children:
                name = spec.child_by_field_name("name")
                alias = spec.child_by_field_name("alias") or name
                if spec.type != "export_specifier" or name is None or alias is None:
                    continue
                if source is not None:
                    reexports[syntax.text(alias)] = (source, syntax.text(name))
                else:
                    exports[syntax.text(alias)] = syntax.text(name)
    elif source is not None:
        namespace = next((c for c in stmt.named_children if c.type == "namespace_export"), None)
        if namespace is None:
            stars.append(source)
        else:
            ident = next((c for c in namespace.named_children if c.type in ("identifier", "string")), None)
            if ident is not None:
                reexports[syntax.text(ident)] = (source, "*")


def _imports(root: Node) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for stmt in root.named_children:
        if stmt.type != "import_statement":
            continue
        module = syntax.string_value(stmt.child_by_field_name("source"))
        clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
        if module is None or clause is None:
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                found[syntax.text(part)] = (module, "default")
            elif part.type == "namespace_import":
                ident = next((c for c in part.named_children if c.type == "identifier"), None)
                if ident is not None:
                    found[syntax.text(ident)] = (module, "*")
            elif part.type == "named_imports":
                for spec in part.named_children:
                    name = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias") or name
                    if spec.type == "import_specifier" and name is not None and alias is not None:
                        found[syntax.text(alias)] = (module, syntax.text(name))
    return found


def _local_function(name: str, name_node: Node, fn: Node, root: Node,
                    imports: dict[str, tuple[str, str]]) -> LocalFunction:
    calls = fnscan.calls_in(fn)
    keys = [fnscan.callee_key(c) for c in calls]
    verifies = reads = False
    guard_calls: list[str] = []
    checked: list[str] = []
    for call, key in zip(calls, keys, strict=True):
        if fnscan.is_auth_verify_call(call):
            reads = True
            verifies = verifies or fnscan.exiting_check_after(call, fn, fnscan.bound_names(call)) is not None
        elif key is not None:
            if fnscan.unconditional(call, fn):
                guard_calls.append(key)
            if fnscan.exiting_check_after(call, fn, fnscan.bound_names(call)) is not None:
                checked.append(key)
    webhook = any(_is_construct_event(c) for c in calls)
    admin = any(_creates_admin_client(c, root, imports) for c in calls)
    factory = any(_imported_call(c, imports, "createServerClient", "@supabase/ssr") for c in calls)
    returned = tuple(k for k in (fnscan.callee_key(c) for c in fnscan.returned_calls(fn)) if k is not None)
    return LocalFunction(
        name, name_node.start_byte, name_node.end_byte, any(c.type == "async" for c in fn.children),
        verifies, reads, fnscan.role_check(fn), webhook, factory, admin,
        guard_calls=tuple(guard_calls), checked_calls=tuple(checked),
        calls=tuple(k for k in keys if k is not None), returned=returned, required_params=_required_params(fn),
    )


def _required_params(fn: Node) -> int:
    params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
    if params is None:
        return 0
    if params.type == "identifier":
        return 1
    return sum(1 for p in params.named_children if p.type == "required_parameter"
               and p.child_by_field_name("value") is None)


def _is_construct_event(call: Node) -> bool:
    parts = syntax.member_call_parts(call)
    if parts is None or parts[1] not in ("constructEvent", "constructEventAsync"):
        return False
    receiver = parts[0]
    return receiver.type == "member_expression" and syntax.text(receiver.child_by_field_name("property")) == "webhooks"


def _imported_call(call: Node, imports: dict[str, tuple[str, str]], name: str, module: str) -> bool:
    function = call.child_by_field_name("function")
    if function is None or function.type != "identifier":
        return False
    return imports.get(syntax.text(function)) == (module, name)


def _creates_admin_client(node: Node, root: Node, imports: dict[str, tuple[str, str]]) -> bool:
    """`createClient(url, <service role key>)` from supabase-js, or `createServerClient` with that key."""
    call = syntax.unwrap(node)
    if call is None or call.type != "call_expression":
        return False
    if not (_imported_call(call, imports, "createClient", "@supabase/supabase-js")
            or _imported_call(call, imports, "createServerClient", "@supabase/ssr")):
        return False
    args = call.child_by_field_name("arguments")
    if args is None:
        return False
    if _SERVICE_ROLE.search(syntax.text(args)):
        return True
    # The key may sit in a module-level constant: `const serviceKey = process.env.SUPABASE_SERVICE_ROLE_KEY!`.
    names = {syntax.text(n) for n in syntax.walk(args) if n.type == "identifier"}
    for stmt in root.named_children:
        for name, _node, value in _declared(stmt.child_by_field_name("declaration")
                                            if stmt.type == "export_statement" else stmt):
            if name in names and value is not None and _SERVICE_ROLE.search(syntax.text(value)):
                return True
    return False
