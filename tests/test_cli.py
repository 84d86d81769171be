"""`treido-ls check` and friends: output format, exit codes, file discovery."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from treido_ls import cli

BAD_ACTION = (
    "'use server';\n"
    "import { revalidateTag } from 'next/cache';\n"
    "export async function bust() {\n"
    "  const label = '🛒 購物車'; revalidateTag('products');\n"
    "}\n"
)


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --format, check prints GitHub annotations under GITHUB_ACTIONS=true: these tests want text."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"next": "16.0.0"}}))
    for rel, text in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output_location_frame_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, {"app/actions/cache.ts": BAD_ACTION})
    monkeypatch.chdir(root)
    code, out, _ = run(capsys, "check")
    assert code == 0  # warnings only
    line = out.splitlines()[0]
    # Column counted in characters: the call starts after '  const label = '🛒 購物車'; '.
    assert line == ("app/actions/cache.ts:4:26  next/revalidate-tag-missing-profile  "
                    "`revalidateTag()` without a profile is deprecated in Next.js 16: pass one, e.g. "
                    "`revalidateTag(tag, 'max')`")
    assert "    4 |   const label = '🛒 購物車'; revalidateTag('products');" in out
    assert re.search(r"Found 1 problem \(1 warning\) in 1 of 1 files\.", out)


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, {"app/a.ts": BAD_ACTION})
    assert run(capsys, "check", str(root))[0] == 0
    (root / "treido.json").write_text('{"rules": {"next/revalidate-tag-missing-profile": "error"}}')
    assert run(capsys, "check", str(root))[0] == 1
    assert run(capsys, "check", "--exit-zero", str(root))[0] == 0
    code, _, err = run(capsys, "check", str(root / "missing"))
    assert code == 2 and "no such file" in err


def test_invalid_config_values_are_reported_not_fatal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, {"app/a.ts": BAD_ACTION, "treido.json": '{"rules": {"nope/rule": "error"}}'})
    code, out, _ = run(capsys, "check", str(root))
    assert code == 1  # config errors are error-level findings
    assert "treido.json:1:12  treido/config-error" in out
    assert "next/revalidate-tag-missing-profile" in out  # the rest still ran with defaults


def test_unreadable_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, {"app/a.ts": BAD_ACTION, "treido.json": "{}"})
    real = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == "treido.json":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    code, _, err = run(capsys, "check", str(root))
    assert code == 2 and "cannot read" in err


def test_internal_error_asks_for_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import treido_ls.check

    def boom(files: list[Path], options: object = None) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(treido_ls.check, "check_files", boom)
    code, _, err = run(capsys, "check", str(project(tmp_path, {})))
    assert code == 101
    assert "Please report it" in err and "kaboom" in err


def test_skips_node_modules_build_output_and_gitignored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, {
        "app/a.ts": BAD_ACTION,
        "node_modules/pkg/index.ts": BAD_ACTION,
        ".next/server/a.js": BAD_ACTION,
        "generated/x.ts": BAD_ACTION,
        ".gitignore": "generated/\n",
    })
    _, out, _ = run(capsys, "check", str(root))
    flagged = [line.split(":")[0] for line in out.splitlines() if ":" in line and "  next/revalidate" in line]
    assert len(flagged) == 1 and flagged[0].endswith("app/a.ts")


def test_rules_and_rule_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    assert re.search(r"^supabase/wildcard-select\s+warning\s+fix: ", out, re.M)
    code, out, _ = run(capsys, "rule", "next/revalidate-tag-missing-profile")
    assert code == 0 and "## Why is this bad?" in out and "## Tests" not in out and "error: [" not in out
    code, _, err = run(capsys, "rule", "no/such-rule")
    assert code == 2 and "unknown rule" in err


def test_schema_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0 and "supabase/wildcard-select" in json.dumps(schema)


def test_module_entry_point_and_version() -> None:
    result = subprocess.run([sys.executable, "-m", "treido_ls", "--version"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0 and result.stdout.startswith("treido-ls ")
