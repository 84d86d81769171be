"""The language server: thin LSP handlers over the document store, the engine and code actions."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from treido_ls import __version__
from treido_ls.documents import Document, DocumentStore, TextChange
from treido_ls.indexing import ProjectIndexer
from treido_ls.model import Finding
from treido_ls.parsing import lang_for_document
from treido_ls.positions import UTF8, UTF16, UTF32
from treido_ls.protocol import TreidoProtocol
from treido_ls.settings import Settings, parse_settings
from treido_ls.workspace.names import CONFIG_NAMES

if TYPE_CHECKING:
    from treido_ls.code_actions import Action
    from treido_ls.positions import LineIndex
    from treido_ls.project import Project
    from treido_ls.schema_nav import SchemaTarget
    from treido_ls.workspace.sql_facts import Provenance

# The engine (rules, config, schema) is imported on first use, after the initialize answer, so
# that start-up stays within the cold-start budget: see `warm_up`.

log = logging.getLogger(__name__)

DEBUG_DOCUMENT = "treido/debugDocument"
_ENCODINGS: dict[str, str] = {"utf-8": UTF8, "utf-16": UTF16, "utf-32": UTF32}


@dataclass(slots=True)
class LintedVersion:
    version: int | None
    findings: list[Finding]


class TreidoServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("treido-ls", __version__, protocol_cls=TreidoProtocol)
        self.documents = DocumentStore()
        self.settings = Settings()
        self.encoding = UTF16
        self.pull_diagnostics = False
        self._projects: dict[Path, Project] = {}
        self._roots: dict[Path, Path] = {}
        self._results: dict[str, LintedVersion] = {}
        self._pending: set[str] = set()
        self._told_rule_failure = False
        self._size_notices: set[str] = set()
        self._budget_notices: set[str] = set()  # documents told that rules were skipped for time
        self.indexer = ProjectIndexer(self)
        self._waiters: set[asyncio.Future[None]] = set()

    # --- projects -----------------------------------------------------------------------------
    def project_for(self, path: Path) -> Project:
        from treido_ls.project import Project, find_root
        from treido_ls.registry import rule_ids

        folder = path.parent
        root = self._roots.get(folder)
        if root is None:
            root = self._roots[folder] = find_root(folder)
        project = self._projects.get(root)
        if project is None:
            project = self._projects[root] = Project.safe_open(root, rule_ids(), self._open_config(root))
        return project

    def _open_config(self, root: Path) -> tuple[Path, bytes] | None:
        """The `configPath` setting, else an open (maybe unsaved) config buffer, else the disk."""
        if self.settings.config_path:
            chosen = Path(self.settings.config_path).expanduser()
            if not chosen.is_absolute():
                chosen = root / chosen
            doc = self.documents.get(chosen.as_uri())
            try:
                return chosen, doc.source if doc is not None else chosen.read_bytes()
            except OSError as exc:
                log.warning("configPath %s cannot be read (%s); using the closest treido.json", chosen, exc)
        for name in CONFIG_NAMES:
            doc = self.documents.get((root / name).as_uri())
            if doc is not None:
                return root / name, doc.source
        return None

    def reload_projects(self) -> None:
        """Config or package.json changed: rebuild projects, re-lint what is open."""
        self._projects.clear()
        self._roots.clear()
        for doc in self.documents:
            self.schedule_lint(doc.uri)
        self.indexer.schedule_all()  # unopened files' findings follow the new config

    # --- linting ------------------------------------------------------------------------------
    def lint_document(self, doc: Document) -> list[Finding]:
        cached = self._results.get(doc.uri)
        if cached is not None and cached.version == doc.version:
            return cached.findings
        findings = self._compute_findings(doc)
        self._results[doc.uri] = LintedVersion(doc.version, findings)
        return findings

    def _compute_findings(self, doc: Document) -> list[Finding]:
        from treido_ls.editor_baseline import apply_baseline
        from treido_ls.linter import config_findings, lint
        from treido_ls.project import Project
        from treido_ls.registry import rule_ids

        if not self.settings.enable:
            return []
        path = Path(doc.path)
        if path.name in CONFIG_NAMES:
            return config_findings(Project(path.parent, rule_ids(), (path, doc.source)))
        if doc.lang is None or doc.tree is None:
            return []
        project = self.project_for(path)
        rel = project.relpath(path)
        if project.config.is_excluded(rel):
            return []
        began = time.perf_counter()
        budget = self.settings.lint_budget_ms or None
        result = lint(rel, doc.source, doc.tree, doc.lang, doc.index, project, budget_ms=budget)
        result.findings = apply_baseline(project, rel, doc.source, doc.tree, result.findings,
                                         self.settings.baseline_mode)
        log.info("linted %s v%s: %d findings in %.1f ms", doc.uri, doc.version, len(result.findings),
                 (time.perf_counter() - began) * 1000)
        if result.crashed_rules and not self._told_rule_failure:
            self._told_rule_failure = True
            self.window_show_message(lsp.ShowMessageParams(
                lsp.MessageType.Error,
                f"treido-ls: rule {result.crashed_rules[0]} failed on {rel}; see the log and please report it.",
            ))
        self._tell_over_budget(doc.uri, rel, result.skipped_rules)
        return result.findings

    def _tell_over_budget(self, uri: str, rel: str, skipped: list[str]) -> None:
        """One notice per document while it stays over the budget (the linter logs each time)."""
        if not skipped:
            self._budget_notices.discard(uri)
            return
        if uri in self._budget_notices:
            return
        self._budget_notices.add(uri)
        self.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Warning, (
            f"treido-ls skipped {len(skipped)} rules on {rel}: over the {self.settings.lint_budget_ms} ms budget "
            "(lintBudgetMs)")))

    def schedule_lint(self, uri: str) -> None:
        """Coalesce: one pending lint per document, run as soon as the loop is free."""
        if self.pull_diagnostics:
            return
        if uri in self._pending:
            return
        self._pending.add(uri)
        asyncio.get_event_loop().call_soon(self._run_pending, uri)

    def _run_pending(self, uri: str) -> None:
        self._pending.discard(uri)
        doc = self.documents.get(uri)
        if doc is not None:
            self.publish(doc)

    def publish(self, doc: Document) -> None:
        from treido_ls.lsp_convert import to_diagnostic

        if self._wait_for_index(doc):
            return
        try:
            findings = self.lint_document(doc)
        except Exception:
            log.exception("lint failed for %s", doc.uri)
            return
        root = self.root_of(doc)
        diagnostics = [to_diagnostic(f, doc.index, self.encoding, self.settings.docs_base_url, root) for f in findings]
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=doc.uri, diagnostics=diagnostics, version=doc.version)
        )

    def _wait_for_index(self, doc: Document) -> bool:
        """While its project's index builds, a document is linted once it is built, so that
        cross-file rules never publish findings the finished index would retract."""
        build = self.indexer.building(self.project_for(Path(doc.path)).root)
        if build is None:
            return False

        async def lint_when_built() -> None:
            await asyncio.shield(build)
            self.schedule_lint(doc.uri)

        waiter = asyncio.ensure_future(lint_when_built())
        self._waiters.add(waiter)  # keep a reference until done (the loop holds tasks weakly)
        waiter.add_done_callback(self._waiters.discard)
        return True

    def sync_migration(self, doc: Document, source: bytes | None) -> None:
        """Feed an edited migration to its project's schema; re-lint dependants when facts change.

        `source` None means the buffer closed: the file on disk (if any) is the truth again."""
        path = Path(doc.path)
        project = self.project_for(path)
        rel = project.relpath(path)
        if not project.is_migration(rel) or self.indexer.building(project.root):
            return  # the build reads open buffers when it ends
        if source is None:
            try:
                changed = project.update_migration(rel, path.read_bytes())
            except OSError:
                changed = project.remove_migration(rel)
        else:
            changed = project.update_migration(rel, source)
        if changed:
            for other in self.documents:
                if other.uri != doc.uri:
                    self._results.pop(other.uri, None)
                    self.schedule_lint(other.uri)
            _refresh_pull(self)
            self.indexer.schedule_workspace(project.root)  # findings of migrations that are not open

    async def indexed_document(self, uri: str) -> Document | None:
        """The open document once its project's index is built (None if it closed meanwhile)."""
        doc = self.documents.get(uri)
        if doc is None:
            return None
        await self.indexer.ready(Path(doc.path))
        return self.documents.get(uri)

    def root_of(self, doc: Document) -> Path | None:
        """The project root related locations are relative to (None before it is known)."""
        return self._roots.get(Path(doc.path).parent)

    def size_allowed(self, uri: str, path: Path, size: int) -> bool:
        """Files over the project's maxFileSize are skipped, with one notice per file."""
        limit = self.project_for(path).config.max_file_size
        if size <= limit:
            self._size_notices.discard(uri)
            return True
        if uri not in self._size_notices:
            self._size_notices.add(uri)
            message = (f"treido-ls skipped {path.name}: {size // 1024} KB is over the "
                       f"{limit // 1024} KB limit (maxFileSize in treido.json)")
            log.warning(message)
            self.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Warning, message))
        return False

    def sync_buffer(self, doc: Document) -> None:
        """Unsaved script text feeds the cross-file indexes (guards, cache tags) of its project."""
        if doc.lang is not None and doc.lang.is_script:
            self.project_for(Path(doc.path)).update_buffer(Path(doc.path), doc.source)

    def relint_others(self, uri: str) -> None:
        """Other open documents may depend on facts of this one (a guard helper, a cache tag)."""
        for other in self.documents:
            if other.uri != uri:
                self._results.pop(other.uri, None)
                self.schedule_lint(other.uri)
        _refresh_pull(self)

    def forget(self, uri: str) -> None:
        self._results.pop(uri, None)
        self._pending.discard(uri)


def _document_path(uri: str) -> str:
    return to_fs_path(uri) or uri


def _change(change: lsp.TextDocumentContentChangeEvent) -> TextChange:
    if isinstance(change, lsp.TextDocumentContentChangePartial):
        r = change.range
        return TextChange(change.text, (r.start.line, r.start.character), (r.end.line, r.end.character))
    return TextChange(change.text)


server = TreidoServer()


@server.feature(lsp.INITIALIZE)
def initialize(ls: TreidoServer, params: lsp.InitializeParams) -> None:
    negotiated = ls.workspace.position_encoding or "utf-16"
    ls.encoding = _ENCODINGS.get(getattr(negotiated, "value", negotiated), UTF16)
    text_caps = params.capabilities.text_document
    ls.pull_diagnostics = text_caps is not None and text_caps.diagnostic is not None
    _apply_settings(ls, params.initialization_options)
    if params.process_id:
        _watch_parent(params.process_id)
    log.info("initialized: encoding %s, %s diagnostics", ls.encoding, "pull" if ls.pull_diagnostics else "push")


def _apply_settings(ls: TreidoServer, raw: object) -> None:
    parsed = parse_settings(raw)
    ls.settings = parsed.settings
    logging.getLogger("treido_ls").setLevel(parsed.settings.log_level.upper())
    for problem in parsed.problems:
        log.warning(problem)
        try:
            ls.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Warning, problem))
        except Exception:  # before initialize completes there is no writer yet in some tests
            log.debug("could not show settings problem", exc_info=True)


def _watch_parent(pid: int) -> None:
    """Exit when the editor that started us dies without a shutdown (LSP processId)."""

    interval = _poll_interval()

    def watch() -> None:
        while True:
            time.sleep(interval)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                log.warning("parent process %s is gone; exiting", pid)
                os._exit(0)
            except PermissionError:
                pass  # alive, owned by someone else

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _poll_interval() -> float:
    """Seconds between checks of the parent; TREIDO_PARENT_POLL_SECONDS shortens it for tests."""
    try:
        return max(0.05, float(os.environ.get("TREIDO_PARENT_POLL_SECONDS", "3")))
    except ValueError:
        return 3.0


WATCHED_GLOBS = ("**/treido.json", "**/treido.jsonc", "**/package.json", "**/tsconfig.json", "**/*.sql",
                 "**/*.{ts,tsx,js,jsx,mjs}")


@server.feature(lsp.INITIALIZED)
async def initialized(ls: TreidoServer, params: lsp.InitializedParams) -> None:
    caps = ls.client_capabilities.workspace
    if caps is not None and caps.configuration:
        await _pull_settings(ls)
    warm_up()
    ls.indexer.start(_workspace_folders(ls))
    watched = caps.did_change_watched_files if caps is not None else None
    if watched is not None and watched.dynamic_registration:
        await _register_watchers(ls)


def _workspace_folders(ls: TreidoServer) -> list[Path]:
    folders = [Path(_document_path(folder.uri)) for folder in ls.workspace.folders.values()]
    if not folders and ls.workspace.root_path:
        folders = [Path(ls.workspace.root_path)]
    return [folder for folder in folders if folder.is_dir()]


def warm_up() -> None:
    """Load the engine once the client has its initialize answer: rules, checks, grammars."""
    from treido_ls.linter import lint  # noqa: F401  (imports the engine)
    from treido_ls.parsing import Lang, parser
    from treido_ls.registry import load_rules

    load_rules()
    parser(Lang.TYPESCRIPT)
    parser(Lang.TSX)


async def _register_watchers(ls: TreidoServer) -> None:
    """Files on disk that change project facts: config, package and tsconfig, migrations, sources."""
    options = lsp.DidChangeWatchedFilesRegistrationOptions(
        watchers=[lsp.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS])
    registration = lsp.Registration(id="treido-watched-files", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                    register_options=options)
    try:
        await ls.client_register_capability_async(lsp.RegistrationParams(registrations=[registration]))
    except Exception:
        log.debug("client refused file watchers", exc_info=True)


async def _pull_settings(ls: TreidoServer) -> None:
    try:
        result = await ls.workspace_configuration_async(
            lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="treido")])
        )
    except Exception:
        log.debug("workspace/configuration failed", exc_info=True)
        return
    if result and result[0] is not None:
        _apply_settings(ls, result[0])


@server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: TreidoServer, params: lsp.DidChangeConfigurationParams) -> None:
    settings = params.settings
    if isinstance(settings, dict) and settings:
        _apply_settings(ls, settings)
    else:
        await _pull_settings(ls)
    ls.reload_projects()  # configPath may have changed
    ls._results.clear()
    for doc in ls.documents:
        ls.schedule_lint(doc.uri)
    _refresh_pull(ls)


def _refresh_pull(ls: TreidoServer) -> None:
    if ls.pull_diagnostics:
        try:
            ls.workspace_diagnostic_refresh(None)
        except Exception:
            log.debug("diagnostic refresh failed", exc_info=True)


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: TreidoServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    paths = [Path(_document_path(change.uri)) for change in params.changes]
    if {path.name for path in paths} & {*CONFIG_NAMES, "package.json", "tsconfig.json"}:
        ls.reload_projects()
        ls._results.clear()
        _refresh_pull(ls)
        return
    for path in paths:
        if path.suffix == ".sql" and ls.documents.get(path.as_uri()) is None:
            ls.sync_migration(Document(path.as_uri(), str(path), None, None, b""), None)
        else:
            ls.project_for(path).invalidate_file(path)
    if any(path.suffix != ".sql" for path in paths):
        ls.relint_others("")


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: TreidoServer, params: lsp.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    path = _document_path(item.uri)
    source = item.text.encode("utf-8", "surrogatepass")
    lang = lang_for_document(item.language_id, path)
    if lang is not None and not ls.size_allowed(item.uri, Path(path), len(source)):
        lang = None  # kept as text so edits still apply, but neither parsed nor linted
    doc = Document(item.uri, path, lang, item.version, source)
    ls.documents.open(doc)
    ls.forget(item.uri)
    ls.indexer.forget_open(item.uri)
    if Path(path).name in CONFIG_NAMES:
        ls.reload_projects()
    ls.sync_migration(doc, doc.source)
    ls.sync_buffer(doc)
    if not ls.pull_diagnostics:
        ls.publish(doc)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: TreidoServer, params: lsp.DidChangeTextDocumentParams) -> None:
    doc = ls.documents.get(params.text_document.uri)
    if doc is None:
        log.warning("didChange for %s, which is not open: ignored", params.text_document.uri)
        return
    doc.apply([_change(c) for c in params.content_changes], ls.encoding)
    doc.version = params.text_document.version
    _recheck_size(ls, doc)
    if Path(doc.path).name in CONFIG_NAMES:
        ls.reload_projects()
    ls.sync_migration(doc, doc.source)
    ls.sync_buffer(doc)
    if ls.settings.run == "onType":
        ls.schedule_lint(doc.uri)


def _recheck_size(ls: TreidoServer, doc: Document) -> None:
    """A document that grew past the limit stops being parsed; one that shrank is parsed again."""
    lang = lang_for_document(None, doc.path)
    if lang is None:
        return
    allowed = ls.size_allowed(doc.uri, Path(doc.path), len(doc.source))
    if allowed and doc.lang is None:
        doc.reparse(lang)
    elif not allowed and doc.lang is not None:
        doc.reparse(None)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: TreidoServer, params: lsp.DidSaveTextDocumentParams) -> None:
    doc = ls.documents.get(params.text_document.uri)
    if doc is not None and ls.settings.run == "onSave":
        ls.schedule_lint(doc.uri)
    if doc is not None:
        ls.relint_others(doc.uri)  # saved cross-file facts (a guard helper edited) reach its users


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: TreidoServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    doc = ls.documents.close(uri)
    ls.forget(uri)
    if doc is not None:
        ls.sync_migration(doc, None)
        if doc.lang is not None and doc.lang.is_script:
            ls.project_for(Path(doc.path)).forget_buffer(Path(doc.path))
            ls.relint_others(doc.uri)
    if not ls.pull_diagnostics:
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
    if doc is not None and (Path(doc.path).suffix == ".sql" or Path(doc.path).name in CONFIG_NAMES):
        ls.indexer.schedule_workspace(ls.project_for(Path(doc.path)).root)  # closed: reported as unopened


@server.feature(lsp.TEXT_DOCUMENT_DIAGNOSTIC, lsp.DiagnosticOptions(
    identifier="treido", inter_file_dependencies=True, workspace_diagnostics=True))
async def pull_diagnostics(ls: TreidoServer, params: lsp.DocumentDiagnosticParams) -> lsp.DocumentDiagnosticReport:
    from treido_ls.lsp_convert import to_diagnostic

    doc = await ls.indexed_document(params.text_document.uri)
    if doc is None:
        return lsp.RelatedFullDocumentDiagnosticReport(items=[])
    findings = ls.lint_document(doc)
    root = ls.root_of(doc)
    items = [to_diagnostic(f, doc.index, ls.encoding, ls.settings.docs_base_url, root) for f in findings]
    return lsp.RelatedFullDocumentDiagnosticReport(items=items, result_id=str(doc.version))


@server.feature(lsp.WORKSPACE_DIAGNOSTIC)
async def workspace_diagnostics(ls: TreidoServer,
                                params: lsp.WorkspaceDiagnosticParams) -> lsp.WorkspaceDiagnosticReport:
    """Pull mode: findings of files that are not open (old migrations, an unopened treido.json)."""
    await ls.indexer.settled()
    return lsp.WorkspaceDiagnosticReport(items=ls.indexer.workspace_items())


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
    code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.SourceFixAll, "source.fixAll.treido"]))
async def code_action(ls: TreidoServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    from treido_ls.code_actions import FIX_ALL_KIND, fix_all, overlapping, quick_fixes

    doc = await ls.indexed_document(params.text_document.uri)
    if doc is None or doc.lang is None:
        return None
    findings = ls.lint_document(doc)
    start = doc.index.offset(params.range.start.line, params.range.start.character, ls.encoding)
    end = doc.index.offset(params.range.end.line, params.range.end.character, ls.encoding)
    wanted = params.context.only
    actions: list[Action] = []
    if not wanted or any(k.startswith(lsp.CodeActionKind.QuickFix) for k in wanted):
        actions += quick_fixes(overlapping(findings, start, end), doc.source, doc.tree, doc.lang, doc.index)
    if not wanted or any(FIX_ALL_KIND.startswith(k) for k in wanted):
        everything = fix_all(findings)
        if everything is not None:
            actions.append(everything)
    converted = (_to_code_action(ls, doc, action) for action in actions)
    return [action for action in converted if action is not None]


def _to_code_action(ls: TreidoServer, doc: Document, action: Action) -> lsp.CodeAction | None:
    from treido_ls.lsp_convert import to_diagnostic, to_text_edits

    diagnostics = None
    if action.finding is not None:
        diagnostics = [to_diagnostic(action.finding, doc.index, ls.encoding, ls.settings.docs_base_url)]
    if action.display_only:
        return lsp.CodeAction(title=action.title, kind=action.kind, diagnostics=diagnostics,
                              disabled=lsp.CodeActionDisabled(reason="Shown for guidance: apply it by hand"))
    edits = to_text_edits(action.edits, doc.index, ls.encoding)
    caps = ls.client_capabilities.workspace
    workspace_edit = caps.workspace_edit if caps is not None else None
    versioned = workspace_edit is not None and bool(workspace_edit.document_changes)
    if action.file_edits:
        creates = workspace_edit is not None and lsp.ResourceOperationKind.Create in (
            workspace_edit.resource_operations or [])
        if not (versioned and creates):
            return None  # the client cannot create files: offer nothing rather than half a fix
        edit = lsp.WorkspaceEdit(document_changes=_with_new_files(ls, doc, action, edits))
    elif versioned:
        edit = lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(
            lsp.OptionalVersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version), list(edits))])
    else:
        edit = lsp.WorkspaceEdit(changes={doc.uri: list(edits)})
    return lsp.CodeAction(title=action.title, kind=action.kind, edit=edit,
                          diagnostics=diagnostics, is_preferred=action.preferred or None)


def _with_new_files(ls: TreidoServer, doc: Document, action: Action,
                    edits: list[lsp.TextEdit]) -> list[Any]:
    """CreateFile + its text for each new file (never overwriting), then the document's own edits."""
    root = ls.project_for(Path(doc.path)).root
    changes: list[Any] = []
    for file_edit in action.file_edits:
        uri = (root / file_edit.path).as_uri()
        changes.append(lsp.CreateFile(uri=uri, options=lsp.CreateFileOptions(overwrite=False, ignore_if_exists=True)))
        start = lsp.Position(0, 0)
        changes.append(lsp.TextDocumentEdit(lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                                            [lsp.TextEdit(lsp.Range(start, start), file_edit.text)]))
    if edits:
        changes.append(lsp.TextDocumentEdit(
            lsp.OptionalVersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version), list(edits)))
    return changes


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
async def hover(ls: TreidoServer, params: lsp.HoverParams) -> lsp.Hover | None:
    """Rule documentation of the findings under the cursor, and the schema facts of a table or
    column named there (both when both apply)."""
    from treido_ls.code_actions import overlapping
    from treido_ls.lsp_convert import to_range
    from treido_ls.registry import load_rule_docs
    from treido_ls.schema_nav import markdown

    doc = await ls.indexed_document(params.text_document.uri)
    if doc is None:
        return None
    offset = doc.index.offset(params.position.line, params.position.character, ls.encoding)
    hits = overlapping(ls.lint_document(doc), offset, offset)
    docs = load_rule_docs()
    parts = [docs[f.rule_id].documentation() for f in hits if f.rule_id in docs]
    target = _schema_target(ls, doc, offset)
    if target is not None:
        parts.insert(0, markdown(target, lambda prov: _line_of(ls, doc, prov)))
    if not parts:
        return None
    unique = list(dict.fromkeys(parts))
    start, end = (target.start, target.end) if target is not None else (hits[0].start, hits[0].end)
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n---\n".join(unique)),
        range=to_range(doc.index, start, end, ls.encoding),
    )


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
async def definition(ls: TreidoServer, params: lsp.DefinitionParams) -> list[lsp.Location] | None:
    """A table or column name in a Supabase query: its statement in the migration, then its
    entry in the generated types."""
    from treido_ls.lsp_convert import to_range

    doc = await ls.indexed_document(params.text_document.uri)
    if doc is None:
        return None
    offset = doc.index.offset(params.position.line, params.position.character, ls.encoding)
    target = _schema_target(ls, doc, offset)
    if target is None:
        return None
    root = ls.project_for(Path(doc.path)).root
    locations = []
    for prov in target.locations:
        found = _source_of(ls, root / prov.path)
        if found is not None:
            locations.append(lsp.Location(found[0], to_range(found[1], prov.start, prov.end, ls.encoding)))
    return locations or None


def _schema_target(ls: TreidoServer, doc: Document, offset: int) -> SchemaTarget | None:
    from treido_ls.context import FileContext
    from treido_ls.schema_nav import locate

    if doc.lang is None or not doc.lang.is_script or doc.tree is None or not ls.settings.enable:
        return None
    path = Path(doc.path)
    project = ls.project_for(path)
    ctx = FileContext(project.relpath(path), doc.source, doc.tree, doc.lang, doc.index, project)
    try:
        return locate(ctx, offset)
    except Exception:  # navigation must never break hover
        log.exception("schema lookup failed in %s", doc.uri)
        return None


def _source_of(ls: TreidoServer, path: Path) -> tuple[str, LineIndex] | None:
    """(uri, line index) of a file: the open buffer if any, else the disk."""
    from treido_ls.positions import LineIndex

    uri = path.as_uri()
    open_doc = ls.documents.get(uri)
    if open_doc is not None:
        return uri, open_doc.index
    try:
        return uri, LineIndex(path.read_bytes())
    except OSError:
        return None


def _line_of(ls: TreidoServer, doc: Document, prov: Provenance) -> int | None:
    found = _source_of(ls, ls.project_for(Path(doc.path)).root / prov.path)
    return found[1].line_of(prov.start) if found is not None else None


@server.feature(DEBUG_DOCUMENT)
def debug_document(ls: TreidoServer, params: Any) -> dict[str, Any] | None:
    """Test-only: the server's own text, version and tree, to compare with the client's."""
    if not ls.settings.debug_requests:
        raise ValueError("treido/debugDocument is disabled: set initializationOptions.debugRequests")
    uri = params.get("uri") if isinstance(params, dict) else getattr(params, "uri", None)
    doc = ls.documents.get(uri) if isinstance(uri, str) else None
    if doc is None:
        return None
    return {"uri": doc.uri, "version": doc.version, "text": doc.text,
            "tree": str(doc.tree.root_node) if doc.tree is not None else None}


def serve() -> None:
    # stdout carries the protocol: keep a handle for pygls, send stray prints to stderr.
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr
    server.start_io(sys.stdin.buffer, protocol_out)
    # pygls swallows its own sys.exit: the LSP exit code is 0 after shutdown, 1 without (or on EOF).
    sys.exit(0 if getattr(server.protocol, "_shutdown", False) else 1)
