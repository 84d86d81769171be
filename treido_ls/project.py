"""A project: its root, its config, and facts read from disk (Next.js version, kind globs).

The root is the closest folder with a treido config, else the closest with a package.json,
else the closest git work tree, else the folder itself. The server and the CLI find the same
root for the same file, so they apply the same config.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Collection
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pathspec

from treido_ls.workspace.columns import ColumnSet
from treido_ls.workspace.config import CONFIG_NAMES, Config, ConfigReadError, load_config
from treido_ls.workspace.generated_types import GeneratedTable, parse_generated_types
from treido_ls.workspace.schema import SchemaBuilder, SchemaModel

if TYPE_CHECKING:
    from treido_ls.workspace.symbols import SymbolIndex
    from treido_ls.workspace.tags import CacheTagIndex

log = logging.getLogger(__name__)

# When no package.json names `next`, assume the current major (the issue says so).
DEFAULT_NEXT_MAJOR = 16
# Where `supabase gen types typescript` output usually lives, when the config names no file.
GENERATED_TYPES_CANDIDATES = (
    "types/database.types.ts", "lib/database.types.ts", "types/supabase.ts", "lib/supabase/database.types.ts",
    "src/types/database.types.ts", "database.types.ts", "supabase/types.ts",
)
_MAJOR = re.compile(r"(\d+)")


def find_root(start: Path) -> Path:
    folder = start if start.is_dir() else start.parent
    folder = folder.resolve()
    for markers in (CONFIG_NAMES, ("package.json",), (".git",)):
        for candidate in (folder, *folder.parents):
            if any((candidate / marker).exists() for marker in markers):
                return candidate
    return folder


def next_major_from_package(data: object) -> int | None:
    if not isinstance(data, dict):
        return None
    for section in ("dependencies", "devDependencies", "peerDependencies"):
        deps = data.get(section)
        if isinstance(deps, dict) and isinstance(deps.get("next"), str):
            match = _MAJOR.search(deps["next"])
            return int(match.group(1)) if match else DEFAULT_NEXT_MAJOR
    return None


class Project:
    def __init__(self, root: Path, known_rule_ids: Collection[str],
                 config_override: tuple[Path, bytes] | None = None, use_default_config: bool = False) -> None:
        """`config_override` is an editor buffer of the config file, which wins over the disk."""
        self.root = root
        self._known_rule_ids = known_rule_ids
        self.config = Config.default(root) if use_default_config else self._load_config(config_override)
        self._schema: SchemaBuilder | None = None
        self._buffers: dict[Path, bytes] = {}  # open editor text, handed to indexes built later
        # (rel path, mtime_ns, size) of the parsed generated types file, and its tables.
        self._generated: tuple[tuple[str, int, int] | None, dict[tuple[str, str], GeneratedTable]] | None = None
        self._next_major: dict[Path, int] = {}
        self._kind_specs = {
            kind: pathspec.GitIgnoreSpec.from_lines(globs)
            for kind, globs in self.config.project.file_kinds.items()
        }

    def _load_config(self, override: tuple[Path, bytes] | None) -> Config:
        if override is not None:
            return load_config(override[0], self._known_rule_ids, override[1])
        for name in CONFIG_NAMES:
            path = self.root / name
            if path.is_file():
                return load_config(path, self._known_rule_ids)
        return Config.default(self.root)

    @classmethod
    def safe_open(cls, root: Path, known_rule_ids: Collection[str],
                  config_override: tuple[Path, bytes] | None = None) -> Project:
        """Like the constructor, but an unreadable config degrades to defaults (server use)."""
        try:
            return cls(root, known_rule_ids, config_override)
        except ConfigReadError as exc:
            log.warning("cannot read config in %s: %s", root, exc)
            return cls(root, known_rule_ids, use_default_config=True)

    def relpath(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def kind_globs(self, rel_path: str) -> frozenset[str]:
        return frozenset(kind for kind, spec in self._kind_specs.items() if spec.match_file(rel_path))

    def next_major(self, rel_path: str) -> int:
        """Next.js major from the nearest package.json naming `next` (walking up to the root)."""
        folder = (self.root / rel_path).parent
        if folder not in self._next_major:
            self._next_major[folder] = self._read_next_major(folder)
        return self._next_major[folder]

    def _read_next_major(self, folder: Path) -> int:
        for candidate in (folder, *folder.parents):
            package = candidate / "package.json"
            if package.is_file():
                try:
                    major = next_major_from_package(json.loads(package.read_bytes()))
                except (OSError, ValueError):
                    major = None
                if major is not None:
                    return major
            if candidate == self.root:
                break
        return DEFAULT_NEXT_MAJOR

    @cached_property
    def symbols(self) -> SymbolIndex:
        """Cross-file facts (imports, guards, client factories), built lazily on first use."""
        from treido_ls.workspace.symbols import SymbolIndex

        index = SymbolIndex(self.root, self.config)
        for path, source in self._buffers.items():
            index.update_buffer(path, source)
        return index

    def invalidate_file(self, path: Path) -> None:
        """A file changed on disk (or was created/deleted): drop what the symbol index knew of it."""
        if "symbols" in self.__dict__:
            self.symbols.invalidate(path)
        if "cache_tags" in self.__dict__:
            self.cache_tags.invalidate(path)
        self._generated = None

    def update_buffer(self, path: Path, source: bytes) -> None:
        """An open editor buffer: its unsaved text wins over the disk for cross-file facts."""
        self._buffers[path] = source
        if "symbols" in self.__dict__:
            self.symbols.update_buffer(path, source)
        if "cache_tags" in self.__dict__:
            self.cache_tags.update_buffer(path, source)

    def forget_buffer(self, path: Path) -> None:
        self._buffers.pop(path, None)
        if "symbols" in self.__dict__:
            self.symbols.forget_buffer(path)
        if "cache_tags" in self.__dict__:
            self.cache_tags.forget_buffer(path)

    def forget_package_facts(self) -> None:
        self._next_major.clear()

    # --- database schema from the migrations folder ------------------------------------------
    @property
    def migrations_dir(self) -> str:
        return self.config.project.migrations_dir.strip("/")

    def is_migration(self, rel_path: str) -> bool:
        folder, _, name = rel_path.rpartition("/")
        return folder == self.migrations_dir and name.endswith(".sql")

    @property
    def schema_builder(self) -> SchemaBuilder:
        """Migrations replayed in filename order; built on first use, then updated per file."""
        if self._schema is None:
            builder = SchemaBuilder()
            folder = self.root / self.migrations_dir
            for path in sorted(folder.glob("*.sql")) if folder.is_dir() else []:
                try:
                    builder.update(self.relpath(path), path.read_bytes())
                except OSError as exc:
                    log.warning("cannot read migration %s: %s", path, exc)
            self._schema = builder
        return self._schema

    @property
    def schema(self) -> SchemaModel:
        return self.schema_builder.model

    def update_migration(self, rel_path: str, source: bytes) -> bool:
        """An edited (or created) migration; True when the schema's facts changed."""
        return self.schema_builder.update(rel_path, source) if self.is_migration(rel_path) else False

    def remove_migration(self, rel_path: str) -> bool:
        return self.schema_builder.remove(rel_path) if self.is_migration(rel_path) else False

    # --- Supabase generated types (database.types.ts) ----------------------------------------
    @property
    def generated_types_path(self) -> str | None:
        """The generated types file (relative, POSIX): the configured one, else the first that exists."""
        configured = self.config.project.generated_types
        if configured:
            return configured.strip("/")
        return next((rel for rel in GENERATED_TYPES_CANDIDATES if (self.root / rel).is_file()), None)

    @property
    def generated_types(self) -> dict[tuple[str, str], GeneratedTable]:
        """Tables and views of the generated types file keyed by (schema, name); {} without one.

        Re-read when the file's mtime or size changes (one stat per call)."""
        rel = self.generated_types_path
        key: tuple[str, int, int] | None = None
        if rel is not None:
            try:
                stat = (self.root / rel).stat()
                key = (rel, stat.st_mtime_ns, stat.st_size)
            except OSError:
                key = None
        if self._generated is None or self._generated[0] != key:
            self._generated = (key, self._read_generated(key[0]) if key is not None else {})
        return self._generated[1]

    def _read_generated(self, rel: str) -> dict[tuple[str, str], GeneratedTable]:
        try:
            return parse_generated_types((self.root / rel).read_bytes())
        except OSError as exc:
            log.warning("cannot read generated types %s: %s", rel, exc)
            return {}

    def columns_of(self, table: str, schema: str = "public") -> ColumnSet | None:
        """The table's (or view's) columns: generated types first, then migrations; None if unknown."""
        generated = self.generated_types.get((schema, table))
        if generated is not None:
            return ColumnSet(schema, table, frozenset(generated.columns), "generated")
        folded = self.schema.table(table, schema)
        if folded is None or folded.external or not folded.columns_complete:
            return None
        return ColumnSet(schema, table, frozenset(folded.columns), "migrations")

    # --- cache tags ----------------------------------------------------------------------------
    @cached_property
    def cache_tags(self) -> CacheTagIndex:
        """Every cacheTag()/revalidateTag()/updateTag() literal in the project, built lazily."""
        from treido_ls.workspace.tags import CacheTagIndex

        index = CacheTagIndex(self.root, self.config)
        for path, source in self._buffers.items():
            index.update_buffer(path, source)
        return index

