"""One engine, two front ends: `treido-ls check` and the server report the same findings."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest_lsp
from pytest_lsp import LanguageClient

from tests.e2e.lsp_helpers import SERVER, diagnostics_after, initialize, open_document
from treido_ls.files import discover
from treido_ls.parsing import lang_for_path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "treido-shop"
LINE = re.compile(r"^(?P<path>\S+):(?P<line>\d+):(?P<col>\d+)  (?P<rule>\S+)  (?P<message>.*)$")
LANGUAGE_IDS = {"ts": "typescript", "tsx": "typescriptreact", "sql": "sql", "js": "javascript"}


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    yield
    await lsp_client.shutdown_session()


def cli_findings() -> set[tuple[str, int, int, str, str]]:
    result = subprocess.run([sys.executable, "-m", "treido_ls", "check", "--exit-zero", "--color", "never", "."],
                            cwd=EXAMPLE, capture_output=True, text=True, check=True)
    found = set()
    for line in result.stdout.splitlines():
        match = LINE.match(line)
        if match:
            found.add((match["path"], int(match["line"]), int(match["col"]), match["rule"], match["message"]))
    return found


async def test_cli_and_server_agree_on_the_example_app(client: LanguageClient) -> None:
    # utf-32 positions count code points, the unit of the CLI's columns.
    await initialize(client, EXAMPLE.as_uri(), encodings=["utf-32"])
    server: set[tuple[str, int, int, str, str]] = set()
    for path in discover([EXAMPLE]):
        if lang_for_path(path.name) is None:
            continue
        uri = path.as_uri()
        text = path.read_bytes().decode("utf-8")
        language = LANGUAGE_IDS.get(path.suffix.lstrip("."), "typescript")
        for d in await diagnostics_after(client, uri, open_document(client, uri, text, language)):
            rel = path.relative_to(EXAMPLE).as_posix()
            server.add((rel, d.range.start.line + 1, d.range.start.character + 1, str(d.code), d.message))
    cli = cli_findings()
    assert cli, "the example app should have findings"
    assert server == cli
