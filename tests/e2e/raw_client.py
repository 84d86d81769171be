"""A minimal JSON-RPC client over pipes, for messages a typed client refuses to send."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from queue import Empty, Queue
from typing import Any


class RawServer:
    def __init__(self, initialization_options: dict[str, Any] | None = None) -> None:
        self.initialization_options = initialization_options
        self.process = subprocess.Popen([sys.executable, "-m", "treido_ls", "--stdio"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: Queue[dict[str, Any]] = Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._next_id = 0

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
                    length = int(value.strip())
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def send_raw(self, body: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, method: str, params: Any) -> int:
        self._next_id += 1
        self.send({"id": self._next_id, "method": method, "params": params})
        return self._next_id

    def response(self, request_id: int, timeout: float = 10.0) -> dict[str, Any]:
        while True:
            try:
                message = self.messages.get(timeout=timeout)
            except Empty:
                raise TimeoutError(f"no response to request {request_id}") from None
            if message.get("id") == request_id and "method" not in message:
                return message

    def initialize(self, root_uri: str) -> dict[str, Any]:
        answer = self.response(self.request("initialize", {
            "processId": None, "rootUri": root_uri, "capabilities": {},
            "initializationOptions": self.initialization_options}), timeout=60)  # a loaded machine starts slowly
        self.send({"method": "initialized", "params": {}})
        return answer

    def close(self) -> None:
        try:
            self.response(self.request("shutdown", None), timeout=5)
            self.send({"method": "exit"})
            self.process.wait(timeout=5)
        finally:
            if self.process.poll() is None:
                self.process.kill()
