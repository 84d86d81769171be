"""Baselines: record today's findings, then report only new ones.

An entry is (rule id, path relative to the baseline file, fingerprint) with a count. The
fingerprint hashes the rule id, the file's project-relative path, the flagged code (whitespace
collapsed) and the name of the enclosing named function, so entries survive unrelated edits and
line shifts; it changes when the flagged code itself or its function's name changes. With
several identical findings in one function, the count says how many are accepted.

The same fingerprint feeds SARIF `partialFingerprints`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tree_sitter import Node, Tree

from treido_ls import syntax
from treido_ls.model import Finding
from treido_ls.positions import LineIndex, decode_source

if TYPE_CHECKING:
    from treido_ls.check import CheckRun, FileReport

VERSION = 1
Key = tuple[str, str, str]  # (rule id, path, fingerprint)
_NAMED_SCOPES = syntax.FUNCTION_TYPES | {"class_declaration", "class", "create_function_stmt"}


class BaselineError(ValueError):
    """The baseline file cannot be read or is not a treido-ls baseline."""


# -- fingerprints ----------------------------------------------------------------------------------


def fingerprints(rel: str, source: bytes, tree: Tree | None, findings: Iterable[Finding]) -> list[str]:
    index: LineIndex | None = None
    result: list[str] = []
    for finding in findings:
        flagged = source[finding.start : finding.end]
        if not flagged.strip():
            index = index or LineIndex(source)
            flagged = index.line_bytes(index.line_of(finding.start))
        scope = enclosing_name(tree.root_node, finding.start, finding.end) if tree is not None else ""
        text = " ".join(decode_source(flagged).split())
        digest = hashlib.blake2b("\0".join((finding.rule_id, rel, text, scope)).encode("utf-8", "surrogatepass"),
                                 digest_size=10)
        result.append(digest.hexdigest())
    return result


def enclosing_name(root: Node, start: int, end: int) -> str:
    """Name of the innermost named function (or class) around [start, end): `a.b` style for methods."""
    node: Node | None = root.descendant_for_byte_range(start, max(start, end))
    names: list[str] = []
    while node is not None:
        if node.type in _NAMED_SCOPES:
            name = _scope_name(node)
            if name:
                names.append(name)
                if node.type not in ("method_definition",):
                    break
        node = node.parent
    return ".".join(reversed(names))


def _scope_name(node: Node) -> str:
    name = node.child_by_field_name("name")
    parent = node.parent
    if name is None and parent is not None:
        if parent.type == "variable_declarator":
            name = parent.child_by_field_name("name")
        elif parent.type in ("pair", "public_field_definition"):
            name = parent.child_by_field_name("key") or parent.child_by_field_name("name")
        elif parent.type == "assignment_expression":
            name = parent.child_by_field_name("left")
        elif parent.type == "export_statement":
            return "default"
    return syntax.text(name) if name is not None else ""


# -- baseline files --------------------------------------------------------------------------------


@dataclass(slots=True)
class Baseline:
    counts: Counter[Key] = field(default_factory=Counter)
    messages: dict[Key, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            data = json.loads(path.read_bytes())
        except OSError as exc:
            raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from exc
        except ValueError as exc:
            raise BaselineError(f"baseline {path} is not JSON: {exc}") from exc
        if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("entries"), list):
            raise BaselineError(f"{path} is not a treido-ls baseline (version {VERSION})")
        baseline = cls()
        for entry in data["entries"]:
            try:
                key = (str(entry["rule"]), str(entry["path"]), str(entry["fingerprint"]))
                baseline.counts[key] += int(entry.get("count", 1))
            except (KeyError, TypeError, ValueError) as exc:
                raise BaselineError(f"{path}: malformed entry {entry!r}") from exc
            baseline.messages.setdefault(key, str(entry.get("message", "")))
        return baseline

    @classmethod
    def from_run(cls, run: CheckRun, folder: Path) -> Baseline:
        baseline = cls()
        for report in run.reports:
            for finding, key in zip(report.findings, keys(report, folder), strict=True):
                baseline.counts[key] += 1
                baseline.messages.setdefault(key, finding.message)
        return baseline

    def save(self, path: Path) -> None:
        entries = [
            {"rule": key[0], "path": key[1], "fingerprint": key[2], "count": count,
             "message": self.messages.get(key, "")}
            for key, count in sorted(self.counts.items()) if count > 0
        ]
        text = json.dumps({"version": VERSION, "tool": "treido-ls", "entries": entries}, indent=2, ensure_ascii=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")

    def __len__(self) -> int:
        return sum(self.counts.values())

    def subtract(self, run: CheckRun, folder: Path, only: set[Path] | None = None) -> Counter[Key]:
        """Drop baselined findings from `run` (of the reports whose root is in `only`, if given);
        returns how many findings matched each entry (for pruning)."""
        budget = Counter(self.counts)
        matched: Counter[Key] = Counter()
        for report in run.reports:
            if only is not None and report.root not in only:
                continue
            report_keys = keys(report, folder)
            kept = []
            for position, key in enumerate(report_keys):
                if budget[key] > 0:
                    budget[key] -= 1
                    matched[key] += 1
                else:
                    kept.append(position)
            report.findings = [report.findings[i] for i in kept]
            report.fingerprints = [report.fingerprints[i] for i in kept]
        return matched

    def accepted(self, path: Path, folder: Path, findings: list[Finding], prints: list[str]) -> list[bool]:
        """For one file (the server's use): which of its findings the baseline accepts."""
        budget = Counter(self.counts)
        where = baseline_path(path, folder)
        result = []
        for finding, fingerprint in zip(findings, prints, strict=True):
            key = (finding.rule_id, where, fingerprint)
            result.append(budget[key] > 0)
            budget[key] -= 1
        return result

    def pruned(self, matched: Counter[Key], checked_paths: set[str]) -> Baseline:
        """Entries of files that were checked keep only what still matched; others stay as they are."""
        result = Baseline(messages=dict(self.messages))
        for key, count in self.counts.items():
            result.counts[key] = min(count, matched[key]) if key[1] in checked_paths else count
        result.counts = +result.counts  # drop zero counts
        return result


def keys(report: FileReport, folder: Path) -> list[Key]:
    path = baseline_path(report.path, folder)
    return [(f.rule_id, path, fp) for f, fp in zip(report.findings, report.fingerprints, strict=True)]


def baseline_path(path: Path, folder: Path) -> str:
    """`path` relative to the baseline file's folder, POSIX style, so any working directory works."""
    try:
        return Path(os.path.relpath(path.resolve(), folder.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.resolve().as_posix()
