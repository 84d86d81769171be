"""Baselines: write, read across edits that shift lines, new findings still reported, prune."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import project, run
from treido_ls.baseline import enclosing_name, fingerprints
from treido_ls.model import Finding, Severity
from treido_ls.parsing import Lang, parse

RULE = "next/revalidate-tag-missing-profile"
CONFIG = '{"rules": {"next/revalidate-tag-missing-profile": "error"}}'


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default format depends on GITHUB_ACTIONS: tests pick it explicitly."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)


def action(*bodies: str, prefix: str = "") -> str:
    functions = "".join(
        f"export async function refresh{i}() {{\n  {body}\n}}\n" for i, body in enumerate(bodies)
    )
    return f"'use server';\n{prefix}import {{ revalidateTag }} from 'next/cache';\n{functions}"


def rules_in(out: str) -> list[str]:
    return [m["ruleId"] for entry in json.loads(out) for m in entry["messages"]]


def test_baseline_write_read_shift_and_prune(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, {"treido.json": CONFIG,
                              "app/a.ts": action("revalidateTag('cart');", "revalidateTag('orders');")})
    baseline = root / "treido-baseline.json"
    assert run(capsys, "check", str(root))[0] == 1
    code, _, err = run(capsys, "check", "--baseline-write", str(baseline), str(root))
    assert code == 0 and "wrote 2 finding(s)" in err
    entries = json.loads(baseline.read_text())["entries"]
    assert {(e["rule"], e["path"], e["count"]) for e in entries} == {(RULE, "app/a.ts", 1)}
    assert len(entries) == 2

    # Unrelated edits: lines above and between the findings shift everything.
    shifted = action("// a note\n  const when = Date.now();\n  revalidateTag('cart');", "revalidateTag('orders');",
                     prefix="// header comment\n\n")
    (root / "app/a.ts").write_text(shifted)
    code, out, _ = run(capsys, "check", "--format", "json", "--baseline", str(baseline), str(root))
    assert code == 0 and rules_in(out) == []

    # A new finding is reported; the baselined ones stay hidden.
    (root / "app/a.ts").write_text(shifted + "export async function more() {\n  revalidateTag('wishlist');\n}\n")
    code, out, _ = run(capsys, "check", "--format", "json", "--baseline", str(baseline), str(root))
    assert code == 1 and rules_in(out) == [RULE]

    # The 'orders' finding is fixed: prune drops its entry and keeps the other.
    (root / "app/a.ts").write_text(action("revalidateTag('cart');", "revalidateTag('orders', 'max');"))
    code, _, err = run(capsys, "check", "--baseline", str(baseline), "--baseline-prune", str(root))
    assert code == 0 and "pruned 1 baseline entry" in err
    assert len(json.loads(baseline.read_text())["entries"]) == 1
    # ... so the finding coming back is new again.
    (root / "app/a.ts").write_text(action("revalidateTag('cart');", "revalidateTag('orders');"))
    assert run(capsys, "check", "--baseline", str(baseline), str(root))[0] == 1


def test_counts_accept_only_as_many_identical_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, {"treido.json": CONFIG, "app/a.ts": action("revalidateTag('cart');")})
    baseline = tmp_path / "base.json"
    run(capsys, "check", "--baseline-write", str(baseline), str(root))
    (root / "app/a.ts").write_text(action("revalidateTag('cart');\n  revalidateTag('cart');"))
    code, out, _ = run(capsys, "check", "--format", "json", "--baseline", str(baseline), str(root))
    assert code == 1 and rules_in(out) == [RULE]


def test_config_baseline_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = json.dumps({"baseline": ".treido/baseline.json", "rules": {RULE: "error"}})
    root = project(tmp_path, {"app/a.ts": action("revalidateTag('cart');"), "treido.json": config})
    run(capsys, "check", "--baseline-write", str(root / ".treido/baseline.json"), str(root))
    assert run(capsys, "check", str(root))[0] == 0  # the config's baseline applies without a flag
    code, _, err = run(capsys, "check", "--baseline", str(tmp_path / "missing.json"), str(root))
    assert code == 2 and "cannot read baseline" in err


def test_fingerprint_ignores_position_but_not_code_or_function() -> None:
    def prints(source: str) -> list[str]:
        data = source.encode()
        start = data.index(b"revalidateTag(")
        finding = Finding(RULE, Severity.WARNING, start, data.index(b";", start), "m")
        return fingerprints("app/a.ts", data, parse(Lang.TYPESCRIPT, data), [finding])

    base = prints(action("revalidateTag('cart');"))
    assert prints("\n\n// moved\n" + action("revalidateTag( 'cart' );".replace("( ", "(").replace(" )", ")"))) == base
    assert prints(action("revalidateTag('orders');")) != base
    assert prints(action("revalidateTag('cart');").replace("refresh0", "renamed")) != base


def test_enclosing_name_for_methods_and_arrow_functions() -> None:
    source = b"class Store { async save() { items.forEach(() => { go(); }); } }\nconst load = async () => { go(); };\n"
    tree = parse(Lang.TYPESCRIPT, source)
    first = source.index(b"go()")
    assert enclosing_name(tree.root_node, first, first + 4) == "Store.save"
    second = source.rindex(b"go()")
    assert enclosing_name(tree.root_node, second, second + 4) == "load"


def test_accepted_for_one_file(tmp_path: Path) -> None:
    from treido_ls.baseline import Baseline

    source = action("revalidateTag('cart');\n  revalidateTag('cart');").encode()
    starts = [i for i in range(len(source)) if source.startswith(b"revalidateTag('cart')", i)]
    findings = [Finding(RULE, Severity.WARNING, s, s + 21, "m") for s in starts]
    prints = fingerprints("app/a.ts", source, parse(Lang.TYPESCRIPT, source), findings)
    assert prints[0] == prints[1]
    baseline = Baseline()
    baseline.counts[(RULE, "app/a.ts", prints[0])] = 1
    assert baseline.accepted(tmp_path / "app/a.ts", tmp_path, findings, prints) == [True, False]
