"""`--format audit`: the playbook's audit payload (BACKEND lane), ready for an orchestrator to merge.

Markdown only: `## BACKEND`, then Scope, a Findings table (`BE-001`, ...), Acceptance Checks and
Risks, as the audit payload contract asks. Severity is mapped from the rule:
- with a `security_severity` score, its band as GitHub shows it (9.0+ Critical, 7.0+ High,
  4.0+ Medium, else Low), never below High for an error-level finding;
- without one: error High, warning Medium, info and hint Low.
The fix column is the finding's own fix title, else the rule's `fix_title`, else the first
sentence of the rule's "Fix" or "Use instead" prose.
"""

from __future__ import annotations

import re
import shlex

from treido_ls.formats._common import Output, Positions, display_path
from treido_ls.model import Applicability, Finding, Severity
from treido_ls.registry import load_rule_docs
from treido_ls.ruledoc import RuleDoc

LANE = "BACKEND"
PREFIX = "BE"
LEVELS = ("Low", "Medium", "High", "Critical")
_BASE = {Severity.ERROR: "High", Severity.WARNING: "Medium", Severity.INFO: "Low", Severity.HINT: "Low"}
_SENTENCE = re.compile(r"(.+?[.!?])(\s|$)")


def audit_severity(severity: Severity, doc: RuleDoc | None) -> str:
    base = _BASE[severity]
    try:
        score = float(doc.security_severity) if doc is not None and doc.security_severity else None
    except ValueError:
        score = None
    if score is None:
        return base
    band = "Critical" if score >= 9.0 else "High" if score >= 7.0 else "Medium" if score >= 4.0 else "Low"
    if severity == Severity.ERROR:
        return max(band, base, key=LEVELS.index)
    return band


def fix_recipe(finding: Finding, doc: RuleDoc | None) -> str:
    own = next((f.title for f in finding.fixes if f.applicability is not Applicability.DISPLAY_ONLY), None)
    if own:
        return own
    if doc is None:
        return f"see `treido-ls rule {finding.rule_id}`"
    if doc.fix_title:
        return doc.fix_title
    for section in ("Fix", "Use instead"):
        sentence = _first_sentence(doc.sections.get(section, ""))
        if sentence:
            return sentence
    return f"apply the rule's recipe: `treido-ls rule {doc.id}`"


def _first_sentence(markdown: str) -> str | None:
    prose: list[str] = []
    in_code = False
    for line in markdown.split("\n"):
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code or re.fullmatch(r"\s*`[^`]+`:\s*", line):
            continue
        if not line.strip():
            if prose:
                break
            continue
        prose.append(line.strip())
    match = _SENTENCE.match(" ".join(prose))
    text = match.group(1) if match else " ".join(prose)
    return text[:200] or None


def cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(output: Output) -> str:
    docs = load_rule_docs()
    rows: list[tuple[str, str, str, str]] = []
    files: list[str] = []
    rule_ids: dict[str, None] = {}
    for report in output.run.reports:
        if not report.findings:
            continue
        path = display_path(report.path, output.base)
        files.append(path)
        positions = Positions(report.source)
        for finding in report.findings:
            doc = docs.get(finding.rule_id)
            rule_ids[finding.rule_id] = None
            rows.append((audit_severity(finding.severity, doc), f"{path}:{positions.line(finding.start)}",
                         f"{finding.message} (`{finding.rule_id}`)", fix_recipe(finding, doc)))
    rows.sort(key=lambda row: -LEVELS.index(row[0]))  # stable: file order within a severity
    lines = [f"## {LANE}", "", "### Scope", "- Files:"]
    lines += [f"  - {path}" for path in (files or output.paths or ["."])]
    lines += [f"- Lines: n/a ({len(output.run.reports)} files checked)", "", "### Findings",
              "| ID | Severity | File:Line | Issue | Fix |", "|----|----------|-----------|-------|-----|"]
    for number, (severity, where, issue, fix) in enumerate(rows, 1):
        lines.append(f"| {PREFIX}-{number:03d} | {severity} | {cell(where)} | {cell(issue)} | {cell(fix)} |")
    if not rows:
        lines.append("| - | - | - | No findings | - |")
    lines += ["", "### Acceptance Checks", *_checks(output, list(rule_ids)), "", "### Risks",
              *_risks(output, list(rule_ids), docs)]
    return "\n".join(lines) + "\n"


def _checks(output: Output, rule_ids: list[str]) -> list[str]:
    targets = " ".join(shlex.quote(p) for p in output.paths) or "."
    checks = [f"- [ ] `treido-ls check {targets}` exits 0"]
    if rule_ids:
        checks.insert(0, f"- [ ] `treido-ls check --select {','.join(rule_ids)} {targets}` reports no findings")
        checks.append("- [ ] Typecheck and lint pass after the fixes")
    if any(rule.startswith("stripe/") for rule in rule_ids):
        checks.append("- [ ] Webhook smoke test passes: `REUSE_EXISTING_SERVER=true pnpm -s test:e2e:smoke`")
    return checks


def _risks(output: Output, rule_ids: list[str], docs: dict[str, RuleDoc]) -> list[str]:
    risks: list[str] = []
    unsafe = [r for r in rule_ids if r in docs and docs[r].applicability is Applicability.UNSAFE]
    if unsafe:
        risks.append(f"- Fixes for {', '.join(f'`{r}`' for r in unsafe)} change behaviour (auth exits, cache "
                     "refresh, error responses): review each one")
    if any(r.startswith(("supabase/", "sql/")) for r in rule_ids):
        risks.append("- Schema facts come from the repository's migrations: confirm against the database "
                     "before changing queries or policies")
    if output.run.notices:
        risks.append(f"- {len(output.run.notices)} file(s) were not analysed (size limit or unreadable)")
    risks.append("- Static analysis only: deployed configuration and RLS at runtime are not verified")
    return risks
