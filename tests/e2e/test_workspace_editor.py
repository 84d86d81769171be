"""The workspace in the editor: findings of unopened files, schema hover and go to definition."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.e2e.lsp_helpers import (
    SERVER,
    client_capabilities,
    diagnostics_after,
    initialize,
    open_document,
    utf16_len,
)

CREATE = "create table public.notes (\n  id bigint primary key,\n  body text not null\n);\n"
ENABLE = "alter table public.notes enable row level security;\n"
POLICY = 'create policy "read own" on public.notes for select to authenticated using (true);\n'
RLS_DISABLED = "sql/rls-disabled-in-public"


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    yield
    await lsp_client.shutdown_session()


def project(tmp_path: Path, second: str = ENABLE + POLICY, config: str | None = None) -> Path:
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"next": "16.0.0"}}))
    folder = tmp_path / "supabase" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20240101000000_create.sql").write_text(CREATE)
    (folder / "20240102000000_rls.sql").write_text(second)
    if config is not None:
        (tmp_path / "treido.json").write_text(config)
    return tmp_path


def uris(root: Path) -> tuple[str, str]:
    folder = root / "supabase" / "migrations"
    return (folder / "20240101000000_create.sql").as_uri(), (folder / "20240102000000_rls.sql").as_uri()


async def published_when(client: LanguageClient, uri: str, wanted: Callable[[list[lsp.Diagnostic]], bool],
                         send: Callable[[], None], timeout: float = 20.0) -> list[lsp.Diagnostic]:
    """Send a notification, then wait until the last diagnostics published for `uri` satisfy `wanted`.

    Polls the client's record of the latest diagnostics per file: notifications for several files
    can arrive together, and waiting for "the next notification" may miss one of them."""
    async def wait() -> list[lsp.Diagnostic]:
        while True:
            latest = client.diagnostics.get(uri)
            if latest is not None and wanted(list(latest)):
                return list(latest)
            await asyncio.sleep(0.05)

    send()
    return await asyncio.wait_for(wait(), timeout)


def codes(diagnostics: list[lsp.Diagnostic]) -> list[str]:
    return [str(d.code) for d in diagnostics]


async def workspace_report(client: LanguageClient) -> dict[str, list[str]]:
    report = await client.workspace_diagnostic_async(lsp.WorkspaceDiagnosticParams(previous_result_ids=[]))
    return {item.uri: codes(list(item.items)) for item in report.items
            if isinstance(item, lsp.WorkspaceFullDocumentDiagnosticReport)}


def replace_all(client: LanguageClient, uri: str, version: int, text: str) -> Callable[[], None]:
    return lambda: client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
        [lsp.TextDocumentContentChangeWholeDocument(text)]))


async def test_removing_enable_rls_reports_the_unopened_creating_migration(client: LanguageClient,
                                                                          tmp_path: Path) -> None:
    root = project(tmp_path)
    await initialize(client, root.as_uri())
    first, second = uris(root)
    opened = await diagnostics_after(client, second, open_document(client, second, ENABLE + POLICY, "sql"))
    assert opened == []
    assert RLS_DISABLED not in (await workspace_report(client)).get(first, [])
    # Edit the open migration 2: migration 1 (never opened) gets the finding.
    found = await published_when(client, first, lambda d: RLS_DISABLED in codes(d),
                                 replace_all(client, second, 2, POLICY))
    assert found[0].range.start == lsp.Position(0, 13)
    # Restoring the line clears it, published again for the unopened file.
    cleared = await published_when(client, first, lambda d: RLS_DISABLED not in codes(d),
                                   replace_all(client, second, 3, ENABLE + POLICY))
    assert cleared == []


async def test_old_migration_findings_are_published_at_start_up(client: LanguageClient, tmp_path: Path) -> None:
    root = project(tmp_path, second=POLICY)
    first, _ = uris(root)
    found = await published_when(client, first, lambda d: RLS_DISABLED in codes(d),
                                 lambda: asyncio.ensure_future(initialize(client, root.as_uri())))
    assert codes(found) == [RLS_DISABLED]


async def test_unopened_config_errors_are_published(client: LanguageClient, tmp_path: Path) -> None:
    root = project(tmp_path, config='{\n  "rulez": {}\n}\n')
    config_uri = (root / "treido.json").as_uri()
    found = await published_when(client, config_uri, lambda d: bool(d),
                                 lambda: asyncio.ensure_future(initialize(client, root.as_uri())))
    assert codes(found) == ["treido/config-error"] and found[0].range.start.line == 1


async def test_pull_mode_answers_workspace_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    root = project(tmp_path, second=POLICY)
    await initialize(client, root.as_uri(), pull=True)
    first, second = uris(root)
    report = await workspace_report(client)
    assert report[first] == [RLS_DISABLED] and report[second] == ["sql/policy-on-rls-disabled-table"]


QUERY = "const tag = '🎉🎉'; const { data } = await supabase.from('notes').select('id, body').limit(5);\n"


async def test_hover_and_definition_of_a_column_after_emoji(client: LanguageClient, tmp_path: Path) -> None:
    root = project(tmp_path)
    await initialize(client, root.as_uri())
    uri = (root / "app" / "page.ts").as_uri()
    await diagnostics_after(client, uri, open_document(client, uri, QUERY))
    column = lsp.Position(0, utf16_len(QUERY[: QUERY.index("body")]) + 1)
    hover = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri), column))
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    text = hover.contents.value
    assert "`public.notes.body`: `text`, not null" in text
    assert "supabase/migrations/20240101000000_create.sql:3" in text and "RLS on `public.notes`: enabled" in text
    assert hover.range == lsp.Range(lsp.Position(0, column.character - 1), lsp.Position(0, column.character + 3))
    found = await client.text_document_definition_async(lsp.DefinitionParams(lsp.TextDocumentIdentifier(uri),
                                                                              column))
    assert isinstance(found, list) and len(found) == 1
    first, _ = uris(root)
    assert isinstance(found[0], lsp.Location) and found[0].uri == first
    assert found[0].range.start == lsp.Position(2, 2)
    table = lsp.Position(0, utf16_len(QUERY[: QUERY.index("notes")]) + 2)
    table_hover = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri), table))
    assert table_hover is not None and isinstance(table_hover.contents, lsp.MarkupContent)
    assert "**table** `public.notes`" in table_hover.contents.value


ACTION = """'use server';
import { createClient } from '@/lib/supabase/server';

export async function add(body: string) {
  const supabase = await createClient();
  const { error } = await supabase.from('notes').insert({ body });
  if (error) throw new Error('Could not add the note');
}
"""


async def test_rule_hover_and_schema_hover_together(client: LanguageClient, tmp_path: Path) -> None:
    root = project(tmp_path)
    await initialize(client, root.as_uri())
    uri = (root / "app" / "actions.ts").as_uri()
    diagnostics = await diagnostics_after(client, uri, open_document(client, uri, ACTION))
    assert "validation/unvalidated-action-input" in codes(diagnostics)
    line = ACTION.split("\n")[5]
    where = lsp.Position(5, line.index("body }") + 1)
    hover = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri), where))
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    schema, _, rule = hover.contents.value.partition("\n---\n")
    assert "**column** `public.notes.body`" in schema
    assert "unvalidated-action-input" in rule


async def test_start_up_indexing_reports_work_done_progress(client: LanguageClient, tmp_path: Path) -> None:
    root = project(tmp_path)
    for n in range(3, 20):  # enough migrations for intermediate reports
        (root / "supabase" / "migrations" / f"202401{n:02d}000000_more.sql").write_text(
            f"create table public.t{n} (id bigint primary key);\nalter table public.t{n} enable row level security;\n")
    capabilities = client_capabilities()
    capabilities.window = lsp.WindowClientCapabilities(work_done_progress=True)
    await client.initialize_session(lsp.InitializeParams(capabilities=capabilities, root_uri=root.as_uri()))
    report = await workspace_report(client)  # answered once the build and its lints are done
    assert len(report) == 17 and all(found == ["sql/rls-enabled-no-policy"] for found in report.values())
    (reports,) = client.progress_reports.values()
    assert isinstance(reports[0], lsp.WorkDoneProgressBegin) and isinstance(reports[-1], lsp.WorkDoneProgressEnd)
    assert any(isinstance(report, lsp.WorkDoneProgressReport) for report in reports)
