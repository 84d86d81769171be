"""`--changed-since REF`: the files git reports as changed, plus the files whose findings depend on them.

Git runs without a shell, with a timeout, and with repository-controlled hooks and fsmonitor
commands switched off (`-c core.fsmonitor= -c core.hooksPath=/dev/null`): checking a cloned
repository must not run code from it.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections import deque
from collections.abc import Callable
from pathlib import Path

from treido_ls.parsing import lang_for_path
from treido_ls.project import Project
from treido_ls.workspace.config import CONFIG_NAMES

GIT_TIMEOUT = 60
_SAFE_GIT = ("-c", "core.fsmonitor=", "-c", "core.hooksPath=/dev/null", "-c", "diff.external=")
_REF = re.compile(r"^[^\s\-~^:?*\[\\][^\s~^:?*\[\\]*(?:[~^]\d*)*$")
# Files whose content every file's findings may depend on: a change there re-checks everything.
_PROJECT_FACTS = frozenset({"package.json", "jsconfig.json", *CONFIG_NAMES})
# Cache tags are compared project-wide (a revalidated tag that nothing caches): a changed file that
# mentions them re-checks every file that mentions them, import or not.
_TAG_WORDS = (b"cacheTag", b"revalidateTag", b"updateTag", b"unstable_cache")


class GitError(RuntimeError):
    pass


def _git(args: list[str], cwd: Path) -> str:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    try:
        result = subprocess.run(["git", *_SAFE_GIT, *args], cwd=cwd, env=env, capture_output=True,
                                timeout=GIT_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    except FileNotFoundError as exc:
        raise GitError("git is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {args[0]} took more than {GIT_TIMEOUT} s") from exc
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else result.returncode}")
    return result.stdout.decode("utf-8", "surrogateescape")


def changed_files(ref: str, cwd: Path) -> set[Path]:
    """Files changed between REF and HEAD (merge-base diff), plus modified, staged and untracked ones."""
    if not _REF.match(ref) or ".." in ref:
        raise GitError(f"not a plain git ref: {ref!r}")
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    names: list[str] = []
    names += _git(["diff", "--no-ext-diff", "--name-only", "-z", f"{ref}...HEAD", "--"], top).split("\0")
    names += _git(["diff", "--no-ext-diff", "--name-only", "-z", "HEAD", "--"], top).split("\0")
    names += _git(["ls-files", "--others", "--exclude-standard", "-z"], top).split("\0")
    return {(top / name).resolve() for name in names if name}


def is_project_fact(path: Path, project: Project) -> bool:
    name = path.name
    if name in _PROJECT_FACTS or (name.startswith("tsconfig") and name.endswith(".json")):
        return True
    rel = project.relpath(path)
    generated = project.config.project.generated_types
    return project.is_migration(rel) or (generated is not None and rel == generated.strip("./"))


def with_dependents(changed: set[Path], candidates: list[Path], project_of: Callable[[Path], Project]) -> list[Path]:
    """The candidates that changed or (transitively) import a changed file, plus the files using cache
    tags when a changed file uses them; all of them when a project-wide fact (config, package.json,
    tsconfig, a migration, generated types) changed."""
    for path in changed:
        if is_project_fact(path, project_of(path)):
            return candidates
    importers: dict[Path, set[Path]] = {}
    for candidate in candidates:
        for target in _imports(candidate, project_of(candidate)):
            importers.setdefault(target, set()).add(candidate.resolve())
    affected = set(changed)
    if any(_mentions_tags(path) for path in changed):
        affected |= {c.resolve() for c in candidates if _mentions_tags(c)}
    queue = deque(affected)
    while queue:
        for importer in importers.get(queue.popleft(), ()):
            if importer not in affected:
                affected.add(importer)
                queue.append(importer)
    return [c for c in candidates if c.resolve() in affected]


def _mentions_tags(path: Path) -> bool:
    if lang_for_path(path.name) is None:
        return False
    try:
        data = path.read_bytes()
    except OSError:
        return True  # deleted: it may have declared tags that others use
    return any(word in data for word in _TAG_WORDS)


def _imports(path: Path, project: Project) -> set[Path]:
    symbols = project.symbols
    summary = symbols.summary(path.resolve())
    if summary is None:
        return set()
    modules = {module for module, _ in summary.imports.values()}
    modules |= {module for module, _ in summary.reexports.values()} | set(summary.star_exports)
    resolved = (symbols.resolve(path.resolve(), module) for module in modules)
    return {target.resolve() for target in resolved if target is not None}
