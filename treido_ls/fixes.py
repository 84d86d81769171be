"""Applying fixes to text: shared by `check --fix`, fix-all and the tests."""

from __future__ import annotations

from collections.abc import Iterable

from treido_ls.model import Applicability, Edit, Finding, Fix


class OverlappingEdits(ValueError):
    pass


def apply_edits(source: bytes, edits: Iterable[Edit]) -> bytes:
    """Apply non-overlapping byte edits (given in any order) to `source`."""
    ordered = sorted(edits, key=lambda edit: (edit.start, edit.end))
    out: list[bytes] = []
    cursor = 0
    for edit in ordered:
        if edit.start < cursor or edit.end < edit.start or edit.end > len(source):
            raise OverlappingEdits(f"edit {edit} overlaps another or lies outside the text")
        out.append(source[cursor : edit.start])
        out.append(edit.text.encode("utf-8", "surrogatepass"))
        cursor = edit.end
    out.append(source[cursor:])
    return b"".join(out)


def fixes_to_apply(findings: Iterable[Finding], include_unsafe: bool) -> list[Fix]:
    """The first applicable fix of each finding, dropping ones that overlap an earlier choice."""
    allowed = {Applicability.SAFE, Applicability.UNSAFE} if include_unsafe else {Applicability.SAFE}
    chosen: list[Fix] = []
    taken: list[tuple[int, int]] = []
    for finding in findings:
        fix = next((f for f in finding.fixes if f.applicability in allowed), None)
        if fix is None or not (fix.edits or fix.file_edits):
            continue
        spans = [(e.start, e.end) for e in fix.edits]
        if any(_overlaps(span, other) for span in spans for other in taken):
            continue  # a later pass (or the next run) picks it up
        chosen.append(fix)
        taken.extend(spans)
    return chosen


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] or b[0] == b[1]:  # insertions only clash at the same point
        return a[0] == b[0] or (b[0] < a[0] < b[1]) or (a[0] < b[0] < a[1])
    return a[0] < b[1] and b[0] < a[1]
