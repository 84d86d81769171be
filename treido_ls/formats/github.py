"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

`::error file=app/a.ts,line=3,endLine=3,col=5,endColumn=12,title=<rule id>::<message>`, errors
first. Warnings become `::warning`, info and hints `::notice`. Paths are relative to the
repository root; columns (1-based, code points) only when the finding is on one line, as GitHub
ignores them otherwise.
"""

from __future__ import annotations

from treido_ls.formats._common import Output, Positions, display_path
from treido_ls.model import Severity

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice", Severity.HINT: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(output: Output) -> str:
    lines: list[tuple[int, str, int, str]] = []
    for report in output.run.reports:
        positions = Positions(report.source)
        path = display_path(report.path, output.base)
        for finding in report.findings:
            line, end_line = positions.line(finding.start), positions.line(finding.end)
            props = [f"file={escape_property(path)}", f"line={line}", f"endLine={end_line}"]
            if line == end_line:
                props += [f"col={positions.column(finding.start)}", f"endColumn={positions.column(finding.end)}"]
            props.append(f"title={escape_property(finding.rule_id)}")
            command = f"::{_COMMANDS[finding.severity]} {','.join(props)}::{escape_data(finding.message)}"
            lines.append((-int(finding.severity), path, line, command))
    lines.sort(key=lambda item: item[:3])
    return "".join(command + "\n" for *_, command in lines)
