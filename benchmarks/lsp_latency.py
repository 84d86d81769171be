"""Keystroke -> diagnostics latency of any LSP server, over raw JSON-RPC pipes (no editor).

    python benchmarks/lsp_latency.py --kind action --edits 500 -- treido-ls
    python benchmarks/lsp_latency.py --kind types --edits 500 --config sgconfig.yml -- ast-grep lsp

Opens one generated file (a ~2,000-line server-action module, or a ~100 KB generated-types file)
in a temporary project, then types one character at a time (insert, then delete, so the text stays
realistic) at `--cadence-ms`, measuring didChange -> publishDiagnostics for that document. Reports
open -> first diagnostics, and median / p95 / p99 / max over the edits.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty, Queue
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_app import big_action_file, generated_types


class Server:
    def __init__(self, command: list[str], cwd: Path) -> None:
        self.process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.inbox: Queue[tuple[float, dict[str, Any]]] = Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            body = stream.read(length)
            self.inbox.put((time.perf_counter(), json.loads(body)))

    def send(self, message: dict[str, Any]) -> float:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        sent = time.perf_counter()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()
        return sent

    def request(self, method: str, params: Any, timeout: float = 30) -> dict[str, Any]:
        self.next_id += 1
        request_id = self.next_id
        self.send({"id": request_id, "method": method, "params": params})
        while True:
            _, message = self.inbox.get(timeout=timeout)
            if message.get("id") == request_id and "method" not in message:
                return message
            self._answer(message)

    def _answer(self, message: dict[str, Any]) -> None:
        """Reply to server->client requests (configuration, registration) so servers don't stall."""
        if "id" in message and "method" in message:
            result: Any = None
            if message["method"] == "workspace/configuration":
                result = [None for _ in message["params"]["items"]]
            self.send({"id": message["id"], "result": result})

    def wait_diagnostics(self, uri: str, timeout: float = 30) -> tuple[float, dict[str, Any]]:
        deadline = time.perf_counter() + timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError("no diagnostics")
            try:
                received, message = self.inbox.get(timeout=remaining)
            except Empty:
                raise TimeoutError("no diagnostics") from None
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                return received, message["params"]
            self._answer(message)

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=5)
            self.send({"method": "exit"})
            self.process.wait(timeout=5)
        except Exception:
            pass
        finally:
            if self.process.poll() is None:
                self.process.kill()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(command: list[str], kind: str, edits: int, cadence_ms: float, lines: int = 2000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="treido-bench-") as tmp:
        root = Path(tmp)
        (root / "package.json").write_text(json.dumps({"dependencies": {"next": "16.0.3"}}))
        if kind == "action":
            rel, text, language = "app/actions/orders.ts", big_action_file(lines), "typescript"
        else:
            tables = {f"table_{i}": ["id", "owner_id", "title", "status", "note", "created_at"] for i in range(400)}
            rel, text, language = "types/database.types.ts", generated_types(tables, 100_000), "typescript"
        path = root / rel
        path.parent.mkdir(parents=True)
        path.write_text(text)
        server = Server(command, root)
        try:
            init = server.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {
                "textDocument": {"publishDiagnostics": {"versionSupport": True}}}})
            sync = init["result"]["capabilities"].get("textDocumentSync", 1)
            sync_kind = sync.get("change", 1) if isinstance(sync, dict) else sync
            server.send({"method": "initialized", "params": {}})
            uri = path.as_uri()
            opened = server.send({"method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uri, "languageId": language, "version": 1, "text": text}}})
            first, _ = server.wait_diagnostics(uri)
            lines = text.split("\n")
            # Type inside the body of a function near the middle of the file.
            line = len(lines) // 2
            while lines[line].strip() == "" or lines[line].strip().startswith("}"):
                line += 1
            column = len(lines[line])
            samples: list[float] = []
            current = text
            for step in range(edits):
                version = step + 2
                inserting = step % 2 == 0
                if inserting:
                    change: dict[str, Any] = {"range": {"start": {"line": line, "character": column},
                                                        "end": {"line": line, "character": column}}, "text": "x"}
                    lines[line] += "x"
                else:
                    change = {"range": {"start": {"line": line, "character": column},
                                        "end": {"line": line, "character": column + 1}}, "text": ""}
                    lines[line] = lines[line][:-1]
                current = "\n".join(lines)
                params = {"textDocument": {"uri": uri, "version": version},
                          "contentChanges": [change if sync_kind == 2 else {"text": current}]}
                sent = server.send({"method": "textDocument/didChange", "params": params})
                received, _ = server.wait_diagnostics(uri)
                samples.append((received - sent) * 1000)
                time.sleep(cadence_ms / 1000)
        finally:
            server.close()
    return {
        "command": " ".join(command), "kind": kind, "edits": edits,
        "open_to_first_ms": round((first - opened) * 1000, 2),
        "median_ms": round(statistics.median(samples), 3), "p95_ms": round(percentile(samples, 0.95), 3),
        "p99_ms": round(percentile(samples, 0.99), 3), "max_ms": round(max(samples), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=("action", "types"), default="action")
    parser.add_argument("--edits", type=int, default=500)
    parser.add_argument("--cadence-ms", type=float, default=30.0)
    parser.add_argument("--lines", type=int, default=2000, help="size of the server-action file (--kind action)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="server command after --")
    args = parser.parse_args()
    command = [c for c in args.command if c != "--"] or [sys.executable, "-m", "treido_ls"]
    print(json.dumps({**run(command, args.kind, args.edits, args.cadence_ms, args.lines), "lines": args.lines}))


if __name__ == "__main__":
    main()
