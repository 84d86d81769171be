"""Result cache of `treido-ls check`: `.treido-cache/results-v1.json` in each project root.

Findings of one file depend on other files too (guard helpers it imports, migrations, package.json,
tsconfig paths, cache tags elsewhere), and the rules do not declare which. So the cache is keyed
conservatively: one run key per project = tool version + a hash of the tool's own code and rule
files + the config + a hash of the content of every file of the project that any rule could read
(scripts, SQL, JSON, whatever .gitignore says); within it, one entry per file keyed by the file's
content hash. Any change anywhere in the project invalidates every entry: simple and correct, at
the price of fewer hits after an edit. It pays off when nothing changed (CI re-runs, repeated
pre-commit runs, checking a subset).

The file is JSON, never pickle: a cache directory inside a cloned repository is untrusted input.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from treido_ls import __version__
from treido_ls.files import SKIPPED_DIRS
from treido_ls.model import Applicability, Edit, FileEdit, Finding, Fix, Related, Severity
from treido_ls.parsing import lang_for_path
from treido_ls.registry import rules_dir
from treido_ls.workspace import git_state
from treido_ls.workspace.config import CONFIG_NAMES, Config

log = logging.getLogger(__name__)

CACHE_DIR = ".treido-cache"
CACHE_FILE = "results-v1.json"
_FACT_FILES = frozenset({"package.json", "tsconfig.json", "jsconfig.json", *CONFIG_NAMES})
_MAX_HASHED = 4 * 1024 * 1024


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@cache
def tool_hash() -> str:
    """The version, the parser versions, and the content of the package's code and rule files (a
    development checkout changes without a version bump)."""
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    for dependency in ("tree-sitter", "tree-sitter-typescript", "tree-sitter-postgres"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            h.update(f"{dependency}={metadata.version(dependency)}".encode())
    package = Path(__file__).resolve().parent
    for base, pattern in ((package, "*.py"), (rules_dir(), "*.md")):
        for path in sorted(base.rglob(pattern)):
            h.update(path.relative_to(base).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def project_hash(root: Path) -> str:
    """Content hash of every file under `root` that a rule could read as a fact."""
    h = hashlib.blake2b(digest_size=16)
    for rel, path in _fact_files(root):
        h.update(rel.encode("utf-8", "surrogatepass") + b"\0")
        try:
            size = path.stat().st_size
            h.update(path.read_bytes() if size <= _MAX_HASHED else f"{size}:{path.stat().st_mtime_ns}".encode())
        except OSError:
            h.update(b"<unreadable>")
    return h.hexdigest()


def _fact_files(root: Path) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(names):
            if name in _FACT_FILES or name.startswith("tsconfig") or lang_for_path(name) is not None:
                path = Path(folder, name)
                found.append((path.relative_to(root).as_posix(), path))
    return found


class ResultCache:
    def __init__(self, root: Path, config: Config) -> None:
        self.root = root
        self.file = root / CACHE_DIR / CACHE_FILE
        config_id = f"{config.path}\0".encode() + config.source
        # Which migrations are committed changes SQL findings without changing any file's content.
        committed = git_state.fingerprint(root, config.project.migrations_dir)
        parts = (tool_hash(), digest(config_id), project_hash(root), digest(committed.encode()))
        self.key = digest(":".join(parts).encode())
        self._entries: dict[str, Any] = {}
        self._dirty = False
        self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.file.read_bytes())
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("key") == self.key and isinstance(data.get("files"), dict):
            self._entries = data["files"]

    def get(self, rel: str, source: bytes) -> tuple[list[Finding], list[str]] | None:
        entry = self._entries.get(rel)
        if not isinstance(entry, dict) or entry.get("digest") != digest(source):
            return None
        try:
            findings = [finding_from_json(item, self.root) for item in entry["findings"]]
            prints = [str(p) for p in entry["fingerprints"]]
        except (KeyError, TypeError, ValueError):
            return None
        return (findings, prints) if len(prints) == len(findings) else None

    def put(self, rel: str, source: bytes, findings: list[Finding], prints: list[str]) -> None:
        try:
            entry = {"digest": digest(source), "findings": [finding_to_json(f) for f in findings],
                     "fingerprints": prints}
            json.dumps(entry)  # data from a rule may not be JSON: then the file is simply not cached
        except (TypeError, ValueError):
            return
        self._entries[rel] = entry
        self._dirty = True

    def save(self) -> None:
        if not self._dirty:
            return
        folder = self.file.parent
        try:
            folder.mkdir(exist_ok=True)
            ignore = folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# created by treido-ls\n*\n", encoding="utf-8")
            temporary = folder / f".{CACHE_FILE}.{os.getpid()}.tmp"
            temporary.write_text(json.dumps({"key": self.key, "files": self._entries}), encoding="utf-8")
            os.replace(temporary, self.file)  # atomic: a concurrent run reads the old or the new file
        except OSError as exc:
            log.info("cannot write the cache in %s: %s", folder, exc)


def finding_to_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule_id, "severity": int(finding.severity), "start": finding.start, "end": finding.end,
        "message": finding.message, "data": finding.data,
        "fixes": [{"title": fix.title, "applicability": fix.applicability.value,
                   "edits": [[e.start, e.end, e.text] for e in fix.edits],
                   "files": [[f.path, f.text, f.create] for f in fix.file_edits]} for fix in finding.fixes],
        "related": [[r.path, r.start, r.end, r.message] for r in finding.related],
    }


def finding_from_json(item: dict[str, Any], root: Path) -> Finding:
    fixes = [
        Fix(str(fix["title"]), tuple(Edit(int(s), int(e), str(t)) for s, e, t in fix["edits"]),
            Applicability(fix["applicability"]),
            tuple(FileEdit(str(p), str(t), bool(c)) for p, t, c in fix["files"]))
        for fix in item["fixes"]
    ]
    related = [Related(str(p), int(s), int(e), str(m), _read(root / str(p))) for p, s, e, m in item["related"]]
    data = item.get("data")
    return Finding(str(item["rule"]), Severity(int(item["severity"])), int(item["start"]), int(item["end"]),
                   str(item["message"]), fixes, related, data if isinstance(data, dict) else {})


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
