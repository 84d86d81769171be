"""Session fuzzer: random protocol sessions against the real server (issue: reliability).

After every step the server is alive, its text equals the client's (treido/debugDocument), its
tree equals a fresh parse wherever that parse has no errors, and every code action's edits lie
inside the document and leave text with no new syntax errors.

`TREIDO_FUZZ_EXAMPLES` (default 25) and `TREIDO_FUZZ_STEPS` (default 30) size the run; the long
run is `TREIDO_FUZZ_EXAMPLES=5000 TREIDO_FUZZ_LOG=/tmp/fuzz-steps.txt python -m pytest tests/fuzz -q`
(the log file holds the number of checked steps, every 1,000).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.e2e.raw_client import RawServer
from treido_ls.parsing import Lang, parse

EXAMPLES = int(os.environ.get("TREIDO_FUZZ_EXAMPLES", "25"))
LOG = Path(os.environ["TREIDO_FUZZ_LOG"]) if os.environ.get("TREIDO_FUZZ_LOG") else None
STEPS = int(os.environ.get("TREIDO_FUZZ_STEPS", "30"))

SEEDS = [
    "'use server';\nimport { revalidateTag } from 'next/cache';\nexport async function f(id: string) {\n"
    "  const s = await createClient();\n  const { data } = await s.from('t').select('*').eq('id', id);\n"
    "  revalidateTag('t');\n  return data;\n}\n",
    "const label = '🛒 購物車 café';\r\nexport const g = async () => { try { redirect('/x') } catch (e) {} };\r\n",
    "",
    "{{{{ ((( `unterminated ${ 'string\n" * 3,
    "create table public.t (id uuid primary key);\ncreate policy p on public.t for update using (true);\n",
]
PIECES = ["", "x", "🛒", "購", "\r\n", "\n", "{", "}", "(", ")", "'", "`", '"', "*", "select('*')", "\0",
          "revalidateTag('a');", "// treido-ignore-next-line supabase/wildcard-select\n", "é", "\t"]


class LspSession(RuleBasedStateMachine):
    server: RawServer | None = None
    root: Path

    def __init__(self) -> None:
        super().__init__()
        self.docs: dict[str, dict[str, Any]] = {}

    @classmethod
    def ensure_server(cls, root: Path) -> RawServer:
        if cls.server is None or cls.server.process.poll() is not None:
            cls.root = root
            cls.server = RawServer(initialization_options={"debugRequests": True})
            cls.server.initialize(root.as_uri())
        return cls.server

    @initialize(seed=st.sampled_from(range(len(SEEDS))), tsx=st.booleans())
    def open_first(self, seed: int, tsx: bool) -> None:
        self.srv = self.ensure_server(ROOT)
        self._open(seed, tsx)

    def _open(self, seed: int, tsx: bool) -> None:
        text = SEEDS[seed]
        suffix = ".sql" if text.startswith("create") else (".tsx" if tsx else ".ts")
        name = f"doc{len(self.docs)}_{id(self)}{suffix}"
        uri = (ROOT / "app" / name).as_uri()
        self.docs[uri] = {"text": text, "version": 1, "lang": {".ts": Lang.TYPESCRIPT, ".tsx": Lang.TSX,
                                                                ".sql": Lang.SQL}[suffix]}
        language = {".ts": "typescript", ".tsx": "typescriptreact", ".sql": "sql"}[suffix]
        self.srv.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": language, "version": 1, "text": text}}})

    @rule(seed=st.sampled_from(range(len(SEEDS))), tsx=st.booleans())
    def open_another(self, seed: int, tsx: bool) -> None:
        if len(self.docs) < 3:
            self._open(seed, tsx)

    @precondition(lambda self: bool(self.docs))
    @rule(data=st.data(), piece=st.sampled_from(PIECES))
    def change(self, data: st.DataObject, piece: str) -> None:
        uri = data.draw(st.sampled_from(sorted(self.docs)))
        doc = self.docs[uri]
        lines = re.split(r"\r\n|\r|\n", doc["text"])
        start = (data.draw(st.integers(0, len(lines) + 1)), data.draw(st.integers(0, 60)))
        end = (data.draw(st.integers(start[0], len(lines) + 1)), data.draw(st.integers(0, 60)))
        if end < start:
            end = start
        doc["text"] = apply_change(doc["text"], start, end, piece)
        doc["version"] += 1
        self.srv.send({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": doc["version"]},
            "contentChanges": [{"range": {"start": {"line": start[0], "character": start[1]},
                                          "end": {"line": end[0], "character": end[1]}}, "text": piece}]}})

    @precondition(lambda self: bool(self.docs))
    @rule(data=st.data())
    def code_actions(self, data: st.DataObject) -> None:
        uri = data.draw(st.sampled_from(sorted(self.docs)))
        line, character = data.draw(st.integers(0, 12)), data.draw(st.integers(0, 80))
        position = {"line": line, "character": character}
        answer = self.srv.response(self.srv.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": {"start": position, "end": position},
            "context": {"diagnostics": []}}))
        assert "error" not in answer, answer
        doc = self.docs[uri]
        before = parse(doc["lang"], doc["text"].encode("utf-8", "surrogatepass")).root_node
        for action in answer.get("result") or []:
            edits = action.get("edit", {}).get("changes", {}).get(uri, [])
            fixed = apply_edits(doc["text"], edits)
            after = parse(doc["lang"], fixed.encode("utf-8", "surrogatepass")).root_node
            assert before.has_error or not after.has_error, (action["title"], fixed)

    @precondition(lambda self: bool(self.docs))
    @rule(data=st.data())
    def hover(self, data: st.DataObject) -> None:
        uri = data.draw(st.sampled_from(sorted(self.docs)))
        position = {"line": data.draw(st.integers(0, 12)), "character": data.draw(st.integers(0, 80))}
        answer = self.srv.response(self.srv.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                                           "position": position}))
        assert "error" not in answer, answer

    @precondition(lambda self: len(self.docs) > 1)
    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        uri = data.draw(st.sampled_from(sorted(self.docs)))
        del self.docs[uri]
        self.srv.send({"method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})

    steps = 0  # across the whole run, reported by `test_report_step_count` style runs via TREIDO_FUZZ_LOG

    @invariant()
    def server_matches_client(self) -> None:
        if not hasattr(self, "srv"):
            return
        LspSession.steps += 1
        if LOG and LspSession.steps % 1000 == 0:
            LOG.write_text(f"{LspSession.steps} steps checked\n")
        for uri, doc in self.docs.items():
            answer = self.srv.response(self.srv.request("treido/debugDocument", {"uri": uri}))
            state = answer["result"]
            assert state["text"] == doc["text"]
            assert state["version"] == doc["version"]
            fresh = parse(doc["lang"], doc["text"].encode("utf-8", "surrogatepass")).root_node
            if not fresh.has_error:
                assert state["tree"] == str(fresh)

    def teardown(self) -> None:
        for uri in list(self.docs):
            self.srv.send({"method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})


def _index(text: str, line: int, character: int) -> int:
    """UTF-16 position -> string index, clamped the way LSP asks; \r\n, \r and \n end lines."""
    starts = [0]
    ends = []
    for match in re.finditer(r"\r\n|\r|\n", text):
        ends.append(match.start())
        starts.append(match.end())
    ends.append(len(text))
    if line >= len(starts):
        return len(text)
    units = 0
    for i in range(starts[line], ends[line]):
        width = 2 if ord(text[i]) > 0xFFFF else 1
        if units + width > character:
            return i
        units += width
    return ends[line]


def apply_change(text: str, start: tuple[int, int], end: tuple[int, int], new: str) -> str:
    a, b = _index(text, *start), _index(text, *end)
    a, b = min(a, b), max(a, b)
    return text[:a] + new + text[b:]


def apply_edits(text: str, edits: list[dict[str, Any]]) -> str:
    spans = sorted(((_index(text, e["range"]["start"]["line"], e["range"]["start"]["character"]),
                     _index(text, e["range"]["end"]["line"], e["range"]["end"]["character"]), e["newText"])
                    for e in edits), reverse=True)
    for a, b, new in spans:
        assert 0 <= a <= b <= len(text)
        text = text[:a] + new + text[b:]
    return text


ROOT = Path(os.environ.get("TREIDO_FUZZ_ROOT", "/tmp/treido-fuzz-project"))
ROOT.joinpath("app").mkdir(parents=True, exist_ok=True)
ROOT.joinpath("package.json").write_text(json.dumps({"dependencies": {"next": "16.0.0"}}))

LspSession.TestCase.settings = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
                                        suppress_health_check=list(HealthCheck))
TestLspSession = LspSession.TestCase
