"""Malformed messages get JSON-RPC errors; the server keeps answering and exits on request."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.raw_client import RawServer


def test_malformed_params_and_unknown_methods(tmp_path: Path) -> None:
    server = RawServer()
    try:
        assert "capabilities" in server.initialize(tmp_path.as_uri())["result"]
        bad = server.response(server.request("textDocument/hover", {"textDocument": 5}))
        assert "error" in bad
        unknown = server.response(server.request("treido/noSuchMethod", {}))
        assert unknown["error"]["code"] == -32601
        server.send_raw(b"{not json")
        uri = (tmp_path / "a.ts").as_uri()
        server.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "typescript", "version": 1, "text": "const a = 1;\n"}}})
        hover = server.response(server.request("textDocument/hover", {
            "textDocument": {"uri": uri}, "position": {"line": 0, "character": 3}}))
        assert hover.get("result") is None and "error" not in hover
    finally:
        server.close()
    assert server.process.returncode == 0
