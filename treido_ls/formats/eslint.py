"""`--format json`: ESLint's JSON formatter shape, so tools that read ESLint results read ours.

Lines are 1-based; columns 1-based in UTF-16 code units (JavaScript string indices), end
exclusive as ESLint reports them. Severity 2 is error, 1 everything else (`treidoSeverity` keeps
the original). `fix` is ESLint's `{range, text}` with whole-file UTF-16 offsets: present only when
the fix `--fix` would apply (a safe one) is a single edit; `suggestions` hold single-edit unsafe
fixes; `treidoFix` has the first applicable fix with all of its edits.
"""

from __future__ import annotations

import json
from typing import Any

from treido_ls.check import FileReport
from treido_ls.formats._common import Output, Positions
from treido_ls.model import Applicability, Finding, Fix, Severity


def render(output: Output) -> str:
    return json.dumps([_file(report) for report in output.run.reports], indent=2, ensure_ascii=False) + "\n"


def _file(report: FileReport) -> dict[str, Any]:
    positions = Positions(report.source)
    messages = [_message(finding, positions) for finding in report.findings]
    errors = [m for m in messages if m["severity"] == 2]
    warnings = [m for m in messages if m["severity"] == 1]
    return {
        "filePath": str(report.path.resolve()),
        "messages": messages,
        "suppressedMessages": [],
        "errorCount": len(errors),
        "fatalErrorCount": 0,
        "warningCount": len(warnings),
        "fixableErrorCount": sum(1 for m in errors if "fix" in m),
        "fixableWarningCount": sum(1 for m in warnings if "fix" in m),
        "usedDeprecatedRules": [],
    }


def _message(finding: Finding, positions: Positions) -> dict[str, Any]:
    message: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "severity": 2 if finding.severity == Severity.ERROR else 1,
        "treidoSeverity": finding.severity.label,
        "message": finding.message,
        "line": positions.line(finding.start),
        "column": positions.utf16_column(finding.start),
        "endLine": positions.line(finding.end),
        "endColumn": positions.utf16_column(finding.end),
        "nodeType": None,
    }
    safe = next((f for f in finding.fixes if f.applicability is Applicability.SAFE and f.edits), None)
    if safe is not None and len(safe.edits) == 1:
        message["fix"] = _edit(safe, positions)
    suggestions = [{"desc": fix.title, "fix": _edit(fix, positions)} for fix in finding.fixes
                   if fix.applicability is Applicability.UNSAFE and len(fix.edits) == 1]
    if suggestions:
        message["suggestions"] = suggestions
    first = next((f for f in finding.fixes if f.applicability is not Applicability.DISPLAY_ONLY and f.edits), None)
    if first is not None:
        message["treidoFix"] = {
            "title": first.title,
            "applicability": first.applicability.value,
            "edits": [{"range": [positions.utf16_offset(e.start), positions.utf16_offset(e.end)], "text": e.text}
                      for e in first.edits],
            "createFiles": [{"path": f.path, "text": f.text} for f in first.file_edits],
        }
    return message


def _edit(fix: Fix, positions: Positions) -> dict[str, Any]:
    edit = fix.edits[0]
    return {"range": [positions.utf16_offset(edit.start), positions.utf16_offset(edit.end)], "text": edit.text}
