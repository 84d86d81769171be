"""The server honours the config's `baseline`: accepted findings are hidden, or hints with baselineMode "hint"."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.e2e.lsp_helpers import SERVER, diagnostics_after, initialize, open_document
from treido_ls.settings import parse_settings

OLD = """export async function listNotes() {
  const { data, error } = await supabase.from('notes').select('*');
  if (error) throw error;
  return data;
}
"""
NEW = """export async function listTags() {
  const { data, error } = await supabase.from('tags').select('*');
  if (error) throw error;
  return data;
}
"""
WILDCARD = "supabase/wildcard-select"


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    yield
    await lsp_client.shutdown_session()


def baselined_project(tmp_path: Path) -> Path:
    """OLD's findings recorded by `treido-ls check --baseline-write`, as a team adopting the tool does."""
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"next": "16.0.0"}}))
    (tmp_path / "treido.json").write_text(json.dumps({"baseline": "treido-baseline.json"}))
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "notes.ts").write_text(OLD)
    subprocess.run([sys.executable, "-m", "treido_ls", "check", "--baseline-write", "treido-baseline.json", "lib"],
                   cwd=tmp_path, check=True, capture_output=True)
    entries = json.loads((tmp_path / "treido-baseline.json").read_text())["entries"]
    assert WILDCARD in {entry["rule"] for entry in entries}
    return tmp_path


def wildcards(diagnostics: list[lsp.Diagnostic]) -> list[tuple[int, lsp.DiagnosticSeverity | None]]:
    return [(d.range.start.line, d.severity) for d in diagnostics if d.code == WILDCARD]


async def test_baselined_findings_are_hidden_after_a_line_shift(client: LanguageClient, tmp_path: Path) -> None:
    root = baselined_project(tmp_path)
    await initialize(client, root.as_uri())
    uri = (root / "lib" / "notes.ts").as_uri()
    text = NEW + "\n" + OLD  # the old function moved down; the new one is not in the baseline
    diagnostics = await diagnostics_after(client, uri, open_document(client, uri, text))
    assert [line for line, _ in wildcards(diagnostics)] == [1]
    assert all(d.range.start.line < 6 for d in diagnostics)  # nothing of the baselined function


async def test_baseline_mode_hint_shows_them_as_hints(client: LanguageClient, tmp_path: Path) -> None:
    root = baselined_project(tmp_path)
    await initialize(client, root.as_uri(), options={"baselineMode": "hint"})
    uri = (root / "lib" / "notes.ts").as_uri()
    diagnostics = await diagnostics_after(client, uri, open_document(client, uri, NEW + "\n" + OLD))
    (new_line, new_severity), (old_line, old_severity) = wildcards(diagnostics)
    assert (new_line, old_line, old_severity) == (1, 7, lsp.DiagnosticSeverity.Hint)
    assert new_severity != lsp.DiagnosticSeverity.Hint
    old_findings = [d for d in diagnostics if d.range.start.line >= 6]
    assert old_findings and all(d.severity == lsp.DiagnosticSeverity.Hint for d in old_findings)


def test_baseline_mode_setting() -> None:
    assert parse_settings(None).settings.baseline_mode == "hide"
    assert parse_settings({"baselineMode": "hint"}).settings.baseline_mode == "hint"
    parsed = parse_settings({"baselineMode": "show"})
    assert parsed.settings.baseline_mode == "hide" and "baselineMode" in parsed.problems[0]
