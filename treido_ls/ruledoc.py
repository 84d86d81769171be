"""Reads a rule file: TOML front matter, documentation sections and the code blocks that are tests.

Format (see rules/README.md): `+++` TOML `+++`, then `## What it does`, `## Why is this bad?`,
`## Example`, `## Use instead`, optional `## Fix`, `## Fix safety`, `## Options`, `## References`,
and `## Tests` (run, but left out of hover and `treido-ls rule`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from treido_ls.model import Applicability, Severity

REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
KNOWN_SECTIONS = (*REQUIRED_SECTIONS, "Fix", "Fix safety", "Options", "References", "Tests")

# `// error: [rule-id] "message part"` or `-- error: 12 [rule-id]` at the end of a code line.
MARKER = re.compile(
    r"\s*(?://|--)\s*error:\s*(?:(?P<column>\d+)\s+)?\[(?P<rule>[^\]]+)\](?:\s+\"(?P<text>[^\"]*)\")?\s*$"
)
_PATH_LINE = re.compile(r"^`(?P<path>[^`]+)`:\s*$")
_FENCE = re.compile(r"^(?P<ticks>```+)(?P<info>[^`]*)$")


class RuleDocError(ValueError):
    """A rule file that does not follow the format; the message names the file."""


@dataclass(frozen=True, slots=True)
class Expectation:
    line: int  # 0-based line in the block
    rule_id: str
    column: int | None  # 1-based character column
    text: str | None


@dataclass(slots=True)
class CodeBlock:
    section: str
    subsection: str | None
    lang: str
    kind: str  # "code", "fixed" or "settings"
    path: str | None
    code: str  # with markers stripped
    expectations: list[Expectation]
    md_line: int  # 1-based line of the opening fence in the rule file


@dataclass(slots=True)
class RuleDoc:
    id: str
    title: str
    category: str
    severity: Severity
    message: str
    contexts: tuple[str, ...]
    fix: str
    fix_title: str | None
    applicability: Applicability | None
    since: str
    tags: tuple[str, ...]
    security_severity: str | None
    splinter: str | None
    meta: dict[str, Any]
    sections: dict[str, str]
    blocks: list[CodeBlock]
    body: str
    file: Path
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        first = self.sections.get("What it does", "").strip().split("\n\n", 1)[0]
        return " ".join(first.split())

    def documentation(self) -> str:
        """Markdown shown by hover and `treido-ls rule`: no tests, no assertion markers."""
        parts = [f"# {self.title} (`{self.id}`)", ""]
        parts.append(f"Severity: **{self.severity.label}**" + _fix_note(self))
        for name, text in self.sections.items():
            if name == "Tests":
                continue
            parts += ["", f"## {name}", _strip_markers(text).strip()]
        return "\n".join(parts).strip() + "\n"


def _fix_note(doc: RuleDoc) -> str:
    if doc.fix == "none" or doc.applicability is None:
        return ""
    return f" · fix: {doc.applicability.value}"


def _strip_markers(text: str) -> str:
    return "\n".join(MARKER.sub("", line) for line in text.split("\n"))


def split_front_matter(text: str, file: Path) -> tuple[dict[str, Any], str, int]:
    """Returns (metadata, body, 0-based line where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "+++":
        raise RuleDocError(f"{file}: missing +++ front matter")
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        raise RuleDocError(f"{file}: unterminated +++ front matter") from None
    try:
        meta = tomllib.loads("\n".join(lines[1:close]))
    except tomllib.TOMLDecodeError as exc:
        raise RuleDocError(f"{file}: invalid front matter: {exc}") from None
    return meta, "\n".join(lines[close + 1 :]), close + 1


def parse_rule_doc(text: str, file: Path) -> RuleDoc:
    meta, body, body_line = split_front_matter(text.replace("\r\n", "\n"), file)
    for key in ("id", "title", "severity", "message"):
        if not isinstance(meta.get(key), str) or not meta[key]:
            raise RuleDocError(f"{file}: front matter needs a non-empty `{key}`")
    try:
        severity = Severity.parse(meta["severity"])
    except ValueError as exc:
        raise RuleDocError(f"{file}: {exc}") from None
    if severity is None:
        raise RuleDocError(f"{file}: default severity cannot be off")
    applicability = meta.get("applicability")
    sections, blocks = _parse_body(body, body_line, file)
    return RuleDoc(
        id=meta["id"],
        title=meta["title"],
        category=str(meta.get("category", meta["id"].split("/", 1)[0])),
        severity=severity,
        message=meta["message"],
        contexts=tuple(meta.get("contexts", ())),
        fix=str(meta.get("fix", "none")),
        fix_title=meta.get("fix_title"),
        applicability=Applicability(applicability) if applicability else None,
        since=str(meta.get("since", "0.1.0")),
        tags=tuple(meta.get("tags", ())),
        security_severity=_opt_str(meta.get("security_severity")),
        splinter=_opt_str(meta.get("splinter")),
        meta=meta,
        sections=sections,
        blocks=blocks,
        body=body,
        file=file,
    )


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _parse_body(body: str, body_line: int, file: Path) -> tuple[dict[str, str], list[CodeBlock]]:
    sections: dict[str, list[str]] = {}
    blocks: list[CodeBlock] = []
    section = ""
    subsection: str | None = None
    pending_path: str | None = None
    lines = body.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if line.startswith("## ") and not line.startswith("### "):
            section, subsection, pending_path = line[3:].strip(), None, None
            sections.setdefault(section, [])
            i += 1
            continue
        if section:
            sections[section].append(line)
        if line.startswith("### "):
            subsection, pending_path = line[4:].strip(), None
        elif (path_match := _PATH_LINE.match(line.strip())) is not None:
            pending_path = path_match.group("path")
        elif fence is not None:
            end = _closing_fence(lines, i, fence.group("ticks"), file)
            code_lines = lines[i + 1 : end]
            if section:
                sections[section].extend([*code_lines, lines[end]])
            blocks.append(
                _make_block(section, subsection, fence.group("info"), pending_path, code_lines,
                            body_line + i + 1)
            )
            pending_path = None
            i = end + 1
            continue
        elif line.strip():
            pending_path = None
        i += 1
    return {name: "\n".join(text).strip("\n") for name, text in sections.items()}, blocks


def _closing_fence(lines: list[str], start: int, ticks: str, file: Path) -> int:
    for j in range(start + 1, len(lines)):
        if lines[j].strip() == ticks:
            return j
    raise RuleDocError(f"{file}:{start + 1}: unterminated code block")


def _make_block(
    section: str, subsection: str | None, info: str, path: str | None, code_lines: list[str], md_line: int
) -> CodeBlock:
    words = info.split()
    lang = words[0] if words else ""
    kind = "fixed" if "fixed" in words[1:] else "settings" if "settings" in words[1:] else "code"
    expectations: list[Expectation] = []
    clean: list[str] = []
    for number, line in enumerate(code_lines):
        match = MARKER.search(line) if kind == "code" else None
        if match is None:
            clean.append(line)
            continue
        column = match.group("column")
        expectations.append(
            Expectation(number, match.group("rule").strip(), int(column) if column else None,
                        match.group("text"))
        )
        clean.append(line[: match.start()])
    code = "\n".join(clean) + "\n" if clean else ""
    return CodeBlock(section, subsection, lang, kind, path, code, expectations, md_line)
