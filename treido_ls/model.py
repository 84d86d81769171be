"""Plain data shared by the engine, the server and the CLI.

Everything here is in bytes: offsets into the UTF-8 source. Conversion to LSP positions or
to human columns happens at the edges (positions.py), never inside the rules.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    """Ordered so that a larger value is more severe."""

    HINT = 1
    INFO = 2
    WARNING = 3
    ERROR = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity | None:
        """Parse a config or front-matter severity; None for "off". Raises ValueError on junk."""
        normalized = value.strip().lower()
        if normalized == "off":
            return None
        aliases = {"warn": "warning", "information": "info"}
        normalized = aliases.get(normalized, normalized)
        try:
            return cls[normalized.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {value!r}") from None


SEVERITY_WORDS = ("off", "hint", "info", "information", "warning", "warn", "error")


class Applicability(enum.Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace source bytes [start, end) with `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class FileEdit:
    """An edit to another file (for example a new migration), by filesystem path."""

    path: str
    text: str
    create: bool = True


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability
    file_edits: tuple[FileEdit, ...] = ()


@dataclass(frozen=True, slots=True)
class Related:
    """A location elsewhere (same or other file) that explains a finding."""

    path: str
    start: int
    end: int
    message: str
    # Filled by the engine when the other file is read, for conversion to positions.
    source: bytes | None = None


@dataclass(slots=True)
class Violation:
    """What a check reports: a byte range in the file it was given, and optional fixes."""

    start: int
    end: int
    message: str
    fixes: list[Fix] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)
    severity: Severity | None = None  # overrides the rule's severity when set
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Finding:
    """A violation after the engine attached the rule id and effective severity."""

    rule_id: str
    severity: Severity
    start: int
    end: int
    message: str
    fixes: list[Fix] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.rule_id)
