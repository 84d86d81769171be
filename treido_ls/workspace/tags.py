"""Cache tags across the project: what `cacheTag()` declares and what `revalidateTag()` expires.

Declarations: arguments of `cacheTag()`/`unstable_cacheTag()`, `next: { tags: [...] }` options of
fetch calls and the `tags` of `unstable_cache(fn, keys, { tags })`. Revalidations: the first
argument of `revalidateTag()`/`updateTag()`. A template literal with static text such as
`product:${id}` is a tag *pattern* (`product:*`). A declaration we cannot read (a variable tag
that is not a same-file string constant) makes the declared set open-ended: `dynamic`.

Per-file results are cached by content digest, and for files on disk by (mtime, size), so a
query re-stats files but re-reads only changed ones. Open editor buffers override the disk
(`update_buffer`). The file list is walked once; `invalidate` adds files created later.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tree_sitter import Node, QueryCursor

from treido_ls import syntax
from treido_ls.context import compiled_query
from treido_ls.files import discover
from treido_ls.parsing import lang_for_path, parse
from treido_ls.workspace.config import Config

SCRIPT_SUFFIXES = frozenset({".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"})
DECLARE_CALLS = frozenset({"cacheTag", "unstable_cacheTag"})
REVALIDATE_CALLS = frozenset({"revalidateTag", "updateTag"})
# `cacheTag` alone (not `cacheTag(`): an aliased import calls it under another name.
_PREFILTER = re.compile(rb"cacheTag|revalidateTag|updateTag|\btags\s*:")
_WILDCARD = "*"
# Stat-ing every project file costs ~10 ms per 1,000 files: do it at most this often (seconds).
# Files reported through `invalidate` are re-read at once regardless.
RESTAT_AFTER = 2.0
_QUERY = """
(call_expression function: [(identifier) (member_expression)]) @call
(pair key: (_) @key (#match? @key "tags")) @pair
"""


@dataclass(frozen=True, slots=True)
class TagUse:
    """One tag in the source: a literal, or a pattern with `*` for each `${...}`."""

    tag: str
    pattern: bool
    declared: bool  # True: cacheTag / fetch tags / unstable_cache tags; False: revalidateTag / updateTag
    path: Path
    start: int  # byte range of the string literal
    end: int

    def matches(self, tag: str) -> bool:
        """Does this declaration cover the literal `tag`?"""
        return _pattern_regex(self.tag).fullmatch(tag) is not None if self.pattern else self.tag == tag


@dataclass(frozen=True, slots=True)
class FileTags:
    digest: bytes
    uses: tuple[TagUse, ...]
    dynamic: bool  # declares a tag we cannot read statically

    @property
    def declarations(self) -> tuple[TagUse, ...]:
        return tuple(use for use in self.uses if use.declared)

    @property
    def revalidations(self) -> tuple[TagUse, ...]:
        return tuple(use for use in self.uses if not use.declared)


@dataclass(frozen=True, slots=True)
class DeclaredTags:
    """The project's declared tags, as a rule sees them."""

    uses: tuple[TagUse, ...]
    dynamic: bool

    @property
    def literals(self) -> frozenset[str]:
        return frozenset(use.tag for use in self.uses if not use.pattern)

    def declares(self, tag: str, pattern: bool = False) -> bool:
        if pattern:
            return any(use.tag == tag or (not use.pattern and _pattern_regex(tag).fullmatch(use.tag))
                       for use in self.uses)
        return any(use.matches(tag) for use in self.uses)


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split(_WILDCARD)), re.DOTALL)


@dataclass(frozen=True, slots=True)
class _Aggregate:
    uses: tuple[TagUse, ...]
    dynamic_paths: frozenset[Path]
    generation: int

    @property
    def dynamic(self) -> bool:
        return bool(self.dynamic_paths)

    def dynamic_without(self, path: Path) -> bool:
        return bool(self.dynamic_paths - {path})


class CacheTagIndex:
    def __init__(self, root: Path, config: Config | None = None) -> None:
        self.root = root.resolve()
        self.config = config
        self._buffers: dict[Path, bytes] = {}
        self._disk: dict[Path, tuple[int, int, FileTags]] = {}  # path -> (mtime_ns, size, tags on disk)
        self._files: dict[Path, FileTags] = {}
        self._paths: list[Path] | None = None
        self._fresh_until = 0.0  # until then, files on disk are trusted without a stat
        self._aggregate: _Aggregate | None = None
        self._generation = 0  # bumped by every buffer update or invalidation

    # -- editor buffers and invalidation ------------------------------------------------------------

    def update_buffer(self, path: Path, source: bytes | str) -> None:
        data = source.encode("utf-8") if isinstance(source, str) else source
        absolute = self._abs(path)
        self._buffers[absolute] = data
        self._track(absolute)
        self._generation += 1

    def forget_buffer(self, path: Path) -> None:
        self._buffers.pop(self._abs(path), None)
        self._generation += 1

    def invalidate(self, path: Path) -> None:
        """A file changed, appeared or vanished on disk."""
        absolute = self._abs(path)
        self._disk.pop(absolute, None)
        self._track(absolute)
        self._generation += 1

    def _track(self, absolute: Path) -> None:
        if self._paths is not None and absolute.suffix in SCRIPT_SUFFIXES and absolute not in self._paths:
            self._paths.append(absolute)

    # -- queries ------------------------------------------------------------------------------------

    def file_tags(self, path: Path, source: bytes | None = None) -> FileTags:
        """Tags of one file; `source` (the text being linted) wins over buffers and disk."""
        return self._tags_at(self._abs(path), source)

    def _tags_at(self, absolute: Path, source: bytes | None = None) -> FileTags:
        if source is None and absolute in self._buffers:
            source = self._buffers[absolute]
        if source is not None:
            return self._from_text(absolute, source)
        try:
            stat = absolute.stat()
        except OSError:
            return FileTags(b"", (), False)
        cached = self._disk.get(absolute)
        if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
            return cached[2]
        try:
            found = self._from_text(absolute, absolute.read_bytes())
        except OSError:
            return FileTags(b"", (), False)
        self._disk[absolute] = (stat.st_mtime_ns, stat.st_size, found)
        return found

    def _from_text(self, absolute: Path, data: bytes) -> FileTags:
        digest = hashlib.blake2b(data, digest_size=16).digest()
        cached = self._files.get(absolute)
        if cached is not None and cached.digest == digest:
            return cached
        found = scan_tags(absolute, data, digest)
        self._files[absolute] = found
        return found

    def all_files(self, current: tuple[Path, bytes] | None = None) -> Iterator[FileTags]:
        """Every script file's tags; `current` is the file being linted with its live text."""
        current_path = self._abs(current[0]) if current is not None else None
        now = time.monotonic()
        trust_cache = now < self._fresh_until
        for path in self._project_paths():
            if path == current_path:
                continue
            cached = self._disk.get(path) if trust_cache and path not in self._buffers else None
            yield cached[2] if cached is not None else self._tags_at(path)
        if not trust_cache:
            self._fresh_until = time.monotonic() + RESTAT_AFTER
        if current is not None:
            yield self.file_tags(current[0], current[1])

    def declared(self, current: tuple[Path, bytes] | None = None) -> DeclaredTags:
        """Declarations of the whole project, with `current`'s live text in place of its stored one.

        The other files' part is gathered once per freshness window (not once per linted file, which
        made a project scan quadratic): per file, only that file's own tags are swapped in."""
        others = self._declared_elsewhere()
        uses = list(others.uses)
        dynamic = others.dynamic
        if current is not None:
            current_path = self._abs(current[0])
            uses = [use for use in uses if use.path != current_path]
            live = self.file_tags(current[0], current[1])
            uses.extend(live.declarations)
            dynamic = others.dynamic_without(current_path) or live.dynamic
        return DeclaredTags(tuple(uses), dynamic)

    def _declared_elsewhere(self) -> _Aggregate:
        now = time.monotonic()
        if self._aggregate is None or now >= self._fresh_until or self._aggregate.generation != self._generation:
            uses: list[TagUse] = []
            dynamic_paths: set[Path] = set()
            for path in self._project_paths():
                tags = self._tags_at(path)
                uses.extend(tags.declarations)
                if tags.dynamic:
                    dynamic_paths.add(path)
            self._aggregate = _Aggregate(tuple(uses), frozenset(dynamic_paths), self._generation)
            self._fresh_until = time.monotonic() + RESTAT_AFTER
        return self._aggregate

    def revalidations(self, current: tuple[Path, bytes] | None = None) -> list[TagUse]:
        return [use for tags in self.all_files(current) for use in tags.revalidations]

    # -- files --------------------------------------------------------------------------------------

    def _project_paths(self) -> list[Path]:
        if self._paths is None:
            # discover() walks from the resolved root, so its paths are already absolute and resolved.
            self._paths = [path for path in discover([self.root])
                           if path.suffix in SCRIPT_SUFFIXES and not self._excluded(path)]
        return self._paths

    def _excluded(self, path: Path) -> bool:
        if self.config is None:
            return False
        try:
            rel = path.relative_to(self.root).as_posix()
        except ValueError:
            return False
        return self.config.is_excluded(rel)

    def _abs(self, path: Path) -> Path:
        return path.resolve() if path.is_absolute() else (self.root / path).resolve()


# -- scanning one file --------------------------------------------------------------------------------


def scan_tags(path: Path, source: bytes, digest: bytes = b"") -> FileTags:
    """Parse a file (only when its bytes mention a tag API) and collect its tag uses."""
    lang = lang_for_path(path.name)
    if lang is None or not lang.is_script or _PREFILTER.search(source) is None:
        return FileTags(digest, (), False)
    root = parse(lang, source).root_node
    scanner = _Scanner(path, _string_constants(root), _next_cache_aliases(root))
    found = QueryCursor(compiled_query(lang, _QUERY)).captures(root)
    for node in sorted([*found.get("call", []), *found.get("pair", [])], key=lambda n: n.start_byte):
        if node.type == "call_expression":
            scanner.call(node)
        else:
            scanner.pair(node)
    return FileTags(digest, tuple(scanner.uses), scanner.dynamic)


class _Scanner:
    def __init__(self, path: Path, constants: dict[str, Node], aliases: dict[str, str]) -> None:
        self.path = path
        self.constants = constants
        self.aliases = aliases  # local name -> name imported from next/cache
        self.uses: list[TagUse] = []
        self.dynamic = False

    def call(self, call: Node) -> None:
        name = syntax.callee_name(call)
        function = call.child_by_field_name("function")
        if name is not None and function is not None and function.type == "identifier":
            name = self.aliases.get(name, name)
        args = syntax.call_arguments(call)
        if name in DECLARE_CALLS:
            self.add_all(args, declared=True)
        elif name in REVALIDATE_CALLS and args:
            self.add(args[0], declared=False)

    def pair(self, pair: Node) -> None:
        """`tags: [...]` in `fetch(url, { next: { tags } })` or `unstable_cache(fn, keys, { tags })`."""
        key, value = pair.child_by_field_name("key"), syntax.unwrap(pair.child_by_field_name("value"))
        if syntax.property_key_name(key) != "tags" or not _declares_tags(pair):
            return
        if value is None or value.type != "array":
            self.dynamic = True
            return
        self.add_all([child for child in value.named_children if child.type != "comment"], declared=True)

    def add_all(self, nodes: Iterable[Node], declared: bool) -> None:
        for node in nodes:
            self.add(node, declared)

    def add(self, node: Node, declared: bool) -> None:
        target = syntax.unwrap(node)
        if target is not None and target.type == "identifier" and syntax.text(target) in self.constants:
            target = self.constants[syntax.text(target)]
        tag = _tag_of(target)
        if tag is None or target is None:
            self.dynamic = self.dynamic or declared
            return
        self.uses.append(TagUse(tag[0], tag[1], declared, self.path, target.start_byte, target.end_byte))


def _tag_of(node: Node | None) -> tuple[str, bool] | None:
    """(tag, is_pattern) of a string or template; None for anything else or an all-dynamic template."""
    if node is None or node.type not in syntax.STRING_TYPES:
        return None
    value = syntax.string_value(node)
    if value is not None:
        return value, False
    parts: list[str] = []
    static = False
    for child in node.named_children:
        if child.type == "template_substitution":
            if not parts or parts[-1] != _WILDCARD:
                parts.append(_WILDCARD)
        elif child.type in ("string_fragment", "escape_sequence"):
            parts.append(syntax.text(child))
            static = True
    return ("".join(parts), True) if static else None


def _declares_tags(pair: Node) -> bool:
    obj = pair.parent
    if obj is None or obj.type != "object":
        return False
    holder = obj.parent
    if holder is not None and holder.type == "pair":  # { next: { tags } }
        return syntax.property_key_name(holder.child_by_field_name("key")) == "next"
    if holder is not None and holder.type == "arguments":  # unstable_cache(fn, keys, { tags })
        call = holder.parent
        return call is not None and syntax.callee_name(call) == "unstable_cache"
    return False


def _string_constants(root: Node) -> dict[str, Node]:
    """Module-level `const NAME = 'literal'` (tags are often named once and reused)."""
    found: dict[str, Node] = {}
    for stmt in root.named_children:
        inner = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else stmt
        if inner is None or inner.type != "lexical_declaration" or inner.child(0) is None:
            continue
        if syntax.text(inner.child(0)) != "const":
            continue
        for declarator in inner.named_children:
            name = declarator.child_by_field_name("name")
            value = syntax.unwrap(declarator.child_by_field_name("value"))
            if name is not None and name.type == "identifier" and value is not None \
                    and value.type in syntax.STRING_TYPES:
                found[syntax.text(name)] = value
    return found


def _next_cache_aliases(root: Node) -> dict[str, str]:
    """`import { cacheTag as tag } from 'next/cache'` -> {"tag": "cacheTag"}."""
    aliases: dict[str, str] = {}
    for stmt in root.named_children:
        if stmt.type != "import_statement" or syntax.string_value(stmt.child_by_field_name("source")) != "next/cache":
            continue
        for spec in syntax.descendants_of_type(stmt, {"import_specifier"}):
            name, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
            if name is not None and alias is not None:
                aliases[syntax.text(alias)] = syntax.text(name)
    return aliases
