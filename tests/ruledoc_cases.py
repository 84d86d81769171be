"""Turns rule files into runnable cases: the code users read in the docs is the code we test.

A case is one section (Example, Use instead) or one `### ` test under `## Tests`. Within a case:
- a ```json settings``` block is the project's treido.json;
- a block whose path is treido.json/treido.jsonc is the config under test (markers work in JSONC);
- other blocks with a path and lang json are support files (package.json, tsconfig.json);
- code blocks are all written to disk first (so the schema folds every migration of the case and
  blocks can import later ones), then linted in order; a block is rewritten just before it is
  linted, so two blocks may share a path;
- a case with SQL runs in a fresh git repository without commits: its migrations count as not
  yet committed (the migration being written);
- a ```fixed``` block is the previous code block after the rule's fixes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from treido_ls.fixes import apply_edits, fixes_to_apply
from treido_ls.linter import config_findings, lint_source
from treido_ls.model import Finding
from treido_ls.positions import LineIndex
from treido_ls.project import Project
from treido_ls.registry import rule_ids
from treido_ls.ruledoc import CodeBlock, Expectation, RuleDoc

DEFAULT_PACKAGE = {"name": "fixture", "dependencies": {"next": "16.0.0", "zod": "^4.1.0"}}
CONFIG_NAMES = ("treido.json", "treido.jsonc")


@dataclass
class Case:
    doc: RuleDoc
    name: str
    section: str
    blocks: list[CodeBlock] = field(default_factory=list)

    @property
    def test_id(self) -> str:
        return f"{self.doc.id}::{self.name}"


def cases_of(doc: RuleDoc) -> list[Case]:
    cases: dict[tuple[str, str | None], Case] = {}
    for block in doc.blocks:
        section = "Example" if block.section == "Fix" else block.section
        key = (section, block.subsection if section == "Tests" else None)
        name = block.subsection if section == "Tests" and block.subsection else section
        cases.setdefault(key, Case(doc, name, section)).blocks.append(block)
    return list(cases.values())


def default_path(block: CodeBlock) -> str:
    return {"tsx": "app/example.tsx", "sql": "supabase/migrations/20250101000000_example.sql"}.get(
        block.lang, "app/example.ts"
    )


@dataclass
class LintedBlock:
    block: CodeBlock
    path: str
    source: bytes
    findings: list[Finding]
    fixed: bytes | None = None


def run_case(case: Case, root: Path) -> list[LintedBlock]:
    """Write the case's files under `root`, lint every code block, apply fixes when asked."""
    (root / "package.json").write_text(json.dumps(DEFAULT_PACKAGE))
    for block in case.blocks:
        if block.kind == "settings":
            (root / "treido.json").write_text(block.code)
        elif block.path and block.lang in ("json", "jsonc") and block.path not in CONFIG_NAMES:
            _write(root, block.path, block.code)
    code_blocks = [b for b in case.blocks if b.kind == "code"]
    for block in code_blocks:
        path = block.path or default_path(block)
        if path not in CONFIG_NAMES:  # a config under test applies from its own block on
            _write(root, path, block.code)
    if any(b.lang == "sql" for b in code_blocks):
        _init_git(root)
    results: list[LintedBlock] = []
    for block in case.blocks:
        if block.kind == "fixed" and results:
            previous = results[-1]
            fixes = fixes_to_apply(
                [f for f in previous.findings if f.rule_id == case.doc.id], include_unsafe=True
            )
            previous.fixed = apply_edits(previous.source, [e for fix in fixes for e in fix.edits])
            continue
        if block.kind != "code":
            continue
        path = block.path or default_path(block)
        source = block.code.encode("utf-8")
        _write(root, path, block.code)
        if path in CONFIG_NAMES:
            project = Project(root, rule_ids())
            results.append(LintedBlock(block, path, source, config_findings(project)))
        elif block.lang in ("ts", "tsx", "sql", "js", "jsx"):
            project = Project(root, rule_ids())
            results.append(LintedBlock(block, path, source, lint_source(project, path, source).findings))
    return results


def _init_git(root: Path) -> None:
    if shutil.which("git") is not None:
        subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q"], cwd=root, check=True,
                       capture_output=True, timeout=10)


def _write(root: Path, rel: str, text: str) -> None:
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode("utf-8"))


def check_expectations(linted: LintedBlock, own_rule: str) -> list[str]:
    """Compare findings with `// error:` markers; returns human-readable mismatches."""
    index = LineIndex(linted.source)
    problems: list[str] = []
    expected = linted.block.expectations
    checked_rules = {own_rule} | {e.rule_id for e in expected}
    actual = [f for f in linted.findings if f.rule_id in checked_rules]
    for expectation in expected:
        match = _matching(actual, expectation, index)
        if match is None:
            problems.append(f"line {expectation.line + 1}: expected [{expectation.rule_id}]"
                            + (f' "{expectation.text}"' if expectation.text else ""))
        else:
            actual.remove(match)
    for finding in actual:
        problems.append(f"line {index.line_of(finding.start) + 1}: unexpected [{finding.rule_id}] "
                        f"{finding.message}")
    return problems


def _matching(findings: list[Finding], expectation: Expectation, index: LineIndex) -> Finding | None:
    for finding in findings:
        if finding.rule_id != expectation.rule_id or index.line_of(finding.start) != expectation.line:
            continue
        if expectation.text is not None and expectation.text not in finding.message:
            continue
        if expectation.column is not None and index.column(finding.start) != expectation.column:
            continue
        return finding
    return None
