"""Code actions anywhere in every rule-file block behave: the server's own path, checked as properties.

For each code block of each rule file (so new fixes are covered as soon as their rule file exists),
actions are requested the way the server does (`overlapping` + `quick_fixes` + `fix_all`), at every
finding's range and at random positions, and each action must: not raise, keep its edits inside the
document and apart from each other, apply to text with no more syntax errors than before, and create
only files that parse.
"""

from __future__ import annotations

import itertools
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tree_sitter import Tree

from tests.ruledoc_cases import Case, cases_of, run_case
from treido_ls.code_actions import Action, fix_all, overlapping, quick_fixes
from treido_ls.fixes import apply_edits
from treido_ls.model import Finding
from treido_ls.parsing import Lang, lang_for_path, parse
from treido_ls.positions import LineIndex
from treido_ls.registry import load_rule_docs

ALL_CASES = [case for doc in load_rule_docs().values() for case in cases_of(doc)]


@dataclass(frozen=True)
class Subject:
    """One linted block as the server holds it."""

    label: str
    lang: Lang
    source: bytes
    findings: list[Finding]
    tree: Tree
    index: LineIndex
    errors: int  # error nodes before any edit
    boundaries: tuple[int, ...]  # byte offsets of character starts (where an LSP position can land)


_LINTED: dict[str, list[Subject]] = {}


def subjects(case: Case) -> list[Subject]:
    """The case's linted blocks, computed once per session (hypothesis calls the test many times)."""
    if case.test_id not in _LINTED:
        with tempfile.TemporaryDirectory() as tmp:
            linted = run_case(case, Path(tmp))
        found: list[Subject] = []
        for result in linted:
            lang = lang_for_path(result.path)
            if lang is None:  # config files: the server offers no code actions there
                continue
            tree = parse(lang, result.source)
            text = result.source.decode("utf-8")
            boundaries = [0]
            for ch in text:
                boundaries.append(boundaries[-1] + len(ch.encode("utf-8")))
            label = f"{case.test_id} ({result.path}, block at rule-file line {result.block.md_line})"
            found.append(Subject(label, lang, result.source, result.findings, tree, LineIndex(result.source),
                                 error_nodes(tree), tuple(boundaries)))
        _LINTED[case.test_id] = found
    return _LINTED[case.test_id]


def error_nodes(tree: Tree) -> int:
    """ERROR and MISSING nodes, descending only into subtrees that contain some."""
    count = 0
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            count += 1
        if node.has_error:
            stack.extend(node.children)
    return count


def actions_at(subject: Subject, start: int, end: int) -> list[Action]:
    """What the server computes for a codeAction request over [start, end]."""
    actions = quick_fixes(overlapping(subject.findings, start, end), subject.source, subject.tree, subject.lang,
                          subject.index)
    everything = fix_all(subject.findings)
    return [*actions, everything] if everything is not None else actions


def action_problems(subject: Subject, action: Action) -> list[str]:
    where = f"{subject.label}: action {action.title!r}"
    size = len(subject.source)
    problems = [f"{where}: edit {e} lies outside the document (length {size})"
                for e in action.edits if not 0 <= e.start <= e.end <= size]
    ordered = sorted(action.edits, key=lambda e: (e.start, e.end))
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:  # touching is fine; insertions at one point apply in the fix's order
            problems.append(f"{where}: edits {before} and {after} overlap")
    if not problems and action.edits:
        problems += _applied_problems(subject, action, where)
    for file_edit in action.file_edits:
        problems += _new_file_problems(file_edit.path, file_edit.text, where)
    return problems


def _applied_problems(subject: Subject, action: Action, where: str) -> list[str]:
    fixed = apply_edits(subject.source, action.edits)
    try:
        fixed.decode("utf-8")
    except UnicodeDecodeError:
        return [f"{where}: the result is not valid UTF-8"]
    after = error_nodes(parse(subject.lang, fixed))
    if after > subject.errors:
        return [f"{where}: {subject.errors} error nodes before, {after} after:\n{fixed.decode()}"]
    return []


def _new_file_problems(path: str, text: str, where: str) -> list[str]:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts:
        return [f"{where}: new file {path!r} is not inside the project"]
    lang = lang_for_path(path)
    if lang is None:
        return [f"{where}: new file {path!r} is neither SQL nor TypeScript"]
    errors = error_nodes(parse(lang, text.encode("utf-8")))
    return [f"{where}: new file {path} has {errors} error nodes:\n{text}"] if errors else []


def spans_of(subject: Subject) -> list[tuple[int, int]]:
    """Every finding's range, a cursor at its start, middle and end, and the whole document."""
    spans = [(0, 0), (0, len(subject.source))]
    for finding in subject.findings:
        middle = min((b for b in subject.boundaries if b >= (finding.start + finding.end) // 2),
                     default=finding.end)
        spans += [(finding.start, finding.end), (finding.start, finding.start), (middle, middle),
                  (finding.end, finding.end)]
    return spans


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.test_id)
def test_actions_at_every_finding(case: Case) -> None:
    problems: list[str] = []
    for subject in subjects(case):
        seen: set[tuple[str, tuple[object, ...]]] = set()
        for start, end in spans_of(subject):
            for action in actions_at(subject, start, end):
                key = (action.title, (action.edits, action.file_edits))
                if key not in seen:
                    seen.add(key)
                    problems += action_problems(subject, action)
    assert not problems, "\n\n".join(problems)


CASES_WITH_FINDINGS = [case for case in ALL_CASES
                       if any(b.expectations for b in case.blocks)]


@pytest.mark.parametrize("case", CASES_WITH_FINDINGS, ids=lambda case: case.test_id)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_actions_at_random_positions(case: Case, data: st.DataObject) -> None:
    for subject in subjects(case):
        count = len(subject.boundaries)
        first = data.draw(st.integers(0, count - 1), label="start char")
        last = data.draw(st.integers(first, min(count - 1, first + data.draw(st.sampled_from([0, 3, 40, count])))),
                         label="end char")
        start, end = subject.boundaries[first], subject.boundaries[last]
        problems = [p for action in actions_at(subject, start, end) for p in action_problems(subject, action)]
        assert not problems, "\n\n".join(problems)


def test_error_count_sees_errors() -> None:
    """The helper must count a broken tree's errors, or the property above would prove nothing."""
    assert error_nodes(parse(Lang.TYPESCRIPT, b"const x = 1;\n")) == 0
    assert error_nodes(parse(Lang.TYPESCRIPT, b"const x = ;\nfunction f( {\n")) >= 1
    assert error_nodes(parse(Lang.SQL, b"create table t (id int);\n")) == 0
    assert error_nodes(parse(Lang.SQL, b"create table t (id int;\nalter tabel t;\n")) >= 1
