"""Suppression comments: parse them, apply them to findings, report bad and unused ones.

Forms: `// treido-ignore-next-line <id>[, <id>] [-- reason]`, `// treido-ignore <id> [-- reason]`
(same line), `/* treido-ignore-file <id> [-- reason] */`, `{/* treido-ignore-next-line <id> */}`
in JSX and `-- treido-ignore-next-line <id>` in SQL. Only real comment nodes count: the marker
inside a string is text, not a suppression.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from tree_sitter import Node, Tree

from treido_ls.model import Finding, Severity
from treido_ls.positions import LineIndex

INVALID = "treido/invalid-suppression"
UNUSED = "treido/unused-suppression"

_MARKER = re.compile(rb"treido-ignore")
_COMMENT_BODY = re.compile(
    r"^(?://|/\*|--)\s*(?P<directive>treido-ignore[\w-]*)(?P<rest>.*?)(?:\*/)?\s*$", re.DOTALL
)
_DIRECTIVES = {"treido-ignore-next-line": "next-line", "treido-ignore": "line", "treido-ignore-file": "file"}
_ID = re.compile(r"^[a-z0-9-]+/[a-z0-9-]+$")


@dataclass(slots=True)
class Suppression:
    scope: str  # "next-line", "line" or "file"
    rule_ids: list[str]
    reason: str | None
    start: int
    end: int
    target_line: int  # 0-based; unused for file scope
    used: set[str] = field(default_factory=set)

    def covers(self, finding_line: int, rule_id: str) -> bool:
        if rule_id not in self.rule_ids:
            return False
        return self.scope == "file" or finding_line == self.target_line


@dataclass(slots=True)
class ParsedSuppressions:
    valid: list[Suppression]
    problems: list[Finding]


def parse_suppressions(
    tree: Tree, source: bytes, index: LineIndex, known_ids: Collection[str], require_reason: bool
) -> ParsedSuppressions:
    valid: list[Suppression] = []
    problems: list[Finding] = []
    seen: set[int] = set()
    for match in _MARKER.finditer(source):
        comment = _comment_at(tree.root_node, match.start())
        if comment is None or comment.start_byte in seen:
            continue
        seen.add(comment.start_byte)
        result = _parse_comment(comment, index, known_ids, require_reason)
        if isinstance(result, Suppression):
            valid.append(result)
        elif result is not None:
            problems.append(result)
    return ParsedSuppressions(valid, problems)


def _comment_at(root: Node, offset: int) -> Node | None:
    node: Node | None = root.descendant_for_byte_range(offset, offset + 1)
    while node is not None and node.type != "comment":
        node = node.parent
    return node


def _parse_comment(
    comment: Node, index: LineIndex, known_ids: Collection[str], require_reason: bool
) -> Suppression | Finding | None:
    raw = (comment.text or b"").decode("utf-8", "replace").strip()
    match = _COMMENT_BODY.match(raw)
    if match is None:
        return None  # the word appears in prose, not as a directive
    start, end = comment.start_byte, comment.end_byte

    def problem(message: str) -> Finding:
        return Finding(INVALID, Severity.WARNING, start, end, message)

    directive = match.group("directive")
    scope = _DIRECTIVES.get(directive)
    if scope is None:
        expected = ", ".join(f"`{name}`" for name in _DIRECTIVES)
        return problem(f"Unknown suppression `{directive}`: use one of {expected}")
    ids_text, _, reason = match.group("rest").partition("--")
    ids = [part for part in re.split(r"[\s,]+", ids_text.strip()) if part]
    if not ids:
        return problem(f"`{directive}` names no rule: add the rule id to suppress")
    for rule_id in ids:
        if not _ID.match(rule_id) or rule_id not in known_ids:
            return problem(f"Unknown rule id `{rule_id}` in `{directive}`")
    reason = reason.strip()
    if require_reason and not reason:
        return problem(f"`{directive}` needs a reason: `{directive} {', '.join(ids)} -- <why>`")
    line = index.line_of(end - 1 if end > start else end)
    target = line + 1 if scope == "next-line" else index.line_of(start)
    return Suppression(scope, ids, reason or None, start, end, target)


def apply_suppressions(
    findings: list[Finding], parsed: ParsedSuppressions, index: LineIndex, active_rule_ids: Collection[str]
) -> list[Finding]:
    """Drop suppressed findings; add invalid and unused suppression findings."""
    kept: list[Finding] = []
    for finding in findings:
        line = index.line_of(finding.start)
        covering = [s for s in parsed.valid if s.covers(line, finding.rule_id)]
        for suppression in covering:
            suppression.used.add(finding.rule_id)
        if not covering:
            kept.append(finding)
    kept.extend(parsed.problems)
    for suppression in parsed.valid:
        unused = [r for r in suppression.rule_ids if r not in suppression.used and r in active_rule_ids]
        if unused:
            names = ", ".join(f"`{r}`" for r in unused)
            kept.append(
                Finding(UNUSED, Severity.HINT, suppression.start, suppression.end,
                        f"Suppression of {names} matches no finding: remove it",
                        data={"unused": unused})
            )
    return kept
