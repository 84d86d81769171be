"""git_state: committed migrations come from HEAD; unknown answers count as committed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from treido_ls.workspace import git_state

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

MIGRATIONS = "supabase/migrations"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main",
         "-c", "commit.gpgsign=false", *args],
        cwd=cwd, check=True, capture_output=True,
    )


def write(root: Path, rel: str, text: str = "select 1;\n") -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    git_state.clear_cache()


def test_committed_and_new_files(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    write(tmp_path, f"{MIGRATIONS}/20250101000000_init.sql")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "init")
    write(tmp_path, f"{MIGRATIONS}/20250102000000_new.sql")
    assert git_state.committed_paths(tmp_path, MIGRATIONS) == {f"{MIGRATIONS}/20250101000000_init.sql"}
    assert git_state.is_committed(tmp_path, MIGRATIONS, f"{MIGRATIONS}/20250101000000_init.sql")
    assert not git_state.is_committed(tmp_path, MIGRATIONS, f"{MIGRATIONS}/20250102000000_new.sql")


def test_staged_but_not_committed_is_uncommitted(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    write(tmp_path, "README.md", "x\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "init")
    write(tmp_path, f"{MIGRATIONS}/20250102000000_new.sql")
    git(tmp_path, "add", ".")
    assert git_state.committed_paths(tmp_path, MIGRATIONS) == frozenset()


def test_project_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    app = tmp_path / "apps" / "shop"
    write(app, f"{MIGRATIONS}/20250101000000_init.sql")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "init")
    assert git_state.committed_paths(app, MIGRATIONS) == {f"{MIGRATIONS}/20250101000000_init.sql"}


def test_repository_without_commits_has_nothing_committed(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    write(tmp_path, f"{MIGRATIONS}/20250101000000_init.sql")
    assert git_state.committed_paths(tmp_path, MIGRATIONS) == frozenset()
    assert not git_state.is_committed(tmp_path, MIGRATIONS, f"{MIGRATIONS}/20250101000000_init.sql")


def test_not_a_repository_counts_as_committed(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    write(folder, f"{MIGRATIONS}/20250101000000_init.sql")
    (folder / ".git").write_text("gitdir: /nonexistent\n")  # a broken marker stops git's upward search
    assert git_state.committed_paths(folder, MIGRATIONS) is None
    assert git_state.is_committed(folder, MIGRATIONS, f"{MIGRATIONS}/20250101000000_init.sql")


def test_answers_are_cached_briefly(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    write(tmp_path, f"{MIGRATIONS}/20250101000000_init.sql")
    assert git_state.committed_paths(tmp_path, MIGRATIONS) == frozenset()
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "init")
    assert git_state.committed_paths(tmp_path, MIGRATIONS) == frozenset()  # still cached
    git_state.clear_cache()
    assert git_state.committed_paths(tmp_path, MIGRATIONS) == {f"{MIGRATIONS}/20250101000000_init.sql"}


def test_missing_git_counts_as_committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(git_state, "_SAFE_GIT", ("/nonexistent/git",))
    assert git_state.committed_paths(tmp_path, MIGRATIONS) is None


def test_fingerprint_changes_with_commits(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    write(tmp_path, f"{MIGRATIONS}/20250101000000_init.sql")
    before = git_state.fingerprint(tmp_path, MIGRATIONS)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "init")
    git_state.clear_cache()
    assert git_state.fingerprint(tmp_path, MIGRATIONS) != before
