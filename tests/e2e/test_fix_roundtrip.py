"""Every documented fix, through the protocol: the editor asks for the quick fix, applies it, and gets the
rule file's ```fixed``` block; after the change the diagnostic is gone and no other rule complains anew.

Cases come from the rule files (every code block followed by a `fixed` block, in the Example/Fix sections and
under Tests), so a new fix is covered as soon as its rule file shows it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.e2e.lsp_helpers import (
    SERVER,
    apply_text_edits,
    client_capabilities,
    edits_of,
    open_document,
)
from tests.ruledoc_cases import Case, cases_of, default_path, run_case
from treido_ls.registry import load_rule_docs
from treido_ls.ruledoc import CodeBlock, RuleDoc

LANGUAGE_IDS = {"ts": "typescript", "tsx": "typescriptreact", "js": "javascript", "jsx": "javascriptreact",
                "sql": "sql"}
MAX_ROUNDS = 8  # one quick fix per finding; a block has a handful at most

# Diagnostics a fix knowingly leads to, documented in the rule file's "Fix safety": (fixed rule, other rule).
FOLLOW_UPS = {
    ("sql/rls-disabled-in-public", "sql/rls-enabled-no-policy"):
        "enabling RLS on a table without policies locks API clients out until the app adds its policies, "
        "which the next rule then asks for (rls-disabled-in-public.md, Fix safety)",
}


@dataclass(frozen=True)
class FixPair:
    doc: RuleDoc
    case: Case
    code: CodeBlock
    fixed: CodeBlock

    @property
    def test_id(self) -> str:
        return f"{self.case.test_id}@{self.code.md_line}"


def fix_pairs() -> list[FixPair]:
    pairs: list[FixPair] = []
    for doc in load_rule_docs().values():
        if doc.fix == "none":
            continue
        for case in cases_of(doc):
            previous: CodeBlock | None = None
            for block in case.blocks:
                if block.kind == "code" and block.lang in LANGUAGE_IDS:
                    previous = block
                elif block.kind == "fixed" and previous is not None:
                    pairs.append(FixPair(doc, case, previous, block))
    return pairs


PAIRS = fix_pairs()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder (its own project: package.json, git for SQL) per pair, all under one workspace root."""
    root = tmp_path_factory.mktemp("fix-roundtrip")
    for number, pair in enumerate(PAIRS):
        folder = root / f"p{number:03d}"
        folder.mkdir()
        run_case(pair.case, folder)  # the case's files, as the in-process rule-file test sees them
        (folder / path_of(pair.code)).write_text(pair.code.code)
    return root


# One server for the module (a server start costs seconds); every pair works in its own project folder. The
# client pulls diagnostics: with many documents in one session, waiting for pushed ones could miss one that
# arrives in the same burst as another file's.
@pytest_lsp.fixture(config=SERVER, scope="module")
async def client(lsp_client: LanguageClient, workspace: Path):  # type: ignore[no-untyped-def]
    await initialize(lsp_client, workspace)
    yield
    await lsp_client.shutdown_session()


def path_of(block: CodeBlock) -> str:
    return block.path or default_path(block)


async def initialize(client: LanguageClient, root: Path) -> None:
    """A client that can apply versioned edits and create files (fixes that add a migration need both)."""
    capabilities = client_capabilities(pull=True)
    capabilities.workspace = lsp.WorkspaceClientCapabilities(workspace_edit=lsp.WorkspaceEditClientCapabilities(
        document_changes=True, resource_operations=[lsp.ResourceOperationKind.Create]))
    await client.initialize_session(lsp.InitializeParams(capabilities=capabilities, root_uri=root.as_uri()))


async def quick_fixes(client: LanguageClient, uri: str, diagnostic: lsp.Diagnostic) -> list[lsp.CodeAction]:
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri), range=diagnostic.range,
        context=lsp.CodeActionContext(diagnostics=[diagnostic])))
    return [a for a in actions or [] if isinstance(a, lsp.CodeAction) and a.kind == lsp.CodeActionKind.QuickFix
            and a.disabled is None and not a.title.startswith("Ignore ")]


async def diagnostics_of(client: LanguageClient, uri: str) -> list[lsp.Diagnostic]:
    """The document's diagnostics for its current version (the server answers after the notifications before)."""
    report = await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri)))
    assert isinstance(report, lsp.RelatedFullDocumentDiagnosticReport)
    return list(report.items)


def choose(actions: list[lsp.CodeAction], doc: RuleDoc) -> lsp.CodeAction | None:
    """The action titled as the rule file says, else the first fix (the one `check --fix` applies)."""
    return next((a for a in actions if a.title == doc.fix_title), actions[0] if actions else None)


def create_files(action: lsp.CodeAction, uri: str) -> list[str]:
    """Apply the action's CreateFile operations and their text, as an editor would; returns the new paths."""
    assert action.edit is not None
    created: list[str] = []
    for change in action.edit.document_changes or []:
        if isinstance(change, lsp.CreateFile):
            created.append(change.uri)
        elif isinstance(change, lsp.TextDocumentEdit) and change.text_document.uri != uri:
            assert change.text_document.uri in created, "an edit to another file that the action did not create"
            path = Path(lsp_path(change.text_document.uri))
            assert not path.exists(), f"the action overwrites {path}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(apply_text_edits("", [e for e in change.edits if isinstance(e, lsp.TextEdit)]))
    return created


def lsp_path(uri: str) -> str:
    return unquote(urlparse(uri).path)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair.test_id)
async def test_fix_roundtrip(client: LanguageClient, workspace: Path, pair: FixPair) -> None:
    uri = (workspace / f"p{PAIRS.index(pair):03d}" / path_of(pair.code)).as_uri()
    open_document(client, uri, pair.code.code, LANGUAGE_IDS[pair.code.lang])()
    try:
        await roundtrip(client, uri, pair)
    finally:
        client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))


async def roundtrip(client: LanguageClient, uri: str, pair: FixPair) -> None:
    rule, text = pair.doc.id, pair.code.code
    diagnostics = await diagnostics_of(client, uri)
    others_before = Counter(d.code for d in diagnostics if d.code != rule)
    assert any(d.code == rule for d in diagnostics), f"the block is not flagged by {rule} in the editor"
    version, fixless = 1, 0
    for _ in range(MAX_ROUNDS):
        ours = [d for d in diagnostics if d.code == rule]
        offers = [(d, choose(await quick_fixes(client, uri, d), pair.doc)) for d in ours]
        fixable = [(d, action) for d, action in offers if action is not None]
        fixless = len(ours) - len(fixable)
        if not fixable:
            break
        _, action = fixable[0]
        create_files(action, uri)
        text = apply_text_edits(text, edits_of(action, uri))
        version += 1
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)]))
        diagnostics = await diagnostics_of(client, uri)
    assert text == pair.fixed.code, "applying the quick fixes did not give the `fixed` block"
    remaining = [d for d in diagnostics if d.code == rule]
    assert len(remaining) == fixless, f"{rule} still reports {[d.message for d in remaining]}"
    if pair.case.section == "Example":
        assert not remaining, "the Example's fix must clear its diagnostic"
    appeared = Counter(d.code for d in diagnostics if d.code != rule and (rule, d.code) not in FOLLOW_UPS)
    appeared -= others_before
    assert not appeared, f"the fix made other rules report: {[d.message for d in diagnostics if d.code in appeared]}"


def test_every_fix_has_an_example_roundtrip() -> None:
    covered = {pair.doc.id for pair in PAIRS if pair.case.section == "Example"}
    missing = sorted(doc.id for doc in load_rule_docs().values() if doc.fix != "none" and doc.id not in covered)
    assert not missing, f"rules with a fix but no `fixed` block after their Example: {missing}"
