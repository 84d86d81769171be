"""Every code block in every rule file runs: examples flag, 'Use instead' is clean, fixes match."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ruledoc_cases import Case, cases_of, check_expectations, run_case
from treido_ls.parsing import lang_for_path, parse
from treido_ls.registry import ENGINE_RULES, load_rule_docs

ALL_CASES = [case for doc in load_rule_docs().values() for case in cases_of(doc)]


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.test_id)
def test_rule_doc_case(case: Case, tmp_path: Path) -> None:
    linted = run_case(case, tmp_path)
    assert linted, "the case has no code block to lint"
    problems: list[str] = []
    for result in linted:
        if case.section == "Use instead":
            problems += [f"line {f.start}: [{f.rule_id}] {f.message}" for f in result.findings]
        else:
            problems += check_expectations(result, case.doc.id)
        if result.fixed is not None:
            fixed_block = case.blocks[case.blocks.index(result.block) + 1]
            assert result.fixed.decode() == fixed_block.code, "the fix did not give the `fixed` block"
            lang = lang_for_path(result.path)
            if lang is not None:
                assert not parse(lang, result.fixed).root_node.has_error, "the fixed text does not parse"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("doc_id", sorted(load_rule_docs()))
def test_examples_flag_and_fixes_are_shown(doc_id: str) -> None:
    doc = load_rule_docs()[doc_id]
    example = [b for b in doc.blocks if b.section == "Example" and b.kind == "code"]
    assert example, "a rule file needs an Example"
    if doc_id not in ENGINE_RULES or doc_id in ("treido/invalid-suppression", "treido/config-error"):
        assert any(e.rule_id == doc_id for b in example for e in b.expectations), (
            "the Example must be flagged by the rule (add a `// error: [id]` marker)"
        )
    tests = [b for b in doc.blocks if b.section == "Tests" and b.kind == "code"]
    if doc_id not in ENGINE_RULES:
        flagged = [b for b in tests if any(e.rule_id == doc_id for e in b.expectations)]
        clean = [b for b in tests if not any(e.rule_id == doc_id for e in b.expectations)]
        assert len(flagged) >= 3 and len(clean) >= 3, "Tests need 3 flagged cases and 3 near misses"
    if doc.fix != "none":
        assert any(b.kind == "fixed" for b in doc.blocks), "a rule with a fix needs a `fixed` block"
