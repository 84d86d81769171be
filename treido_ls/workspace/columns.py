"""A table's column names as the rules see them: from the generated types, else the migrations."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

# A name within this similarity of exactly one known name is a typo we may fix automatically.
FIX_CUTOFF = 0.8
# Looser: good enough to mention in a message ("did you mean ...?").
HINT_CUTOFF = 0.6


@dataclass(frozen=True, slots=True)
class ColumnSet:
    schema: str
    table: str
    names: frozenset[str]
    source: str  # "generated" (database.types.ts) or "migrations"

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def closest(self, name: str) -> str | None:
        """The most similar column name, for a message; None when nothing is close."""
        return closest_name(name, self.names, HINT_CUTOFF)

    def fix_candidate(self, name: str) -> str | None:
        """The column a typo surely meant: the only name within FIX_CUTOFF, else None."""
        return sole_close_name(name, self.names)


def closest_name(name: str, candidates: frozenset[str] | set[str], cutoff: float = HINT_CUTOFF) -> str | None:
    found = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


def sole_close_name(name: str, candidates: frozenset[str] | set[str]) -> str | None:
    found = difflib.get_close_matches(name, sorted(candidates), n=2, cutoff=FIX_CUTOFF)
    return found[0] if len(found) == 1 else None
