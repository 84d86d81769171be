"""Cross-file facts in the editor: unsaved helper buffers count, and users re-lint on save."""

from __future__ import annotations

import json
from pathlib import Path

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.e2e.lsp_helpers import SERVER, diagnostics_after, initialize, open_document

GUARD = """import { redirect } from 'next/navigation';
import { createClient } from '@/lib/supabase/server';

export async function requireUser() {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) redirect('/login');
  return user;
}
"""
NOT_A_GUARD = GUARD.replace("  if (!user) redirect('/login');\n", "")
ACTION = """'use server';
import { requireUser } from '@/lib/auth';
import { createClient } from '@/lib/supabase/server';

export async function listNotes() {
  const user = await requireUser();
  const supabase = await createClient();
  const { data, error } = await supabase.from('notes').select('id, body').eq('owner_id', user.id).limit(20);
  if (error) throw new Error('Could not load notes');
  return data;
}
"""


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    yield
    await lsp_client.shutdown_session()


def project(tmp_path: Path) -> Path:
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"next": "16.0.0"}}))
    (tmp_path / "tsconfig.json").write_text(json.dumps({"compilerOptions": {"paths": {"@/*": ["./*"]}}}))
    for rel, text in {"lib/auth.ts": GUARD, "app/actions/notes.ts": ACTION, "lib/supabase/server.ts":
                      "import { createServerClient } from '@supabase/ssr';\nexport async function createClient() "
                      "{ return createServerClient('u', 'k', { cookies: {} as any }); }\n"}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


async def test_editing_a_guard_helper_reaches_its_callers(client: LanguageClient, tmp_path: Path) -> None:
    root = project(tmp_path)
    await initialize(client, root.as_uri())
    action_uri = (root / "app/actions/notes.ts").as_uri()
    helper_uri = (root / "lib/auth.ts").as_uri()
    assert await diagnostics_after(client, helper_uri, open_document(client, helper_uri, GUARD)) == []
    codes = [d.code for d in await diagnostics_after(client, action_uri, open_document(client, action_uri, ACTION))]
    assert "auth/missing-getuser-guard" not in codes
    # The helper stops leaving when there is no user (unsaved); saving re-lints the action.
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(uri=helper_uri, version=2),
        [lsp.TextDocumentContentChangeWholeDocument(NOT_A_GUARD)]))
    after = await diagnostics_after(client, action_uri, lambda: client.text_document_did_save(
        lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(helper_uri))))
    assert "auth/missing-getuser-guard" in [d.code for d in after]
