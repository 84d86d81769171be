"""Protocol misuse gets an answer and the server keeps serving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.e2e.lsp_helpers import SERVER, diagnostics_after, initialize, open_document

TEXT = "import { revalidateTag } from 'next/cache';\nrevalidateTag('a');\n"


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    yield
    await lsp_client.shutdown_session()


def project(tmp_path: Path) -> Path:
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"next": "16.0.0"}}))
    return tmp_path


async def alive(client: LanguageClient, uri: str) -> None:
    diagnostics = await diagnostics_after(client, uri, open_document(client, uri, TEXT, version=7))
    assert [d.code for d in diagnostics] == ["next/revalidate-tag-missing-profile"]


async def test_requests_for_unknown_documents(client: LanguageClient, tmp_path: Path) -> None:
    root = project(tmp_path)
    await initialize(client, root.as_uri())
    ghost = lsp.TextDocumentIdentifier((root / "ghost.ts").as_uri())
    assert await client.text_document_hover_async(lsp.HoverParams(ghost, lsp.Position(0, 0))) is None
    assert await client.text_document_code_action_async(lsp.CodeActionParams(
        ghost, lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)), lsp.CodeActionContext([]))) is None
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(uri=ghost.uri, version=2),
        [lsp.TextDocumentContentChangeWholeDocument("x")]))
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(ghost))
    await alive(client, (root / "a.ts").as_uri())


async def test_positions_past_the_end(client: LanguageClient, tmp_path: Path) -> None:
    root = project(tmp_path)
    await initialize(client, root.as_uri())
    uri = (root / "a.ts").as_uri()
    await alive(client, uri)
    doc = lsp.TextDocumentIdentifier(uri)
    far = lsp.Position(999, 999)
    assert await client.text_document_hover_async(lsp.HoverParams(doc, far)) is None
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        doc, lsp.Range(far, far), lsp.CodeActionContext([])))
    assert actions is not None and all(a.kind == "source.fixAll.treido" for a in actions
                                       if isinstance(a, lsp.CodeAction)) is True
    # An edit past the end appends, as LSP clamps positions.
    after = await diagnostics_after(client, uri, lambda: client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(uri=uri, version=8), [
            lsp.TextDocumentContentChangePartial(range=lsp.Range(far, far), text="revalidateTag('b');\n")])),
        version=8)
    assert len(after) == 2


async def test_debug_request_disabled_by_default(client: LanguageClient, tmp_path: Path) -> None:
    root = project(tmp_path)
    await initialize(client, root.as_uri(), options={"debugRequests": False})
    with pytest.raises(JsonRpcException):
        await client.protocol.send_request_async("treido/debugDocument", {"uri": "file:///x.ts"})
    await alive(client, (root / "a.ts").as_uri())


async def test_bad_settings_fall_back_to_defaults(client: LanguageClient, tmp_path: Path) -> None:
    root = project(tmp_path)
    await initialize(client, root.as_uri(), options={"run": "sometimes", "enable": "yes"})
    await alive(client, (root / "a.ts").as_uri())
    messages = [m.message for m in client.messages]
    assert any("treido.run must be one of" in m for m in messages)


async def test_broken_config_buffer_reports_and_keeps_linting(client: LanguageClient, tmp_path: Path) -> None:
    root = project(tmp_path)
    await initialize(client, root.as_uri())
    config_uri = (root / "treido.json").as_uri()
    text = '{\n  "rules": { "next/revalidate-tag-missing-profile": "loud" }\n}\n'
    diagnostics = await diagnostics_after(client, config_uri, open_document(client, config_uri, text, "json"))
    [problem] = diagnostics
    assert problem.code == "treido/config-error"
    assert problem.range.start == lsp.Position(1, 52)
    await alive(client, (root / "a.ts").as_uri())


async def test_files_over_the_size_limit_are_skipped_with_a_notice(client: LanguageClient, tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "treido.json").write_text('{ "maxFileSize": 200 }')
    await initialize(client, root.as_uri())
    uri = (root / "big.ts").as_uri()
    big = TEXT + "// padding\n" * 40
    assert await diagnostics_after(client, uri, open_document(client, uri, big)) == []
    assert any("skipped big.ts" in m.message for m in client.messages)
    # Shrinking it below the limit brings the findings back.
    after = await diagnostics_after(client, uri, lambda: client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
                                        [lsp.TextDocumentContentChangeWholeDocument(TEXT)])), version=2)
    assert [d.code for d in after] == ["next/revalidate-tag-missing-profile"]


async def test_config_path_setting_replaces_the_closest_config(client: LanguageClient, tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "configs").mkdir()
    (root / "configs" / "quiet.json").write_text('{ "rules": { "next/revalidate-tag-missing-profile": "off" } }')
    await initialize(client, root.as_uri(), options={"configPath": "configs/quiet.json"})
    uri = (root / "a.ts").as_uri()
    assert await diagnostics_after(client, uri, open_document(client, uri, TEXT)) == []
