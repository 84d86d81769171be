"""Grammars and parsers: which tree-sitter language a file uses, and one parser per language."""

from __future__ import annotations

import enum
from functools import cache
from pathlib import PurePosixPath

from tree_sitter import Language, Parser, Tree


class Lang(enum.Enum):
    TYPESCRIPT = "typescript"
    TSX = "tsx"
    SQL = "sql"

    @property
    def is_script(self) -> bool:
        return self is not Lang.SQL


_BY_SUFFIX = {
    ".ts": Lang.TYPESCRIPT,
    ".mts": Lang.TYPESCRIPT,
    ".cts": Lang.TYPESCRIPT,
    ".js": Lang.TYPESCRIPT,
    ".mjs": Lang.TYPESCRIPT,
    ".cjs": Lang.TYPESCRIPT,
    ".tsx": Lang.TSX,
    ".jsx": Lang.TSX,
    ".sql": Lang.SQL,
}

_BY_LANGUAGE_ID = {
    "typescript": Lang.TYPESCRIPT,
    "javascript": Lang.TYPESCRIPT,
    "typescriptreact": Lang.TSX,
    "javascriptreact": Lang.TSX,
    "sql": Lang.SQL,
    "pgsql": Lang.SQL,
    "postgres": Lang.SQL,
}

LINTABLE_SUFFIXES = frozenset(_BY_SUFFIX)


def lang_for_path(path: str) -> Lang | None:
    suffix = PurePosixPath(path).suffix.lower()
    if path.endswith(".d.ts"):
        return None  # declarations carry no runtime code
    return _BY_SUFFIX.get(suffix)


def lang_for_document(language_id: str | None, path: str) -> Lang | None:
    """The file extension decides when it is known (a .tsx opened as 'typescript' still has JSX)."""
    by_path = lang_for_path(path)
    if by_path is not None:
        return by_path
    return _BY_LANGUAGE_ID.get((language_id or "").lower())


@cache
def language(lang: Lang) -> Language:
    if lang is Lang.SQL:
        import tree_sitter_postgres

        return Language(tree_sitter_postgres.language())
    import tree_sitter_typescript

    if lang is Lang.TSX:
        return Language(tree_sitter_typescript.language_tsx())
    return Language(tree_sitter_typescript.language_typescript())


@cache
def parser(lang: Lang) -> Parser:
    return Parser(language(lang))


# Grammar of each live tree, by its root node's id: lets node-level helpers run compiled queries
# (in C) instead of walking nodes in Python. Every tree the engine analyses comes from `parse`, which
# re-registers the id, so an id reused by a later tree never keeps a stale grammar.
_TREE_LANGS: dict[int, tuple[Lang, int]] = {}
_MAX_REGISTERED = 4096
_generation = 0


def parse(lang: Lang, source: bytes, old_tree: Tree | None = None) -> Tree:
    global _generation
    tree = parser(lang).parse(source) if old_tree is None else parser(lang).parse(source, old_tree)
    if len(_TREE_LANGS) >= _MAX_REGISTERED:
        _TREE_LANGS.clear()
    _generation += 1
    _TREE_LANGS[tree.root_node.id] = (lang, _generation)
    return tree


def tree_identity(root_id: int) -> tuple[Lang, int] | None:
    """The grammar of a live tree and a number unique to it (root ids can be reused by later trees)."""
    return _TREE_LANGS.get(root_id)
