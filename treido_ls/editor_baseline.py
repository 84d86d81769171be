"""The config's `baseline` in the editor: accepted findings are hidden, or shown as hints.

The CLI drops baselined findings (`check_command._apply_baselines`); the server applies the same
baseline file per file with `Baseline.accepted`, so the editor and CI agree on what is new.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from tree_sitter import Tree

from treido_ls.baseline import Baseline, BaselineError, fingerprints
from treido_ls.model import Finding, Severity
from treido_ls.project import Project

log = logging.getLogger(__name__)

# baseline file -> ((mtime_ns, size), loaded baseline or None when unreadable)
_loaded: dict[Path, tuple[tuple[int, int], Baseline | None]] = {}


def baseline_file(project: Project) -> Path | None:
    name = project.config.baseline
    return (project.config.root / name).resolve() if name else None


def load(path: Path) -> Baseline | None:
    """The baseline at `path`, re-read when it changes on disk; None when missing or invalid."""
    try:
        stat = path.stat()
    except OSError:
        _loaded.pop(path, None)
        return None
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _loaded.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        baseline: Baseline | None = Baseline.load(path)
    except BaselineError as exc:
        log.warning("%s", exc)
        baseline = None
    _loaded[path] = (key, baseline)
    return baseline


def apply_baseline(project: Project, rel: str, source: bytes, tree: Tree | None, findings: list[Finding],
                   mode: str) -> list[Finding]:
    """`findings` without the baselined ones (mode "hide"), or with those turned into hints ("hint")."""
    file = baseline_file(project)
    if file is None or not findings:
        return findings
    baseline = load(file)
    if baseline is None or not len(baseline):
        return findings
    prints = fingerprints(rel, source, tree, findings)
    accepted = baseline.accepted(project.root / rel, file.parent, findings, prints)
    if mode == "hint":
        return [dataclasses.replace(f, severity=Severity.HINT, data={**f.data, "baselined": True}) if ok else f
                for f, ok in zip(findings, accepted, strict=True)]
    return [f for f, ok in zip(findings, accepted, strict=True) if not ok]
