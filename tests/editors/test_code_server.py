"""Opt-in: the packaged VS Code extension in real VS Code 1.100 (code-server), driven by headless Chromium.

Run with `TREIDO_E2E_VSCODE=1 python -m pytest -q tests/editors/test_code_server.py -s` (about a
minute the first time, for the staged code-server install; see tests/editors/code_server/install.sh).
It installs the `.vsix` ($TREIDO_VSIX, else built from editors/vscode), opens a copy of the example
app, waits for the `revalidateTag` diagnostic, screenshots the squiggle and the quick-fix menu,
applies the quick fix (picked by title, from inside the extension host), saves, and checks the
file on disk. Screenshots go to $TREIDO_E2E_ARTIFACTS (default: <staging dir>/artifacts).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.editors.support import (
    FIX_TITLE,
    FIXED_SOURCE,
    IGNORE_TITLE,
    REPO,
    RULE,
    SOURCE,
    editor_env,
    expected_span,
)

HERE = Path(__file__).resolve().parent / "code_server"
EXAMPLE = REPO / "examples" / "treido-shop"
EXTENSION = REPO / "editors" / "vscode"
CALL = "revalidateTag('products')"
STAGING = Path(os.environ.get("TREIDO_E2E_DIR", Path.home() / ".cache" / "treido-e2e-vscode"))

pytestmark = pytest.mark.skipif(os.environ.get("TREIDO_E2E_VSCODE") != "1",
                                reason="opt-in: set TREIDO_E2E_VSCODE=1 (installs code-server, ~1 min)")


def run(argv: list[str], timeout: float, **kwargs: object) -> None:
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
                          **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"


def tool_env() -> dict[str, str]:
    """PATH with this interpreter's bin first, so that `treido-ls schema` works in the build."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def build_vsix(out: Path) -> Path:
    given = os.environ.get("TREIDO_VSIX")
    if given and Path(given).is_file():
        return Path(given)
    if not (EXTENSION / "node_modules").is_dir():
        run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], 600, cwd=EXTENSION)
    vsix = out / "treido-ls.vsix"
    run(["npx", "--no-install", "vsce", "package", "--allow-missing-repository", "--out", str(vsix)], 600,
        cwd=EXTENSION, env=tool_env())
    return vsix


def package_selftest(out: Path) -> Path:
    vsix = out / "treido-selftest.vsix"
    vsce = EXTENSION / "node_modules" / ".bin" / "vsce"
    run([str(vsce), "package", "--allow-missing-repository", "--out", str(vsix)], 300,
        cwd=HERE / "selftest")
    return vsix


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "code-server exited during startup"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail("code-server did not become healthy")


@pytest.fixture
def code_server_dir() -> Path:
    run(["bash", str(HERE / "install.sh"), str(STAGING / "code-server")], 1200)
    return STAGING / "code-server"


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for proc in processes:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def flagged_line() -> int:
    """0-based line of the example app's planted revalidateTag finding, from EXPECTED.txt."""
    for line in (EXAMPLE / "EXPECTED.txt").read_text(encoding="utf-8").splitlines():
        location, _, rule = line.partition(" ")
        if rule == RULE:
            return int(location.rsplit(":", 1)[1]) - 1
    pytest.fail(f"EXPECTED.txt has no {RULE} line")


def test_vscode_extension_in_code_server(tmp_path: Path, code_server_dir: Path,
                                         started: list[subprocess.Popen[bytes]]) -> None:
    began = time.monotonic()
    vsix, selftest = build_vsix(tmp_path), package_selftest(tmp_path)
    user_data, extensions = tmp_path / "user-data", tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    (user_data / "User" / "settings.json").write_text(json.dumps({
        "treido.interpreter": sys.executable,  # the interpreter route: python -m treido_ls
        "typescript.validate.enable": False,  # only treido's diagnostics and code actions
        "javascript.validate.enable": False,
        "security.workspace.trust.enabled": False,
        "workbench.startupEditor": "none",
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
        "telemetry.telemetryLevel": "off",
        "editor.lightbulb.enabled": "on",
        "editor.stickyScroll.enabled": False,  # its overlay sits on top of the lines it pins
    }), encoding="utf-8")
    code_server = code_server_dir / "node_modules" / ".bin" / "code-server"
    profile = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
    for package in (vsix, selftest):  # with HOME in tmp_path: code-server writes a config file there
        run([str(code_server), *profile, "--install-extension", str(package)], 300, env=editor_env(tmp_path))

    workspace = tmp_path / "treido-shop"
    shutil.copytree(EXAMPLE, workspace, ignore=shutil.ignore_patterns("node_modules", ".next", ".treido-cache"))
    target = workspace / "app" / "actions" / "admin.ts"
    original = target.read_text(encoding="utf-8")
    line = flagged_line()
    lines = original.split("\n")
    column = lines[line].index(CALL)
    lines[line] = lines[line].replace(CALL, "revalidateTag('products', 'max')", 1)
    expected_text = "\n".join(lines)

    # Plus the non-ASCII fixture (emoji, CJK before the call) in the same Next.js 16 app.
    unicode_file = workspace / "app" / "actions" / "cart-label.ts"
    unicode_file.write_bytes(SOURCE.encode("utf-8"))

    selftest_dir = tmp_path / "selftest"
    selftest_dir.mkdir()
    artifacts = Path(os.environ.get("TREIDO_E2E_ARTIFACTS", STAGING / "artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    env = editor_env(tmp_path, TREIDO_SELFTEST_DIR=str(selftest_dir), TREIDO_SELFTEST_FILE=str(target),
                     TREIDO_SELFTEST_UNICODE_FILE=str(unicode_file), TREIDO_SELFTEST_TITLE=FIX_TITLE,
                     TREIDO_SELFTEST_RULE=RULE)
    port = free_port()
    with (tmp_path / "code-server.log").open("wb") as log_file:  # the child keeps its own handle
        server = subprocess.Popen(
            [str(code_server), *profile, "--bind-addr", f"127.0.0.1:{port}", "--auth", "none",
             "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust",
             "--disable-getting-started-override", str(workspace)],
            env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    started.append(server)
    wait_healthy(port, server)

    driver_env = dict(env, NODE_PATH=str(code_server_dir / "node_modules"))
    url = f"http://127.0.0.1:{port}/?folder={workspace}"
    driver = subprocess.run(["node", str(HERE / "driver.mjs"), url, str(selftest_dir), str(artifacts)],
                            env=driver_env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=240)
    report = json.loads((selftest_dir / "driver.json").read_text(encoding="utf-8"))
    result = json.loads((selftest_dir / "result.json").read_text(encoding="utf-8"))
    log = (tmp_path / "code-server.log").read_text(encoding="utf-8", errors="replace")[-3000:]
    assert driver.returncode == 0 and "error" not in report, f"{report.get('error')}\n{driver.stderr}\n{log}"
    assert "error" not in result, result["error"]
    print(f"VS Code {result['vscode']} in code-server: {time.monotonic() - began:.1f}s; screenshots in {artifacts}")

    assert result["steps"] == ["opened", "diagnosed", "fixed", "saved", "cleared", "unicode fixed"]
    example = result["example"]
    [diagnostic] = example["before"]
    assert diagnostic["range"] == {"start": {"line": line, "character": column},
                                   "end": {"line": line, "character": column + len(CALL)}}
    assert FIX_TITLE in example["offered"] and IGNORE_TITLE in example["offered"]
    assert any(FIX_TITLE in row for row in report["menu"]), report["menu"]
    for name in ("squiggle.png", "quick-fix-menu.png"):
        assert (artifacts / name).stat().st_size > 10_000, f"{name} looks empty"
    assert target.read_text(encoding="utf-8") == expected_text
    assert example["after"] == []

    unicode = result["unicode"]
    [diagnostic] = unicode["before"]
    span = expected_span("utf-16")  # VS Code positions are UTF-16 code units
    assert diagnostic["range"] == {"start": {"line": span.start[0], "character": span.start[1]},
                                   "end": {"line": span.end[0], "character": span.end[1]}}
    assert unicode_file.read_bytes() == FIXED_SOURCE.encode("utf-8")
    assert unicode["after"] == []
