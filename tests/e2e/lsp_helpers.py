"""Client-side helpers for end-to-end tests: start a session, apply edits like an editor does."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from typing import Any

from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "treido_ls", "--stdio"])


def client_capabilities(encodings: Sequence[str] | None = None, pull: bool = False) -> lsp.ClientCapabilities:
    general = lsp.GeneralClientCapabilities(position_encodings=list(encodings)) if encodings else None
    text = lsp.TextDocumentClientCapabilities(
        publish_diagnostics=lsp.PublishDiagnosticsClientCapabilities(version_support=True),
        code_action=lsp.CodeActionClientCapabilities(
            code_action_literal_support=lsp.ClientCodeActionLiteralOptions(
                code_action_kind=lsp.ClientCodeActionKindOptions(value_set=["quickfix", "source"]))),
        hover=lsp.HoverClientCapabilities(content_format=[lsp.MarkupKind.Markdown]),
        diagnostic=lsp.DiagnosticClientCapabilities() if pull else None,
    )
    return lsp.ClientCapabilities(general=general, text_document=text,
                                  window=lsp.WindowClientCapabilities(show_message=lsp.ShowMessageRequestClientCapabilities()))


async def initialize(client: LanguageClient, root_uri: str, encodings: Sequence[str] | None = None,
                     pull: bool = False, options: dict[str, object] | None = None) -> lsp.InitializeResult:
    return await client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities(encodings, pull), root_uri=root_uri,
        initialization_options={"debugRequests": True, **(options or {})}))


async def diagnostics_after(client: LanguageClient, uri: str, send: Callable[[], None],
                            version: int | None = None, timeout: float = 15.0) -> list[lsp.Diagnostic]:
    """Send a notification and wait for the diagnostics it causes for `uri` (and `version`)."""
    record = published(client)
    seen = len(record)

    async def wait() -> list[lsp.Diagnostic]:
        nonlocal seen
        while True:
            for params in record[seen:]:
                if params.uri == uri and (version is None or params.version == version):
                    return list(params.diagnostics)
            seen = len(record)
            await asyncio.sleep(0.02)

    send()
    return await asyncio.wait_for(wait(), timeout)


def published(client: LanguageClient) -> list[lsp.PublishDiagnosticsParams]:
    """Every publishDiagnostics the client received since the first call, in order.

    `wait_for_notification` keeps one waiter per method, so of several notifications that arrive
    together (the server also publishes for files that are not open) all but one are missed."""
    record: list[lsp.PublishDiagnosticsParams] | None = getattr(client, "_treido_published", None)
    if record is None:
        record = []
        client._treido_published = record  # type: ignore[attr-defined]
        protocol = client.protocol
        handle = protocol._handle_notification

        def recording(method: str, params: Any) -> None:
            if method == lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
                record.append(params)
            handle(method, params)

        protocol._handle_notification = recording  # type: ignore[method-assign]
    return record


def open_document(client: LanguageClient, uri: str, text: str, language_id: str = "typescript",
                  version: int = 1) -> Callable[[], None]:
    return lambda: client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        lsp.TextDocumentItem(uri=uri, language_id=language_id, version=version, text=text)))


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def offset_of(text: str, line: int, character: int, encoding: str) -> int:
    """Character index into `text` for an LSP position (the client's own arithmetic)."""
    lines = text.split("\n")
    start = sum(len(item) + 1 for item in lines[:line])
    units = 0
    for index, ch in enumerate(lines[line]):
        if units >= character:
            return start + index
        units += len(ch.encode("utf-8")) if encoding == "utf-8" else utf16_len(ch)
    return start + len(lines[line])


def apply_text_edits(text: str, edits: Sequence[lsp.TextEdit], encoding: str = "utf-16") -> str:
    spans = sorted(
        ((offset_of(text, e.range.start.line, e.range.start.character, encoding),
          offset_of(text, e.range.end.line, e.range.end.character, encoding), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_of(action: lsp.CodeAction, uri: str) -> list[lsp.TextEdit]:
    assert action.edit is not None
    if action.edit.changes:
        return list(action.edit.changes[uri])
    edits: list[lsp.TextEdit] = []
    for change in action.edit.document_changes or []:
        if isinstance(change, lsp.TextDocumentEdit) and change.text_document.uri == uri:
            edits.extend(e for e in change.edits if isinstance(e, lsp.TextEdit))
    return edits
