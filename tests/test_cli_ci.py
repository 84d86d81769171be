"""`--changed-since` in a temporary git repository, the result cache, parallel workers, progress."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_cli import BAD_ACTION, project, run
from treido_ls.cache import finding_to_json
from treido_ls.check import CheckOptions, CheckRun, check_files
from treido_ls.files import discover

GUARD = """import { createClient } from "@/lib/supabase/server";

export async function requireUser() {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) throw new Error("Unauthorized");
  return user;
}
"""
FACTORY = """import { createServerClient } from "@supabase/ssr";
import { cookies } from "next/headers";

export async function createClient() {
  const store = await cookies();
  return createServerClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!, {
    cookies: { getAll: () => store.getAll(), setAll: () => {} },
  });
}
"""
ACTION = """"use server";
import { requireUser } from "@/lib/auth";
import { createClient } from "@/lib/supabase/server";

export async function archiveNote(noteId: number) {
  await requireUser();
  const supabase = await createClient();
  const { error } = await supabase.from("notes").update({ archived: true }).eq("id", noteId);
  if (error) throw new Error("Could not archive the note");
}
"""
GUARD_RULE = "auth/missing-getuser-guard"


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default format depends on GITHUB_ACTIONS: tests pick it explicitly."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)


def guarded_app(tmp_path: Path) -> Path:
    return project(tmp_path, {"lib/auth.ts": GUARD, "lib/supabase/server.ts": FACTORY,
                              "app/actions/notes.ts": ACTION, "app/other.ts": BAD_ACTION})


def weaken_guard(root: Path) -> None:
    """The helper stops exiting when there is no user: it no longer guards its callers."""
    (root / "lib/auth.ts").write_text(GUARD.replace('  if (!user) throw new Error("Unauthorized");\n', ""))


def flagged(root: Path, **options: object) -> list[tuple[str, str, int]]:
    result = check_files(list(discover([root])), CheckOptions(**options))  # type: ignore[arg-type]
    return [(r.rel, f.rule_id, f.start) for r in result.reports for f in r.findings]


def test_cache_hits_and_invalidation_when_an_imported_guard_changes(tmp_path: Path) -> None:
    root = guarded_app(tmp_path)
    first = check_files(list(discover([root])), CheckOptions(cache=True))
    assert first.cache_hits == 0 and (root / ".treido-cache" / "results-v1.json").is_file()
    second = check_files(list(discover([root])), CheckOptions(cache=True))
    assert second.cache_hits == len(second.reports) == 4
    def snapshot(result: CheckRun) -> list[object]:
        return [(r.rel, [finding_to_json(f) for f in r.findings], r.fingerprints) for r in result.reports]

    assert snapshot(second) == snapshot(first)  # a cached result is the result
    assert not any(f[1] == GUARD_RULE for f in flagged(root, cache=True))
    weaken_guard(root)  # notes.ts did not change, but its findings do
    after = check_files(list(discover([root])), CheckOptions(cache=True))
    assert after.cache_hits == 0
    assert ("app/actions/notes.ts", GUARD_RULE) in {(r.rel, f.rule_id) for r in after.reports for f in r.findings}
    assert check_files(list(discover([root])), CheckOptions(cache=True)).cache_hits == 4


def test_cache_is_keyed_on_the_config(tmp_path: Path) -> None:
    root = guarded_app(tmp_path)
    check_files(list(discover([root])), CheckOptions(cache=True))
    (root / "treido.json").write_text('{"rules": {"next/revalidate-tag-missing-profile": "off"}}')
    result = check_files(list(discover([root])), CheckOptions(cache=True))
    assert result.cache_hits == 0
    assert not any(f.rule_id == "next/revalidate-tag-missing-profile" for r in result.reports for f in r.findings)


def test_parallel_run_matches_serial(tmp_path: Path) -> None:
    files = {f"app/actions/a{i}.ts": BAD_ACTION if i % 2 else ACTION.replace("archiveNote", f"archive{i}")
             for i in range(60)}
    root = project(tmp_path, {**files, "lib/auth.ts": GUARD, "lib/supabase/server.ts": FACTORY})
    weaken_guard(root)
    serial = flagged(root, jobs=1)
    assert len(serial) >= 60
    assert flagged(root, jobs=2) == serial


def test_progress_is_silent_when_not_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = guarded_app(tmp_path)
    _, _, err = run(capsys, "check", "--no-cache", str(root))
    assert "Linting" not in err and "\r" not in err


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false",
                    *args], cwd=root, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_changed_since_in_a_git_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    root = guarded_app(tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    monkeypatch.chdir(root)

    def checked(*args: str) -> set[str]:
        code, out, err = run(capsys, "check", "--no-cache", "--format", "json", *args)
        assert code in (0, 1), err
        return {Path(entry["filePath"]).relative_to(root.resolve()).as_posix() for entry in json.loads(out)}

    assert checked("--changed-since", "HEAD") == set()
    (root / "app/new.ts").write_text(ACTION.replace("archiveNote", "archiveAll"))  # untracked
    assert checked("--changed-since", "HEAD") == {"app/new.ts"}
    weaken_guard(root)  # modified: its importer is re-checked, the unrelated file is not
    assert checked("--changed-since", "HEAD") == {"app/new.ts", "lib/auth.ts", "app/actions/notes.ts"}
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "edit")
    assert checked("--changed-since", "HEAD~1") == {"app/new.ts", "lib/auth.ts", "app/actions/notes.ts"}
    (root / "app/tags.ts").write_text(BAD_ACTION.replace("bust", "bustMore"))  # cache tags: compared project-wide
    assert checked("--changed-since", "HEAD") == {"app/tags.ts", "app/other.ts"}
    (root / "app/tags.ts").unlink()
    (root / "package.json").write_text('{"dependencies": {"next": "15.0.0"}}')  # a project-wide fact
    assert "app/other.ts" in checked("--changed-since", "HEAD")
    code, _, err = run(capsys, "check", "--changed-since=--output=/tmp/x")
    assert code == 2 and "not a plain git ref" in err
    code, _, err = run(capsys, "check", "--changed-since", "no-such-ref")
    assert code == 2 and "--changed-since" in err


def test_pre_commit_hooks_run_valid_commands() -> None:
    from treido_ls.cli import build_parser

    hooks = (Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entries = [line.split("entry:", 1)[1].split() for line in hooks.splitlines() if line.strip().startswith("entry:")]
    assert entries and all(entry[:2] == ["treido-ls", "check"] for entry in entries)
    for entry in entries:
        args = build_parser().parse_args([*entry[1:], "app/a.ts"])
        assert args.command == "check" and args.paths == ["app/a.ts"]


def test_progress_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from treido_ls.check import _Progress

    monkeypatch.setattr(_Progress, "DELAY", 0.0)
    monkeypatch.setattr(_Progress, "INTERVAL", 0.0)
    stream = io.StringIO()
    progress = _Progress(3, stream)
    progress.step(1)
    progress.step(2)
    progress.done()
    assert stream.getvalue() == "\rLinting 1/3 files\rLinting 3/3 files\r\x1b[K"
    quiet = _Progress(3, None)
    quiet.step(3)
    quiet.done()  # no stream: nothing to write, nothing raised
