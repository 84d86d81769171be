"""The engine: pick the rules for a file, run them contained, apply config and suppressions.

The server and the CLI both call `lint`, so they report the same findings for the same text.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace

from tree_sitter import Tree

from treido_ls.context import FileContext
from treido_ls.model import Finding, Severity
from treido_ls.parsing import Lang
from treido_ls.positions import LineIndex
from treido_ls.project import Project
from treido_ls.registry import ENGINE_RULES, Rule, load_rules, rule_ids
from treido_ls.suppressions import apply_suppressions, parse_suppressions

log = logging.getLogger(__name__)

RULE_ERROR = "treido/rule-error"
CONFIG_ERROR = "treido/config-error"


@dataclass(slots=True)
class LintResult:
    findings: list[Finding]
    crashed_rules: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    skipped_rules: list[str] = field(default_factory=list)  # not run: the time budget ran out


def effective_severity(rule: Rule, project: Project, rel_path: str) -> tuple[Severity | None, dict[str, object]]:
    """Config decides (with overrides); unconfigured rules use their default severity."""
    setting = project.config.rule_setting(rule.id, rel_path)
    if setting is None:
        return rule.doc.severity, {}
    return setting.severity, dict(setting.options)


def rule_applies(rule: Rule, ctx: FileContext) -> bool:
    contexts = rule.doc.contexts or ("typescript",)
    return any(kind in ctx.kinds for kind in contexts)


def lint(path: str, source: bytes, tree: Tree, lang: Lang, index: LineIndex, project: Project,
         budget_ms: float | None = None) -> LintResult:
    """Lint one file. `path` is relative to the project root (POSIX).

    With `budget_ms` (the server), rules that would start after the budget is spent are skipped and
    listed in `skipped_rules`: one pathological file must not stall the editor. The time is checked
    between rules only; a check itself cannot be interrupted."""
    began = time.perf_counter()
    ctx = FileContext(path, source, tree, lang, index, project)
    findings: list[Finding] = []
    crashed: list[str] = []
    skipped: list[str] = []
    ran: set[str] = set()
    for rule in load_rules().values():
        if rule.check is None:
            continue
        severity, options = effective_severity(rule, project, path)
        if severity is None or not rule_applies(rule, ctx):
            continue
        if budget_ms is not None and (skipped or (time.perf_counter() - began) * 1000 > budget_ms):
            skipped.append(rule.id)
            continue
        ctx.options = options
        ctx.rule = rule.doc
        try:
            violations = list(rule.check(ctx))
        except Exception as exc:  # a broken rule must not take the others down
            log.exception("rule %s failed on %s", rule.id, path)
            crashed.append(rule.id)
            findings.append(_rule_error(rule.id, exc, project, path))
            continue
        ran.add(rule.id)
        for violation in violations:
            findings.append(
                Finding(rule.id, violation.severity or severity, violation.start, violation.end,
                        violation.message, violation.fixes, violation.related, violation.data)
            )
    parsed = parse_suppressions(tree, source, index, rule_ids(), project.config.require_suppression_reason)
    findings = apply_suppressions(findings, parsed, index, ran)
    findings = [f for f in findings if _enabled(f, project, path)]
    _attach_related_sources(findings, project, path, source)
    findings.sort(key=Finding.sort_key)
    if skipped:
        log.warning("lint of %s over the %s ms budget: skipped %s", path, budget_ms, ", ".join(skipped))
    return LintResult(findings, crashed, (time.perf_counter() - began) * 1000, skipped)


def _enabled(finding: Finding, project: Project, path: str) -> bool:
    """Engine findings obey config too (someone may turn unused-suppression off)."""
    if finding.rule_id not in ENGINE_RULES:
        return True
    setting = project.config.rule_setting(finding.rule_id, path)
    if setting is None:
        return True
    if setting.severity is None:
        return False
    finding.severity = setting.severity
    return True


def _attach_related_sources(findings: list[Finding], project: Project, path: str, source: bytes) -> None:
    """Related locations carry their file's text so that front ends can turn bytes into positions."""
    cache: dict[str, bytes | None] = {path: source}
    for finding in findings:
        for i, related in enumerate(finding.related):
            if related.source is not None:
                continue
            if related.path not in cache:
                try:
                    cache[related.path] = (project.root / related.path).read_bytes()
                except OSError:
                    cache[related.path] = None
            finding.related[i] = replace(related, source=cache[related.path])


def _rule_error(rule_id: str, exc: Exception, project: Project, path: str) -> Finding:
    message = (f"Rule `{rule_id}` failed on this file ({type(exc).__name__}: {exc}); "
               "its findings are missing. Please report this bug.")
    return Finding(RULE_ERROR, Severity.WARNING, 0, 0, message, data={"rule": rule_id})


def config_findings(project: Project) -> list[Finding]:
    """`treido/config-error` findings for the project's config file."""
    return [
        Finding(CONFIG_ERROR, Severity.ERROR, problem.start, problem.end, problem.message)
        for problem in project.config.problems
    ]


def lint_source(project: Project, rel_path: str, source: bytes) -> LintResult:
    """Parse and lint text that is not open in an editor (CLI, tests)."""
    from treido_ls.parsing import lang_for_path, parse

    lang = lang_for_path(rel_path)
    if lang is None:
        return LintResult([])
    return lint(rel_path, source, parse(lang, source), lang, LineIndex(source), project)
