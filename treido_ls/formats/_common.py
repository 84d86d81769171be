"""What every format needs: the run, where paths are relative to, and position conversions."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from treido_ls.check import CheckRun, FileReport
from treido_ls.model import Finding, Related, Severity
from treido_ls.positions import UTF16, LineIndex, decode_source


@dataclass(slots=True)
class Output:
    run: CheckRun
    color: bool = False
    base: Path = field(default_factory=Path.cwd)  # repository root: paths in sarif/github/audit are relative to it
    paths: list[str] = field(default_factory=list)  # what was checked, as typed (audit scope)
    docs_url: str | None = None  # where rule docs live (`<docs_url>/<rule id>`)


def relative(path: Path, base: Path) -> str | None:
    """`path` relative to `base` (POSIX), or None when it lies outside."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return None


def display_path(path: Path, base: Path) -> str:
    rel = relative(path, base)
    if rel is not None:
        return rel
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def findings(run: CheckRun) -> Iterator[tuple[FileReport, Finding]]:
    for report in run.reports:
        for finding in report.findings:
            yield report, finding


class Positions:
    """1-based lines and columns of one file, in code points or in UTF-16 units, and whole-file
    UTF-16 offsets (ESLint's `fix.range`)."""

    def __init__(self, source: bytes) -> None:
        self.index = LineIndex(source)
        self._line_units: list[int] | None = None

    def line(self, offset: int) -> int:
        return self.index.line_of(offset) + 1

    def column(self, offset: int) -> int:
        return self.index.column(offset)

    def utf16_column(self, offset: int) -> int:
        return self.index.position(offset, UTF16).character + 1

    def utf16_offset(self, offset: int) -> int:
        if self._line_units is None:
            units, starts = 0, [0]
            for line in range(1, self.index.line_count):
                previous = self.index.line_start(line - 1)
                units += _utf16_len(self.index.source[previous : self.index.line_start(line)])
                starts.append(units)
            self._line_units = starts
        point = self.index.position(offset, UTF16)
        return self._line_units[point.line] + point.character


def _utf16_len(data: bytes) -> int:
    text = decode_source(data)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def related_source(report: FileReport, related: Related) -> bytes | None:
    """The text a related location's offsets point into."""
    if related.source is not None:
        return related.source
    if related.path == report.rel:
        return report.source
    if report.root is not None:
        try:
            return (report.root / related.path).read_bytes()
        except OSError:
            return None
    return None


def related_file(report: FileReport, related: Related) -> Path:
    path = Path(related.path)
    return path if path.is_absolute() or report.root is None else report.root / path


SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO, Severity.HINT)
