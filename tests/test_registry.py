"""Rule files and checks are joined one to one, with the documentation every rule needs."""

from __future__ import annotations

import re

from treido_ls.checks import all_checks
from treido_ls.registry import ENGINE_RULES, load_rule_docs, load_rules, rules_dir
from treido_ls.ruledoc import REQUIRED_SECTIONS

ID = re.compile(r"^[a-z]+/[a-z0-9]+(-[a-z0-9]+)*$")


def test_every_rule_file_has_a_check_and_every_check_a_rule_file() -> None:
    docs = set(load_rule_docs())
    checks = set(all_checks())
    assert sorted(checks - docs) == [], "checks without a rule file"
    assert sorted(docs - checks - ENGINE_RULES) == [], "rule files without a check"
    assert docs >= ENGINE_RULES, "engine rules need rule files too"
    assert not (ENGINE_RULES & checks), "engine rules are reported by the engine, not by a check"


def test_ids_are_unique_kebab_case_and_match_their_path() -> None:
    files = sorted(p for p in rules_dir().rglob("*.md") if p.name != "README.md")
    ids = [load_rule_docs()[p.relative_to(rules_dir()).with_suffix("").as_posix()].id for p in files]
    assert len(ids) == len(set(ids))
    assert all(ID.match(rule_id) for rule_id in ids), ids


def test_required_sections_in_reading_order() -> None:
    for rule_id, doc in load_rule_docs().items():
        order = [name for name in doc.sections if name in REQUIRED_SECTIONS]
        assert order == list(REQUIRED_SECTIONS), f"{rule_id}: sections {list(doc.sections)}"
        if doc.applicability is not None and doc.applicability.value != "safe" and doc.fix != "none":
            assert "Fix safety" in doc.sections, f"{rule_id}: an unsafe fix needs a `Fix safety` section"
        assert doc.message and doc.title and doc.summary, rule_id


def test_security_rules_carry_sarif_metadata() -> None:
    for rule_id, rule in load_rules().items():
        if rule_id.startswith("treido/"):
            continue
        assert rule.doc.tags, f"{rule_id}: add SARIF tags to the front matter"
