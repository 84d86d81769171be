"""A failing or slow rule is contained (issue 8): the other rules still report, the user is told once.

Rules are made to fail by replacing a registered check in the (cached) registry with monkeypatch;
no test-only setting exists in the server for this.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from treido_ls.check import CheckOptions, check_files
from treido_ls.context import FileContext
from treido_ls.documents import Document
from treido_ls.linter import RULE_ERROR, lint_source
from treido_ls.model import Violation
from treido_ls.parsing import Lang
from treido_ls.project import Project
from treido_ls.registry import Rule, load_rules, rule_ids
from treido_ls.settings import Settings, parse_settings

WILDCARD = "supabase/wildcard-select"
SOURCE = """"use server";
import { createClient } from "@/lib/supabase/server";

export async function listProducts() {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) throw new Error("Unauthorized");
  const { data, error } = await supabase.from("products").select("*").limit(20);
  if (error) throw new Error("Could not load products");
  return data;
}
"""
PATH = "app/actions/products.ts"


def _root(tmp_path: Path) -> Path:
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"next": "16.0.0"}}))
    return tmp_path


def _replace_check(monkeypatch: pytest.MonkeyPatch, rule_id: str, check: object) -> None:
    rule = load_rules()[rule_id]
    monkeypatch.setitem(load_rules(), rule_id, Rule(rule.doc, check))  # type: ignore[arg-type]


def _another_rule() -> str:
    """A rule other than the wildcard one that applies to every TypeScript file."""
    return next(rid for rid, rule in load_rules().items()
                if rule.check is not None and rid != WILDCARD and rule.doc.contexts in ((), ("typescript",)))


def _boom(ctx: FileContext) -> Iterator[Violation]:
    raise RuntimeError("kaboom")
    yield  # pragma: no cover


def test_a_crashing_rule_reports_rule_error_and_the_others_still_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    crashing = _another_rule()
    _replace_check(monkeypatch, crashing, _boom)
    with caplog.at_level(logging.ERROR, logger="treido_ls.linter"):
        result = lint_source(Project(_root(tmp_path), rule_ids()), PATH, SOURCE.encode())
    assert result.crashed_rules == [crashing]
    ids = [f.rule_id for f in result.findings]
    assert WILDCARD in ids and RULE_ERROR in ids
    error = next(f for f in result.findings if f.rule_id == RULE_ERROR)
    assert error.data == {"rule": crashing} and "kaboom" in error.message
    logged = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert logged and crashing in logged[0].getMessage() and PATH in logged[0].getMessage()
    assert logged[0].exc_info is not None  # the traceback is in the log


class _Recorder:
    def __init__(self) -> None:
        self.messages: list[lsp.ShowMessageParams] = []

    def __call__(self, params: lsp.ShowMessageParams) -> None:
        self.messages.append(params)


def _server(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> tuple[object, _Recorder]:
    from treido_ls.server import TreidoServer

    server = TreidoServer()
    server.settings = settings
    recorder = _Recorder()
    monkeypatch.setattr(server, "window_show_message", recorder)
    return server, recorder


def _doc(root: Path, name: str, version: int = 1, text: str = SOURCE) -> Document:
    path = root / "app" / "actions" / name
    return Document(path.as_uri(), str(path), Lang.TYPESCRIPT, version, text.encode())


def test_the_server_tells_about_a_crashing_rule_once_per_session(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = _root(tmp_path)
    _replace_check(monkeypatch, _another_rule(), _boom)
    server, shown = _server(monkeypatch, Settings())
    for name in ("a.ts", "b.ts", "a.ts"):
        findings = server._compute_findings(_doc(root, name))  # type: ignore[attr-defined]
        assert {f.rule_id for f in findings} >= {WILDCARD, RULE_ERROR}
    assert len(shown.messages) == 1
    assert shown.messages[0].type == lsp.MessageType.Error and "a.ts" in shown.messages[0].message


# -- the time budget ------------------------------------------------------------------------------


def _slow_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each check sleeps a little first: a budget of 1 ms is spent after the first rule."""
    for rule_id, rule in list(load_rules().items()):
        if rule.check is None:
            continue

        def slow(ctx: FileContext, _check: object = rule.check) -> list[Violation]:
            time.sleep(0.002)
            return list(_check(ctx))  # type: ignore[operator]

        _replace_check(monkeypatch, rule_id, slow)


def test_the_budget_skips_the_remaining_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from treido_ls.linter import lint
    from treido_ls.parsing import parse
    from treido_ls.positions import LineIndex

    project = Project(_root(tmp_path), rule_ids())
    source = SOURCE.encode()
    tree = parse(Lang.TYPESCRIPT, source)
    unbounded = lint(PATH, source, tree, Lang.TYPESCRIPT, LineIndex(source), project)
    assert not unbounded.skipped_rules and WILDCARD in [f.rule_id for f in unbounded.findings]
    _slow_everything(monkeypatch)
    bounded = lint(PATH, source, tree, Lang.TYPESCRIPT, LineIndex(source), project, budget_ms=1)
    assert bounded.skipped_rules  # at least every rule after the first
    assert not bounded.crashed_rules
    assert all(f.rule_id not in bounded.skipped_rules for f in bounded.findings)


def test_the_server_shows_the_budget_notice_once_per_document(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = _root(tmp_path)
    _slow_everything(monkeypatch)
    server, shown = _server(monkeypatch, Settings(lint_budget_ms=1))
    for name, version in (("a.ts", 1), ("a.ts", 2), ("b.ts", 1)):
        server._compute_findings(_doc(root, name, version))  # type: ignore[attr-defined]
    assert [m.message.split(" rules on ")[1].split(":")[0] for m in shown.messages] == [
        "app/actions/a.ts", "app/actions/b.ts"]
    assert all("ms budget" in m.message and m.type == lsp.MessageType.Warning for m in shown.messages)


def test_stale_findings_of_skipped_rules_are_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _root(tmp_path)
    server, _ = _server(monkeypatch, Settings(lint_budget_ms=0))  # 0: no budget
    assert WILDCARD in [f.rule_id for f in server.lint_document(_doc(root, "a.ts", 1))]  # type: ignore[attr-defined]
    _replace_check(monkeypatch, WILDCARD, _never_reached)
    server.settings = Settings(lint_budget_ms=1)  # type: ignore[attr-defined]
    _slow_everything(monkeypatch)
    later = server.lint_document(_doc(root, "a.ts", 2))  # type: ignore[attr-defined]
    assert WILDCARD not in [f.rule_id for f in later]


def _never_reached(ctx: FileContext) -> list[Violation]:
    return []


def test_lint_budget_setting() -> None:
    assert Settings().lint_budget_ms == 1000
    assert parse_settings({"lintBudgetMs": 250}).settings.lint_budget_ms == 250
    assert parse_settings({"lintBudgetMs": 0}).settings.lint_budget_ms == 0
    for bad in (-1, "fast", True, 1.5):
        parsed = parse_settings({"lintBudgetMs": bad})
        assert parsed.settings.lint_budget_ms == 1000 and parsed.problems


# -- the CLI's per-file timeout ---------------------------------------------------------------------


def test_a_file_over_the_timeout_is_skipped_and_the_run_goes_on(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers are forked, so they inherit the patched registry: `slow.ts` hangs in its worker."""
    root = _root(tmp_path)
    folder = root / "app" / "actions"
    folder.mkdir(parents=True)
    names = ["a.ts", "slow.ts", "b.ts", "c.ts"]
    for name in names:
        (folder / name).write_text(SOURCE)
    wildcard = load_rules()[WILDCARD].check
    assert wildcard is not None

    def hangs_on_slow(ctx: FileContext) -> list[Violation]:
        if ctx.path.endswith("slow.ts"):
            time.sleep(60)
        return list(wildcard(ctx))

    _replace_check(monkeypatch, WILDCARD, hangs_on_slow)
    run = check_files([folder / name for name in names],
                      CheckOptions(jobs=2, file_timeout=1.0, isolate=True))
    assert [n for n in run.notices if "slow.ts" in n] == [f"{folder / 'slow.ts'}: skipped: lint took longer than 1 s"]
    reported = {report.path.name: report for report in run.reports}
    assert set(reported) == {"a.ts", "b.ts", "c.ts"}
    assert all([f.rule_id for f in report.findings] == [WILDCARD] for report in reported.values())


def test_the_cli_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from treido_ls import cli

    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    root = _root(tmp_path)
    (root / "a.ts").write_text(SOURCE)
    assert cli.main(["check", "--no-cache", "--jobs", "1", "--file-timeout", "30", str(root)]) == 0
    out, _ = capsys.readouterr()
    assert WILDCARD in out
    with pytest.raises(SystemExit) as usage:
        cli.main(["check", "--file-timeout", "soon", str(root)])
    assert usage.value.code == 2
