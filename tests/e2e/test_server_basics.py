"""End to end through the protocol: ranges under both encodings, quick fix, hover, suppression."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.e2e.lsp_helpers import (
    SERVER,
    apply_text_edits,
    diagnostics_after,
    edits_of,
    initialize,
    open_document,
    utf16_len,
)

WILDCARD_LINE = 'const label = "🛒 購物車 café"; const q = supabase.from("carts").select(\'*\').limit(5);'
REVALIDATE = "import { revalidateTag } from 'next/cache';\nconst note = '🛒 café 購物車'; revalidateTag('products');\n"


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    yield
    await lsp_client.shutdown_session()


def make_project(tmp_path: Path) -> Path:
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"next": "16.0.1"}}))
    (tmp_path / "app").mkdir()
    return tmp_path


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8"])
async def test_wildcard_range_after_emoji(client: LanguageClient, tmp_path: Path, encoding: str) -> None:
    root = make_project(tmp_path)
    result = await initialize(client, root.as_uri(), encodings=[encoding])
    assert result.capabilities.position_encoding == encoding
    uri = (root / "app" / "cart.ts").as_uri()
    diagnostics = await diagnostics_after(client, uri, open_document(client, uri, WILDCARD_LINE + "\n"))
    [diagnostic] = [d for d in diagnostics if d.code == "supabase/wildcard-select"]
    prefix = WILDCARD_LINE[: WILDCARD_LINE.index("'*'")]
    measure = utf16_len if encoding == "utf-16" else (lambda s: len(s.encode("utf-8")))
    assert diagnostic.range == lsp.Range(lsp.Position(0, measure(prefix)), lsp.Position(0, measure(prefix) + 3))
    assert diagnostic.source == "treido"
    assert diagnostic.code_description is not None
    assert diagnostic.code_description.href.endswith("rules/supabase/wildcard-select.md")
    assert diagnostic.message


async def test_revalidate_quick_fix_applies_and_clears(client: LanguageClient, tmp_path: Path) -> None:
    root = make_project(tmp_path)
    await initialize(client, root.as_uri())
    uri = (root / "app" / "actions.ts").as_uri()
    diagnostics = await diagnostics_after(client, uri, open_document(client, uri, REVALIDATE))
    [diagnostic] = [d for d in diagnostics if d.code == "next/revalidate-tag-missing-profile"]
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri), range=diagnostic.range,
        context=lsp.CodeActionContext(diagnostics=[diagnostic])))
    assert actions is not None
    titles = [a.title for a in actions if isinstance(a, lsp.CodeAction)]
    fix = next(a for a in actions if isinstance(a, lsp.CodeAction) and "'max'" in a.title)
    assert "Ignore next/revalidate-tag-missing-profile for this line" in titles
    assert not fix.is_preferred  # unsafe fixes are never preferred
    edits = edits_of(fix, uri)
    fixed = apply_text_edits(REVALIDATE, edits)
    assert fixed.splitlines()[1] == "const note = '🛒 café 購物車'; revalidateTag('products', 'max');"
    after = await diagnostics_after(client, uri, lambda: client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
                                        [lsp.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
                                         for e in edits])), version=2)
    assert [d for d in after if d.code == "next/revalidate-tag-missing-profile"] == []
    state = await client.protocol.send_request_async("treido/debugDocument", {"uri": uri})
    assert state.text == fixed and state.version == 2


async def test_ignore_action_inserts_suppression(client: LanguageClient, tmp_path: Path) -> None:
    root = make_project(tmp_path)
    await initialize(client, root.as_uri())
    uri = (root / "app" / "actions.ts").as_uri()
    text = "import { revalidateTag } from 'next/cache';\nexport function f() {\n  revalidateTag('a');\n}\n"
    [diagnostic] = await diagnostics_after(client, uri, open_document(client, uri, text))
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri), range=diagnostic.range,
        context=lsp.CodeActionContext(diagnostics=[diagnostic])))
    assert actions is not None
    ignore = next(a for a in actions if isinstance(a, lsp.CodeAction) and a.title.startswith("Ignore"))
    fixed = apply_text_edits(text, edits_of(ignore, uri))
    assert fixed.splitlines()[2:4] == [
        "  // treido-ignore-next-line next/revalidate-tag-missing-profile", "  revalidateTag('a');"]
    after = await diagnostics_after(client, uri, lambda: client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
                                        [lsp.TextDocumentContentChangeWholeDocument(text=fixed)])), version=2)
    assert after == []


async def test_hover_shows_rule_documentation(client: LanguageClient, tmp_path: Path) -> None:
    root = make_project(tmp_path)
    await initialize(client, root.as_uri())
    uri = (root / "app" / "cart.ts").as_uri()
    diagnostics = await diagnostics_after(client, uri, open_document(client, uri, WILDCARD_LINE + "\n"))
    position = diagnostics[0].range.start
    hover = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri), position))
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert "## Why is this bad?" in hover.contents.value
    assert "## Tests" not in hover.contents.value and "error: [" not in hover.contents.value


async def test_pull_diagnostics_when_client_supports_them(client: LanguageClient, tmp_path: Path) -> None:
    root = make_project(tmp_path)
    await initialize(client, root.as_uri(), pull=True)
    uri = (root / "app" / "cart.ts").as_uri()
    open_document(client, uri, WILDCARD_LINE + "\n")()
    report = await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri)))
    assert isinstance(report, lsp.RelatedFullDocumentDiagnosticReport)
    assert [d.code for d in report.items] == ["supabase/wildcard-select"]
    assert uri not in client.diagnostics  # never both push and pull
