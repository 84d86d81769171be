"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF readers.

Every rule is described in `tool.driver.rules` (title, summary, the rule file as help, tags and
`security-severity`). Locations are relative to the repository root through `originalUriBaseIds`
(`%SRCROOT%`), columns count Unicode code points (`columnKind`), and `partialFingerprints` come
from treido_ls/baseline.py (rule, path, flagged code, enclosing function; plus the occurrence
number among identical ones), so they survive line shifts.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from treido_ls import __version__
from treido_ls.check import FileReport
from treido_ls.formats._common import Output, Positions, related_file, related_source, relative
from treido_ls.lsp_convert import rule_href
from treido_ls.model import Applicability, Finding, Related, Severity
from treido_ls.registry import load_rule_docs
from treido_ls.ruledoc import RuleDoc

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
BASE_ID = "%SRCROOT%"
FINGERPRINT_KEY = "treidoFingerprint/v1"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note", Severity.HINT: "note"}
_PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation",
                     Severity.HINT: "recommendation"}


def render(output: Output) -> str:
    return json.dumps(sarif_log(output), indent=2, ensure_ascii=False) + "\n"


def sarif_log(output: Output) -> dict[str, Any]:
    docs = load_rule_docs()
    ids = sorted(docs)
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    base = output.base.resolve()
    occurrences: Counter[str] = Counter()
    results = []
    for report in output.run.reports:
        positions = Positions(report.source)
        for number, finding in enumerate(report.findings):
            fingerprint = report.fingerprints[number] if number < len(report.fingerprints) else None
            results.append(_result(report, finding, fingerprint, positions, base, index, occurrences))
    driver: dict[str, Any] = {
        "name": "treido-ls",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_rule(docs[rule_id], output.docs_url) for rule_id in ids],
    }
    if output.docs_url:
        driver["informationUri"] = output.docs_url
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "originalUriBaseIds": {BASE_ID: {"uri": base.as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": True,
                             "toolExecutionNotifications": [{"message": {"text": n}, "level": "note"}
                                                            for n in output.run.notices]}],
            "results": results,
        }],
    }


def _rule(doc: RuleDoc, docs_url: str | None) -> dict[str, Any]:
    properties: dict[str, Any] = {"tags": sorted({*doc.tags, doc.category}), "precision": "high",
                                  "problem.severity": _PROBLEM_SEVERITY[doc.severity]}
    if doc.security_severity:
        properties["security-severity"] = doc.security_severity
    help_text = doc.documentation()
    descriptor: dict[str, Any] = {
        "id": doc.id,
        "name": "".join(part.capitalize() for part in doc.id.replace("/", "-").split("-")),
        "shortDescription": {"text": doc.title},
        "fullDescription": {"text": doc.summary or doc.title},
        "help": {"text": help_text, "markdown": help_text},
        "defaultConfiguration": {"level": _LEVELS[doc.severity]},
        "properties": properties,
    }
    href = f"{docs_url.rstrip('/')}/{doc.id}" if docs_url else rule_href(doc.id, None)
    if href:
        descriptor["helpUri"] = href
    return descriptor


def artifact_location(path: Path, base: Path) -> dict[str, Any]:
    rel = relative(path, base)
    if rel is None:
        return {"uri": path.resolve().as_uri()}
    return {"uri": quote(rel), "uriBaseId": BASE_ID}


def _region(positions: Positions, start: int, end: int) -> dict[str, int]:
    return {"startLine": positions.line(start), "startColumn": positions.column(start),
            "endLine": positions.line(end), "endColumn": positions.column(end)}


def _result(report: FileReport, finding: Finding, fingerprint: str | None, positions: Positions, base: Path,
            index: dict[str, int], occurrences: Counter[str]) -> dict[str, Any]:
    location = artifact_location(report.path, base)
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message or finding.rule_id},
        "locations": [{"physicalLocation": {"artifactLocation": location,
                                            "region": _region(positions, finding.start, finding.end)}}],
        "properties": {"treidoSeverity": finding.severity.label},
    }
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    if fingerprint is not None:
        occurrences[fingerprint] += 1
        result["partialFingerprints"] = {FINGERPRINT_KEY: f"{fingerprint}:{occurrences[fingerprint]}"}
    related = [_related(report, i, r, base) for i, r in enumerate(finding.related)]
    if related:
        result["relatedLocations"] = related
    fixes = [{"description": {"text": fix.title},
              "artifactChanges": [{"artifactLocation": location, "replacements": [
                  {"deletedRegion": {"byteOffset": e.start, "byteLength": e.end - e.start},
                   "insertedContent": {"text": e.text}} for e in fix.edits]}]}
             for fix in finding.fixes if fix.applicability is not Applicability.DISPLAY_ONLY and fix.edits]
    if fixes:
        result["fixes"] = fixes
    return result


def _related(report: FileReport, number: int, related: Related, base: Path) -> dict[str, Any]:
    source = related_source(report, related)
    region: dict[str, int] = (_region(Positions(source), related.start, related.end) if source is not None
                              else {"byteOffset": related.start, "byteLength": related.end - related.start})
    return {"id": number, "message": {"text": related.message},
            "physicalLocation": {"artifactLocation": artifact_location(related_file(report, related), base),
                                 "region": region}}
