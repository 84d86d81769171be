"""Which migrations are committed to git: history is quiet, the migration being written is checked.

`committed_paths(root, folder)` lists the files git's HEAD holds under `folder` (POSIX paths relative
to `root`, the project root) by running `git ls-tree`, which reads only the object store: no
repository hook, fsmonitor or filter runs, and both are switched off on the command line anyway.
Results are cached per (root, folder) for a few seconds, because every migration file asks.

When the answer is unknown (git missing, not a repository, a timeout), `committed_paths` returns
None and `is_committed` says True: rules that only speak about uncommitted files stay quiet rather
than flag a whole history. A repository without any commit yet has nothing committed.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

CACHE_SECONDS = 3.0
GIT_TIMEOUT_SECONDS = 5.0
# Config switched off for every call: no fsmonitor daemon, no hooks.
_SAFE_GIT = ("git", "-c", "core.fsmonitor=", "-c", "core.hooksPath=/dev/null")

_cache: dict[tuple[str, str], tuple[float, frozenset[str] | None]] = {}


def committed_paths(root: Path, folder: str) -> frozenset[str] | None:
    """Files under `folder` in HEAD (relative to `root`), or None when git cannot tell."""
    key = (str(root), folder.strip("/"))
    now = time.monotonic()
    cached = _cache.get(key)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    result = _ls_tree(root, key[1])
    _cache[key] = (now, result)
    return result


def is_committed(root: Path, folder: str, rel_path: str) -> bool:
    """True when `rel_path` is in HEAD, or when git cannot tell (see the module docstring)."""
    paths = committed_paths(root, folder)
    return paths is None or rel_path in paths


def fingerprint(root: Path, folder: str) -> str:
    """A short text that changes when the committed set changes (for result caches: findings of
    migrations depend on it, not only on file contents)."""
    paths = committed_paths(root, folder)
    return "unknown" if paths is None else "\n".join(sorted(paths))


def clear_cache() -> None:
    _cache.clear()


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run(
            [*_SAFE_GIT, *args], cwd=root, timeout=GIT_TIMEOUT_SECONDS, capture_output=True, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None


def _ls_tree(root: Path, folder: str) -> frozenset[str] | None:
    # Without --full-name, ls-tree prints paths relative to the working directory (the root).
    done = _run(root, "ls-tree", "-r", "--name-only", "-z", "HEAD", "--", folder or ".")
    if done is None:
        return None
    if done.returncode == 0:
        names = done.stdout.decode("utf-8", "surrogateescape").split("\0")
        return frozenset(name for name in names if name)
    return frozenset() if _is_unborn_repository(root) else None


def _is_unborn_repository(root: Path) -> bool:
    """A repository whose HEAD has no commit yet (ls-tree HEAD fails there too)."""
    inside = _run(root, "rev-parse", "--is-inside-work-tree")
    if inside is None or inside.returncode != 0 or inside.stdout.strip() != b"true":
        return False
    head = _run(root, "rev-parse", "--verify", "--quiet", "HEAD")
    return head is not None and head.returncode != 0
