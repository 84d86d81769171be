"""Process lifecycle and hostile input through the real server (issue 8).

shutdown + exit ends with 0, exit alone with 1, the server leaves when its editor dies, a
cancelled request still gets an answer, and broken or huge documents never stop it serving.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from queue import Empty
from typing import Any

import pytest

from tests.e2e.raw_client import RawServer

REQUEST_CANCELLED = -32800
SOURCE = """"use server";
import { createClient } from "@/lib/supabase/server";

export async function listProducts() {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) throw new Error("Unauthorized");
  const { data, error } = await supabase.from("products").select("*").limit(20);
  if (error) throw new Error("Could not load products");
  return data;
}
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"next": "16.0.0"}}))
    return tmp_path


def _initialize(server: RawServer, root: Path, process_id: int | None = None) -> None:
    answer = server.response(server.request("initialize", {
        "processId": process_id, "rootUri": root.as_uri(), "capabilities": {},
        "initializationOptions": server.initialization_options}), timeout=60)
    assert "capabilities" in answer["result"]
    server.send({"method": "initialized", "params": {}})


def _wait_exit(server: RawServer, timeout: float = 20) -> int:
    try:
        return server.process.wait(timeout=timeout)
    finally:
        if server.process.poll() is None:
            server.process.kill()


def test_shutdown_then_exit_is_code_0(tmp_path: Path) -> None:
    server = RawServer()
    _initialize(server, _project(tmp_path))
    answer = server.response(server.request("shutdown", None))
    assert answer.get("result") is None and "error" not in answer
    server.send({"method": "exit"})
    assert _wait_exit(server) == 0


def test_exit_without_shutdown_is_code_1(tmp_path: Path) -> None:
    server = RawServer()
    _initialize(server, _project(tmp_path))
    server.send({"method": "exit"})
    assert _wait_exit(server) == 1


def test_the_server_exits_when_its_parent_dies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREIDO_PARENT_POLL_SECONDS", "0.2")
    editor = subprocess.Popen(["sleep", "600"])
    server = RawServer()
    try:
        _initialize(server, _project(tmp_path), process_id=editor.pid)
        hover = server.response(server.request("textDocument/hover", {
            "textDocument": {"uri": (tmp_path / "a.ts").as_uri()}, "position": {"line": 0, "character": 0}}))
        assert "error" not in hover  # alive while the editor lives
        assert server.process.poll() is None
    finally:
        editor.kill()
        editor.wait()  # reaped: a zombie still answers kill(pid, 0)
    assert _wait_exit(server, timeout=30) == 0


def _collect(server: RawServer, seen: list[dict[str, Any]], done: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the expected messages did not arrive")
        try:
            seen.append(server.messages.get(timeout=remaining))
        except Empty:
            continue


def _answer(seen: list[dict[str, Any]], request_id: int) -> dict[str, Any] | None:
    return next((m for m in seen if m.get("id") == request_id and "method" not in m), None)


def test_a_cancelled_request_is_answered_and_the_server_keeps_serving(tmp_path: Path) -> None:
    root = _project(tmp_path)
    server = RawServer()
    try:
        _initialize(server, root)
        uri = (root / "app" / "actions" / "products.ts").as_uri()
        text = SOURCE + "export const rows = [" + "{ id: 1, name: 'x' }, " * 4000 + "];\n"
        server.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "typescript", "version": 1, "text": text}}})
        everything = {"start": {"line": 0, "character": 0}, "end": {"line": 12, "character": 0}}
        request = {"textDocument": {"uri": uri}, "range": everything, "context": {"diagnostics": []}}
        first = server.request("textDocument/codeAction", request)
        server.send({"method": "$/cancelRequest", "params": {"id": first}})
        server.send({"method": "$/cancelRequest", "params": {"id": 987654}})  # unknown id: ignored
        second = server.request("textDocument/codeAction", request)
        seen: list[dict[str, Any]] = []
        _collect(server, seen, lambda: _answer(seen, first) is not None and _answer(seen, second) is not None)
        cancelled = _answer(seen, first)
        assert cancelled is not None
        assert "result" in cancelled or cancelled["error"]["code"] == REQUEST_CANCELLED
        answered = _answer(seen, second)
        assert answered is not None and isinstance(answered.get("result"), list)
    finally:
        server.close()
    assert server.process.returncode == 0


DEEP = 5000
HOSTILE = {
    "nul.ts": SOURCE + "\x00const\x00 a = 1;\x00\n",
    "surrogate.ts": SOURCE + 'const s = "\ud800";\n',
    "template.ts": SOURCE + "const t = `order ${id\n",
    "braces.ts": SOURCE + "export function half() {\n  if (x) {\n",
    "deep.ts": SOURCE + "export const v = " + "[" * DEEP + "1" + "]" * DEEP + ";\n",
    "minified.ts": SOURCE.replace("\n", " ") + "var a=function(b){return b+1};" * 7000,
    "empty.ts": "",
    "crlf.ts": "\r\n" * 20,
}


def test_hostile_documents_through_the_server(tmp_path: Path) -> None:
    root = _project(tmp_path)
    server = RawServer()
    try:
        _initialize(server, root)
        folder = root / "app" / "actions"
        uris = {name: (folder / name).as_uri() for name in [*HOSTILE, "huge.ts"]}
        for name, text in HOSTILE.items():
            server.send({"method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uris[name], "languageId": "typescript", "version": 1, "text": text}}})
        huge = "export const filler = [" + "0, " * (5 * 1024 * 1024 // 3) + "];\n"
        server.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uris["huge.ts"], "languageId": "typescript", "version": 1, "text": huge}}})
        seen: list[dict[str, Any]] = []

        def published() -> dict[str, list[dict[str, Any]]]:
            return {m["params"]["uri"]: m["params"]["diagnostics"] for m in seen
                    if m.get("method") == "textDocument/publishDiagnostics"}

        _collect(server, seen, lambda: set(uris.values()) - {uris["huge.ts"]} <= set(published()) and any(
            m.get("method") == "window/showMessage" for m in seen), timeout=120)
        diagnostics = published()
        for name in HOSTILE:
            codes = [d.get("code") for d in diagnostics[uris[name]]]
            assert "treido/rule-error" not in codes, name
        for name in ("nul.ts", "surrogate.ts", "template.ts", "braces.ts", "deep.ts", "minified.ts"):
            assert "supabase/wildcard-select" in [d.get("code") for d in diagnostics[uris[name]]], name
        notices = [m["params"]["message"] for m in seen if m.get("method") == "window/showMessage"]
        assert any("huge.ts" in n and "maxFileSize" in n for n in notices)
        assert not diagnostics.get(uris["huge.ts"])
        for name in [*HOSTILE, "huge.ts"]:  # every document still answers requests
            hover = server.response(server.request("textDocument/hover", {
                "textDocument": {"uri": uris[name]}, "position": {"line": 7, "character": 60}}))
            assert "error" not in hover, name
    finally:
        server.close()
    assert server.process.returncode == 0
