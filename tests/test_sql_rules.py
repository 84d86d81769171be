"""SQL rules against git state: committed migrations are history (quiet, fixed by a new migration)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from treido_ls.checks._sql import new_migration_stamp
from treido_ls.linter import lint_source
from treido_ls.model import Applicability, Finding
from treido_ls.project import Project
from treido_ls.registry import rule_ids
from treido_ls.workspace import git_state

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

INIT = "supabase/migrations/20250101000000_init.sql"
TABLE = "create table public.coupons (\n  code text primary key\n);\n"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main",
         "-c", "commit.gpgsign=false", *args],
        cwd=cwd, check=True, capture_output=True,
    )


def project_with(root: Path, files: dict[str, str]) -> Project:
    (root / "package.json").write_text("{}")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git_state.clear_cache()
    return Project(root, rule_ids())


def findings(project: Project, rel: str, rule: str) -> list[Finding]:
    source = (project.root / rel).read_bytes()
    return [f for f in lint_source(project, rel, source).findings if f.rule_id == rule]


@needs_git
def test_committed_table_without_rls_is_fixed_by_a_new_migration(tmp_path: Path) -> None:
    project_with(tmp_path, {INIT: TABLE})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "init")
    project = project_with(tmp_path, {})
    [finding] = findings(project, INIT, "sql/rls-disabled-in-public")
    [fix] = finding.fixes
    assert fix.edits == () and fix.applicability is Applicability.UNSAFE
    [file_edit] = fix.file_edits
    path = Path(file_edit.path)  # relative to the project root, like ctx.path
    assert path.parent == Path("supabase/migrations")
    assert re.fullmatch(r"\d{14}_enable_rls_coupons\.sql", path.name)
    assert path.name > "20250101000000_init.sql"
    assert file_edit.text == "alter table public.coupons enable row level security;\n"
    assert file_edit.create
    # The same file on the next pass (a fix loop plans one file, not one per second).
    [again] = findings(project, INIT, "sql/rls-disabled-in-public")
    assert again.fixes[0].file_edits == fix.file_edits
    # History is quiet for the "created without RLS in this migration" rule.
    assert findings(project, INIT, "sql/table-created-without-rls") == []


@needs_git
def test_uncommitted_migration_is_fixed_in_place(tmp_path: Path) -> None:
    project_with(tmp_path, {"README.md": "x\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "init")
    project = project_with(tmp_path, {INIT: TABLE})
    [finding] = findings(project, INIT, "sql/rls-disabled-in-public")
    [fix] = finding.fixes
    assert fix.file_edits == ()
    [edit] = fix.edits
    assert edit.start == edit.end == len(TABLE) - 1
    assert edit.text == "\n\nalter table public.coupons enable row level security;"


@needs_git
def test_uncommitted_table_enabled_later_is_reported(tmp_path: Path) -> None:
    later = "supabase/migrations/20250102000000_rls.sql"
    project = project_with(tmp_path, {INIT: TABLE, later: "alter table public.coupons enable row level security;\n"})
    git(tmp_path, "init", "-q")
    [finding] = findings(project, INIT, "sql/table-created-without-rls")
    assert TABLE.encode()[finding.start : finding.end] == b"public.coupons"
    assert findings(project, INIT, "sql/rls-disabled-in-public") == []


def test_without_a_repository_migrations_count_as_committed(tmp_path: Path) -> None:
    (tmp_path / ".git").write_text("gitdir: /nonexistent\n")  # keeps git from finding an outer repository
    later = "supabase/migrations/20250102000000_rls.sql"
    project = project_with(tmp_path, {INIT: TABLE, later: "alter table public.coupons enable row level security;\n"})
    assert findings(project, INIT, "sql/table-created-without-rls") == []


def test_seed_files_are_not_migrations(tmp_path: Path) -> None:
    project = project_with(tmp_path, {"supabase/seed.sql": TABLE})
    assert findings(project, "supabase/seed.sql", "sql/rls-disabled-in-public") == []


def test_new_migration_stamp_sorts_after_existing_ones() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert new_migration_stamp([], now) == "20250101120000"
    assert new_migration_stamp(["supabase/migrations/20300101000000_future.sql"], now) == "20300101000001"
    assert new_migration_stamp(["supabase/migrations/20240101000000_old.sql", "notes.sql"], now) == "20250101120000"


DEFINER = ("create function public.{name}() returns void language plpgsql security definer as $$\n"
           "begin\n{body}\nend;\n$$;\n")


@pytest.mark.parametrize(
    ("body", "applicability"),
    [
        ("  update public.products set stock = stock - 1;", Applicability.SAFE),
        ("  update products set stock = stock - 1;", Applicability.UNSAFE),
        ("  perform public.audit();\n  insert into public.log (at) values (now());", Applicability.SAFE),
        ("  perform audit();", Applicability.UNSAFE),
        ("  perform 'a'::public.mood;", Applicability.SAFE),
        ("  perform 'a'::mood;", Applicability.UNSAFE),
    ],
)
def test_search_path_fix_is_safe_only_for_qualified_bodies(tmp_path: Path, body: str,
                                                          applicability: Applicability) -> None:
    helpers = ("create type public.mood as enum ('a');\n"
               "create function public.audit() returns void language sql as $$ select $$;\n")
    project = project_with(tmp_path, {INIT: helpers + DEFINER.format(name="f", body=body)})
    [finding] = findings(project, INIT, "sql/security-definer-search-path")
    assert [fix.applicability for fix in finding.fixes] == [applicability]


def test_search_path_fix_for_a_sql_standard_body_is_safe(tmp_path: Path) -> None:
    source = ("create function public.total() returns bigint language sql security definer\n"
              "begin atomic\n  select count(*) from orders;\nend;\n")
    project = project_with(tmp_path, {INIT: source})
    [finding] = findings(project, INIT, "sql/security-definer-search-path")
    [fix] = finding.fixes
    assert fix.applicability is Applicability.SAFE
    assert fix.edits[0].text == "set search_path = ''\n"


def test_policy_fix_offsets_inside_a_do_block_with_multibyte_text(tmp_path: Path) -> None:
    source = ("-- ✂️ é\ndo $$\nbegin\n  create policy \"é\" on public.notes for select\n"
              "    using (auth.uid() = owner_id);\nend\n$$;\n")
    project = project_with(tmp_path, {INIT: source})
    [finding] = findings(project, INIT, "sql/auth-uid-per-row")
    assert source.encode()[finding.start : finding.end] == b"auth.uid()"
    assert finding.fixes[0].edits[0].text == "(select auth.uid())"


def test_fix_quotes_reserved_and_mixed_case_names() -> None:
    from treido_ls.checks._sql import quote_ident

    assert quote_ident("orders") == "orders"
    assert quote_ident("order") == '"order"'
    assert quote_ident("Orders") == '"Orders"'
    assert quote_ident('we"ird') == '"we""ird"'
