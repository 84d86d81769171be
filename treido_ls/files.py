"""Which files on disk `treido-ls check` reads: lintable suffixes, minus build output and ignores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pathspec

from treido_ls.parsing import lang_for_path
from treido_ls.workspace.config import CONFIG_NAMES

SKIPPED_DIRS = frozenset(
    {"node_modules", ".next", ".git", ".vercel", ".turbo", ".treido-cache", "dist", "build", "out",
     "coverage", ".svelte-kit", ".output", "__pycache__"}
)


class IgnoreStack:
    """The .gitignore files from the walk's start down to the current folder."""

    def __init__(self) -> None:
        self._specs: list[tuple[Path, pathspec.GitIgnoreSpec]] = []

    def push(self, folder: Path) -> bool:
        ignore_file = folder / ".gitignore"
        if not ignore_file.is_file():
            return False
        try:
            lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return False
        self._specs.append((folder, pathspec.GitIgnoreSpec.from_lines(lines)))
        return True

    def pop(self) -> None:
        self._specs.pop()

    def ignored(self, path: Path, is_dir: bool) -> bool:
        for folder, spec in self._specs:
            rel = path.relative_to(folder).as_posix() + ("/" if is_dir else "")
            if spec.match_file(rel):
                return True
        return False


def discover(paths: list[Path]) -> Iterator[Path]:
    """Files to lint under `paths` (files named explicitly are always taken), sorted per folder."""
    seen: set[Path] = set()
    for start in paths:
        if start.is_file():
            resolved = start.resolve()
            if resolved not in seen and (is_lintable(start) or start.name in CONFIG_NAMES):
                seen.add(resolved)
                yield start
            continue
        for found in _walk(start, IgnoreStack()):
            resolved = found.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield found


def is_lintable(path: Path) -> bool:
    return lang_for_path(path.name) is not None


def _walk(folder: Path, ignores: IgnoreStack) -> Iterator[Path]:
    pushed = ignores.push(folder)
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        entries = []
    for entry in entries:
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            if entry.name in SKIPPED_DIRS or ignores.ignored(path, True):
                continue
            yield from _walk(path, ignores)
        elif (entry.is_file() and (is_lintable(path) or entry.name in CONFIG_NAMES)
              and not ignores.ignored(path, False)):
            yield path
    if pushed:
        ignores.pop()
