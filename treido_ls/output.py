"""Human-readable output of `treido-ls check`: locations, code frames and a summary."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import TextIO

from treido_ls.check import CheckRun, FileReport
from treido_ls.model import Finding, Severity
from treido_ls.positions import LineIndex, decode_source

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36", Severity.HINT: "2"}


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def write_text(run: CheckRun, out: TextIO, color: bool) -> None:
    for report in run.reports:
        index = LineIndex(report.source)
        for finding in report.findings:
            _write_finding(report, finding, index, out, color)
    _write_summary(run, out)


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _write_finding(report: FileReport, finding: Finding, index: LineIndex, out: TextIO, color: bool) -> None:
    line = index.line_of(finding.start)
    column = index.column(finding.start)
    location = f"{display_path(report.path)}:{line + 1}:{column}"
    rule = _paint(finding.rule_id, _COLORS[finding.severity], color)
    out.write(f"{location}  {rule}  {finding.message}\n")
    out.write(_code_frame(index, finding, line))


def _code_frame(index: LineIndex, finding: Finding, line: int) -> str:
    """The flagged line with carets under the flagged characters (first line only)."""
    text = decode_source(index.line_bytes(line)).replace("\t", " ")
    if len(text) > 200:
        return ""
    start_col = index.column(finding.start) - 1
    end = min(finding.end, index.line_content_end(line))
    end_col = index.column(end) - 1 if index.line_of(end) == line else len(text)
    gutter = f"{line + 1:>5} | "
    carets = " " * len(gutter[:-2]) + "| " + " " * start_col + "^" * max(1, end_col - start_col)
    return f"{gutter}{text}\n{carets}\n"


def _write_summary(run: CheckRun, out: TextIO) -> None:
    for notice in run.notices:
        out.write(f"note: {notice}\n")
    total = sum(len(r.findings) for r in run.reports)
    files = sum(1 for r in run.reports if r.findings)
    if total == 0:
        out.write(f"No problems found in {len(run.reports)} files.\n")
        return
    counts = ", ".join(
        f"{run.count(sev)} {sev.label}{'s' if run.count(sev) != 1 else ''}"
        for sev in (Severity.ERROR, Severity.WARNING, Severity.INFO, Severity.HINT) if run.count(sev)
    )
    out.write(f"\nFound {total} problem{'s' if total != 1 else ''} ({counts}) in {files} of "
              f"{len(run.reports)} files.\n")
    by_rule = Counter(f.rule_id for r in run.reports for f in r.findings)
    for rule_id, count in sorted(by_rule.items(), key=lambda item: (-item[1], item[0])):
        out.write(f"  {count:>4}  {rule_id}\n")
