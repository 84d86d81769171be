"""Domain objects -> lsprotocol objects. Every range goes through the document's LineIndex."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from treido_ls.model import Edit, Finding, Severity
from treido_ls.positions import LineIndex
from treido_ls.registry import load_rule_docs

SOURCE = "treido"

_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
    Severity.HINT: lsp.DiagnosticSeverity.Hint,
}


def to_range(index: LineIndex, start: int, end: int, encoding: str) -> lsp.Range:
    first = index.position(start, encoding)
    last = index.position(end, encoding)
    return lsp.Range(lsp.Position(first.line, first.character), lsp.Position(last.line, last.character))


def rule_href(rule_id: str, docs_base_url: str | None) -> str | None:
    if docs_base_url:
        return f"{docs_base_url}/{rule_id}"
    doc = load_rule_docs().get(rule_id)
    return Path(doc.file).as_uri() if doc is not None else None


def related_information(finding: Finding, root: Path | None, encoding: str) -> list[lsp.DiagnosticRelatedInformation]:
    """Locations that explain a finding, for clients that show them (a path, the other policy...)."""
    infos = []
    for related in finding.related:
        if related.source is None or root is None:
            continue
        other = LineIndex(related.source)
        infos.append(lsp.DiagnosticRelatedInformation(
            location=lsp.Location(uri=(root / related.path).as_uri(),
                                  range=to_range(other, related.start, related.end, encoding)),
            message=related.message))
    return infos


def to_diagnostic(finding: Finding, index: LineIndex, encoding: str, docs_base_url: str | None,
                  root: Path | None = None) -> lsp.Diagnostic:
    href = rule_href(finding.rule_id, docs_base_url)
    tags = [lsp.DiagnosticTag.Unnecessary] if finding.rule_id == "treido/unused-suppression" else None
    return lsp.Diagnostic(
        range=to_range(index, finding.start, finding.end, encoding),
        message=finding.message or finding.rule_id,
        severity=_SEVERITY[finding.severity],
        code=finding.rule_id,
        code_description=lsp.CodeDescription(href=href) if href else None,
        source=SOURCE,
        tags=tags,
        related_information=related_information(finding, root, encoding) or None,
        data={"rule": finding.rule_id, "start": finding.start, "end": finding.end},
    )


def to_text_edits(edits: tuple[Edit, ...] | list[Edit], index: LineIndex, encoding: str) -> list[lsp.TextEdit]:
    return [lsp.TextEdit(to_range(index, edit.start, edit.end, encoding), edit.text) for edit in edits]
