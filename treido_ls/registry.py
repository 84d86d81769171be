"""The rule registry: rule files (rules/**/*.md) joined to their checks by id."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from treido_ls.checks import CheckFn, all_checks
from treido_ls.ruledoc import RuleDoc, parse_rule_doc

# Rules the engine itself reports; their rule files document them, no check module runs them.
ENGINE_RULES = frozenset(
    {"treido/invalid-suppression", "treido/unused-suppression", "treido/config-error", "treido/rule-error"}
)


def rules_dir() -> Path:
    """`treido_ls/_rules` in a wheel; the repository's top-level `rules/` in a source checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_rules", package.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("treido-ls rule files are missing from the installation")


@dataclass(frozen=True, slots=True)
class Rule:
    doc: RuleDoc
    check: CheckFn | None  # None for engine rules

    @property
    def id(self) -> str:
        return self.doc.id


@cache
def load_rule_docs() -> dict[str, RuleDoc]:
    docs: dict[str, RuleDoc] = {}
    base = rules_dir()
    for file in sorted(base.rglob("*.md")):
        if file.name == "README.md":
            continue
        doc = parse_rule_doc(file.read_text(encoding="utf-8"), file)
        expected_id = file.relative_to(base).with_suffix("").as_posix()
        if doc.id != expected_id:
            raise ValueError(f"{file}: id {doc.id!r} does not match its path ({expected_id!r})")
        if doc.id in docs:
            raise ValueError(f"duplicate rule id {doc.id}")
        docs[doc.id] = doc
    return docs


@cache
def load_rules() -> dict[str, Rule]:
    checks = all_checks()
    return {rule_id: Rule(doc, checks.get(rule_id)) for rule_id, doc in load_rule_docs().items()}


def rule_ids() -> frozenset[str]:
    return frozenset(load_rule_docs())
