"""`treido-ls check --fix / --unsafe-fixes / --diff`: passes, idempotence, CRLF, exit codes, safety."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.test_cli import BAD_ACTION, project, run
from tests.test_cli_formats import DISCARDED_ERROR, _doc_example, _fixed_block
from treido_ls.model import Applicability, Edit, Finding, Fix

DISCARDED = "supabase/discarded-filter"
PROFILE = "next/revalidate-tag-missing-profile"


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default format depends on GITHUB_ACTIONS: tests pick it explicitly."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)


def test_fix_applies_safe_fixes_and_exit_code_reflects_what_remains(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path, code_text = _doc_example(DISCARDED)
    root = project(tmp_path, {path: code_text, "app/a.ts": BAD_ACTION, "treido.json": DISCARDED_ERROR})
    assert run(capsys, "check", "--select", DISCARDED, str(root))[0] == 1
    code, out, err = run(capsys, "check", "--fix", "--select", f"{DISCARDED},{PROFILE}", str(root))
    assert code == 0  # the error was fixed; the unsafe-only warning remains
    assert "fixed 1 problem(s) in 1 file(s)" in err
    assert (root / path).read_text() == _fixed_block(DISCARDED)
    assert (root / "app/a.ts").read_text() == BAD_ACTION  # unsafe fixes need --unsafe-fixes
    assert PROFILE in out and DISCARDED not in out
    code, _, err = run(capsys, "check", "--fix", "--select", f"{DISCARDED},{PROFILE}", str(root))
    assert code == 0 and "fixed" not in err  # idempotent: nothing left to do
    assert (root / path).read_text() == _fixed_block(DISCARDED)


def test_unsafe_fixes_keep_crlf_and_are_idempotent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crlf = BAD_ACTION.replace("\n", "\r\n")
    root = project(tmp_path, {"app/a.ts": crlf})
    code, out, _ = run(capsys, "check", "--unsafe-fixes", "--select", PROFILE, str(root))
    fixed = (root / "app/a.ts").read_bytes()
    assert code == 0 and "No problems found" in out
    assert b"revalidateTag('products', 'max')" in fixed
    assert fixed.count(b"\r\n") == fixed.count(b"\n") == crlf.count("\n")
    mtime = (root / "app/a.ts").stat().st_mtime_ns
    run(capsys, "check", "--unsafe-fixes", str(root))
    assert (root / "app/a.ts").read_bytes() == fixed and (root / "app/a.ts").stat().st_mtime_ns == mtime


def test_diff_prints_and_does_not_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, {"app/a.ts": BAD_ACTION})
    code, out, _ = run(capsys, "check", "--diff", "--unsafe-fixes", str(root))
    assert code == 1  # there is something to fix
    assert (root / "app/a.ts").read_text() == BAD_ACTION
    assert "--- a/" in out and "+++ b/" in out
    assert "-  const label = '🛒 購物車'; revalidateTag('products');" in out
    assert "+  const label = '🛒 購物車'; revalidateTag('products', 'max');" in out
    code, out, _ = run(capsys, "check", "--diff", str(root))  # safe fixes only: nothing to show
    assert code == 0 and out == ""


def test_fix_that_breaks_the_parse_is_not_written(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, {"app/a.ts": BAD_ACTION})

    def broken(findings: list[Finding], include_unsafe: bool) -> list[Fix]:
        return [Fix("break it", (Edit(0, 0, "export {{{ ("),), Applicability.SAFE)] if findings else []

    monkeypatch.setattr("treido_ls.check.fixes_to_apply", broken)
    code, out, _ = run(capsys, "check", "--fix", str(root))
    assert (root / "app/a.ts").read_text() == BAD_ACTION
    assert "fixes not applied: the fixed text would not parse" in out and code == 0


def test_fix_from_stdin_prints_the_fixed_text(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, {})
    monkeypatch.chdir(root)

    class Stdin:
        buffer = io.BytesIO(BAD_ACTION.encode())

        def isatty(self) -> bool:
            return False

    monkeypatch.setattr("sys.stdin", Stdin())
    code, out, err = run(capsys, "check", "--unsafe-fixes", "--stdin-filename", "app/x.ts", "-")
    assert code == 0
    assert out == BAD_ACTION.replace("revalidateTag('products')", "revalidateTag('products', 'max')")
    assert "No problems found" in err  # the report moves to stderr: stdout is the file


def test_fixes_that_create_files_run_once(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from treido_ls.model import FileEdit

    root = project(tmp_path, {"app/a.ts": BAD_ACTION})
    migration = "supabase/migrations/20990101000000_processed_events.sql"

    def with_migration(findings: list[Finding], include_unsafe: bool) -> list[Fix]:
        return [Fix("record events", (Edit(0, 0, "// checked\n"),), Applicability.SAFE,
                    (FileEdit(migration, "create table processed_events (id text primary key);\n"),))]

    monkeypatch.setattr("treido_ls.check.fixes_to_apply", with_migration)
    code, out, _ = run(capsys, "check", "--diff", str(root))
    assert code == 1 and "+++ b/" in out and "/dev/null" in out and "create table processed_events" in out
    assert not (root / migration).exists()
    _, _, err = run(capsys, "check", "--fix", str(root))
    assert "created 1 file(s)" in err
    assert (root / migration).read_text().startswith("create table processed_events")
    assert (root / "app/a.ts").read_text() == "// checked\n" + BAD_ACTION
    _, _, err = run(capsys, "check", "--fix", str(root))  # the file exists: the fix is not offered again
    assert "fixed" not in err and (root / "app/a.ts").read_text() == "// checked\n" + BAD_ACTION
