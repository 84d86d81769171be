"""Shared pieces of the real-editor tests: the fixture project, expected positions, running an editor.

The editor-side scripts (nvim_test.lua, eglot_test.el) act like a user and write what the editor
saw to a JSON file; the tests here make every assertion. Each editor run is bounded by a timeout
and its whole process group (editor and server) is killed if it overruns.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RULE = "next/revalidate-tag-missing-profile"
FIX_TITLE = "Add the 'max' profile (serve stale while revalidating)"
IGNORE_TITLE = f"Ignore {RULE} for this line"
SERVER_CMD = [sys.executable, "-m", "treido_ls"]
RUN_TIMEOUT = 90.0  # seconds for one whole editor session; a healthy one takes about 1-2 s

# The flagged call follows non-ASCII text on the same line (4-byte emoji = 2 UTF-16 units,
# 2-byte accented letter, 3-byte CJK): a wrong position encoding moves the squiggle.
FLAGGED_LINE = "  const label = '🛒 café 購物車'; revalidateTag('products');"
CALL = "revalidateTag('products')"
SOURCE = f"""import {{ revalidateTag }} from 'next/cache';

export async function refreshCart(): Promise<string> {{
{FLAGGED_LINE}
  return label;
}}
"""
FIXED_SOURCE = SOURCE.replace(CALL, "revalidateTag('products', 'max')")
LINE = 3
PACKAGE_JSON = '{\n  "name": "cart",\n  "private": true,\n  "dependencies": { "next": "16.0.0" }\n}\n'


@dataclass(frozen=True)
class Span:
    start: tuple[int, int]
    end: tuple[int, int]


def expected_span(encoding: str) -> Span:
    """Where the call sits on its line, in code units of `encoding` (utf-8, utf-16 or chars)."""
    before = FLAGGED_LINE[: FLAGGED_LINE.index(CALL)]
    return Span((LINE, units(before, encoding)), (LINE, units(before + CALL, encoding)))


def units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    assert encoding == "chars"
    return len(text)


def lsp_span(diagnostic: Mapping[str, Any]) -> Span:
    start, end = diagnostic["range"]["start"], diagnostic["range"]["end"]
    return Span((start["line"], start["character"]), (end["line"], end["character"]))


def of_rule(diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in diagnostics if d.get("code") == RULE]


def write_project(root: Path) -> Path:
    """A Next.js 16 project with one flagged file; returns the file."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text(PACKAGE_JSON, encoding="utf-8")
    source = root / "app" / "actions" / "cart.ts"
    source.parent.mkdir(parents=True)
    source.write_bytes(SOURCE.encode("utf-8"))
    return source


def editor_env(tmp: Path, **extra: str) -> dict[str, str]:
    """A clean environment: editors write state, logs and caches under `tmp`, never in $HOME."""
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.update(HOME=str(home), XDG_STATE_HOME=str(home / "state"), XDG_CACHE_HOME=str(home / "cache"),
               XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"), TMPDIR=str(tmp))
    env.update(extra)
    return env


def missing(what: str, install: str) -> NoReturn:
    """Skip with the install command, except in CI, where a missing editor fails the run."""
    reason = f"{what} not found; install it with: {install}"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {reason}")
    pytest.skip(reason)


@dataclass(frozen=True)
class EditorRun:
    result: dict[str, Any]
    seconds: float


def run_editor(argv: list[str], env: Mapping[str, str], result_file: Path, timeout: float = RUN_TIMEOUT) -> EditorRun:
    """Run a headless editor session to completion; kill its process group if it overruns."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=dict(env), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        pytest.fail(f"{argv[0]} did not finish in {timeout:.0f}s:\n{output.decode(errors='replace')}")
    seconds = time.monotonic() - started
    text = output.decode(errors="replace")
    assert result_file.exists(), f"{argv[0]} exited {proc.returncode} without a result:\n{text}"
    result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    assert "error" not in result, f"{result['error']}\nsteps: {result.get('steps')}\n{text}"
    assert proc.returncode == 0, f"{argv[0]} exited {proc.returncode}:\n{text}"
    return EditorRun(result, seconds)


def version_of(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
