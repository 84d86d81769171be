"""The server's project index: built in the background at start-up, plus findings for unopened files.

- `start` builds each workspace folder's schema (migrations) and cache-tag index on the event loop,
  one file at a time with `asyncio.sleep(0)` in between (tree-sitter holds the GIL, so a thread
  would not keep requests responsive), reporting `$/progress` when the client supports it.
  Linting waits for its project's build (`ready`), so cross-file rules never publish findings
  that the finished index would retract.
- `schedule_workspace` lints every migration and the config file of a project that are NOT open
  (final-state SQL findings belong to the migration that created the table, which is often not
  the one being edited) and publishes them (push) or keeps them for `workspace/diagnostic` (pull).
  A file whose findings are resolved is published again with no diagnostics.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

if TYPE_CHECKING:
    from treido_ls.model import Finding
    from treido_ls.project import Project
    from treido_ls.server import TreidoServer

log = logging.getLogger(__name__)

FILES_PER_STEP = 8  # files handled between two yields to the event loop
PROGRESS_CREATE_TIMEOUT = 5.0
# Linting every migration costs seconds on big projects (about 6 s for 1,000): wait for a pause in
# typing before starting; a newer change cancels the wait or the run.
WORKSPACE_DEBOUNCE = 0.25


class ProjectIndexer:
    def __init__(self, ls: TreidoServer) -> None:
        self.ls = ls
        self._builds: dict[Path, asyncio.Task[None]] = {}
        self._workspace: dict[Path, asyncio.Task[None]] = {}
        # project root -> uri -> diagnostics last published for files that are not open
        self.reports: dict[Path, dict[str, list[lsp.Diagnostic]]] = {}

    # --- background build -----------------------------------------------------------------------
    def start(self, folders: list[Path]) -> None:
        """Index each workspace folder's project (once per root) without blocking requests."""
        for folder in folders:
            project = self.ls.project_for(folder / "treido.json")
            if project.root not in self._builds:
                self._builds[project.root] = asyncio.ensure_future(self._build(project))

    def building(self, root: Path) -> asyncio.Task[None] | None:
        task = self._builds.get(root)
        return task if task is not None and not task.done() else None

    async def ready(self, path: Path) -> None:
        """Wait until the index of `path`'s project is built (immediately when it is)."""
        task = self.building(self.ls.project_for(path).root)
        if task is not None:
            await asyncio.shield(task)

    async def _build(self, project: Project) -> None:
        progress = await self._progress_begin(project)
        try:
            await self._build_schema(project, progress)
            await self._build_cache_tags(project)
        except Exception:
            log.exception("indexing %s failed; facts are built on demand instead", project.root)
        finally:
            if progress is not None:
                self.ls.work_done_progress.end(progress, lsp.WorkDoneProgressEnd(message="Indexed"))
        self.schedule_workspace(project.root)

    async def _build_schema(self, project: Project, progress: str | None) -> None:
        from treido_ls.workspace.schema import SchemaBuilder

        folder = project.root / project.migrations_dir
        paths = sorted(folder.glob("*.sql")) if folder.is_dir() else []
        builder = SchemaBuilder()
        for position, path in enumerate(paths):
            try:
                builder.update(project.relpath(path), path.read_bytes())
            except OSError as exc:
                log.warning("cannot read migration %s: %s", path, exc)
            if position % FILES_PER_STEP == FILES_PER_STEP - 1:
                if progress is not None:
                    self.ls.work_done_progress.report(progress, lsp.WorkDoneProgressReport(
                        message=f"migrations {position + 1}/{len(paths)}",
                        percentage=int(50 * (position + 1) / len(paths))))
                await asyncio.sleep(0)
        _ = builder.model  # fold now rather than on the first lint
        # Someone needed the schema synchronously meanwhile: theirs is complete and current, keep it.
        if project._schema is None:
            project._schema = builder
        # Open migration buffers win over the disk (they were skipped while the build ran).
        for doc in list(self.ls.documents):
            rel = project.relpath(Path(doc.path))
            if project.is_migration(rel):
                project.update_migration(rel, doc.source)

    async def _build_cache_tags(self, project: Project) -> None:
        for position, _ in enumerate(project.cache_tags.all_files()):
            if position % FILES_PER_STEP == FILES_PER_STEP - 1:
                await asyncio.sleep(0)

    async def _progress_begin(self, project: Project) -> str | None:
        window = self.ls.client_capabilities.window
        if window is None or not window.work_done_progress:
            return None
        token = f"treido-index-{uuid.uuid4().hex}"
        try:
            await asyncio.wait_for(self.ls.work_done_progress.create_async(token), PROGRESS_CREATE_TIMEOUT)
        except Exception:
            log.debug("client refused work done progress", exc_info=True)
            return None
        self.ls.work_done_progress.begin(token, lsp.WorkDoneProgressBegin(
            title="treido-ls", message=f"Indexing {project.root.name}", percentage=0))
        return token

    # --- findings of files that are not open -----------------------------------------------------
    def schedule_workspace(self, root: Path) -> None:
        """(Re)lint a project's unopened migrations and config; a newer request replaces a running one."""
        running = self._workspace.get(root)
        if running is not None and not running.done():
            running.cancel()
        self._workspace[root] = asyncio.ensure_future(self._lint_workspace(root))

    async def settled(self) -> None:
        """Wait for the builds and the pending lints of unopened files (a newer run replaces an older)."""
        while True:
            pending = [t for t in (*self._builds.values(), *self._workspace.values()) if not t.done()]
            if not pending:
                return
            await asyncio.wait(pending)

    def schedule_all(self) -> None:
        for root in {*self._builds, *self.reports}:
            self.schedule_workspace(root)

    async def _lint_workspace(self, root: Path) -> None:
        await asyncio.sleep(WORKSPACE_DEBOUNCE)
        await self.ready(root / "treido.json")
        project = self.ls.project_for(root / "treido.json")
        found: dict[str, list[lsp.Diagnostic]] = {}
        for position, rel in enumerate(project.schema_builder.paths):
            self._lint_closed(project, rel, found)
            if position % FILES_PER_STEP == FILES_PER_STEP - 1:
                await asyncio.sleep(0)
        self._config_closed(project, found)
        self._publish(root, found)

    def _lint_closed(self, project: Project, rel: str, found: dict[str, list[lsp.Diagnostic]]) -> None:
        from treido_ls.editor_baseline import apply_baseline
        from treido_ls.linter import lint_source

        path = project.root / rel
        if self.ls.documents.get(path.as_uri()) is not None or project.config.is_excluded(rel):
            return
        try:
            source = path.read_bytes()
        except OSError:
            return
        result = lint_source(project, rel, source)
        findings = apply_baseline(project, rel, source, None, result.findings, self.ls.settings.baseline_mode)
        if findings:
            found[path.as_uri()] = self._diagnostics(findings, source, project.root)

    def _config_closed(self, project: Project, found: dict[str, list[lsp.Diagnostic]]) -> None:
        from treido_ls.linter import config_findings

        path = project.config.path
        if path is None or not project.config.problems or self.ls.documents.get(path.as_uri()) is not None:
            return
        try:
            source = path.read_bytes()
        except OSError:
            return
        found[path.as_uri()] = self._diagnostics(config_findings(project), source, project.root)

    def _diagnostics(self, findings: list[Finding], source: bytes, root: Path) -> list[lsp.Diagnostic]:
        from treido_ls.lsp_convert import to_diagnostic
        from treido_ls.positions import LineIndex

        index = LineIndex(source)
        return [to_diagnostic(f, index, self.ls.encoding, self.ls.settings.docs_base_url, root) for f in findings]

    def _publish(self, root: Path, found: dict[str, list[lsp.Diagnostic]]) -> None:
        previous = self.reports.get(root, {})
        self.reports[root] = found
        if self.ls.pull_diagnostics:
            if found != previous:
                try:
                    self.ls.workspace_diagnostic_refresh(None)
                except Exception:
                    log.debug("diagnostic refresh failed", exc_info=True)
            return
        for uri, diagnostics in found.items():
            if previous.get(uri) != diagnostics:
                self.ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, diagnostics))
        for uri in previous.keys() - found.keys():
            if self.ls.documents.get(uri) is None:  # an open file's own lint owns its diagnostics
                self.ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))

    def forget_open(self, uri: str) -> None:
        """An opened file's diagnostics now come from its own lint."""
        for reports in self.reports.values():
            reports.pop(uri, None)

    def workspace_items(self) -> list[lsp.WorkspaceDocumentDiagnosticReport]:
        """Pull mode: the unopened files' findings (`workspace/diagnostic`)."""
        items: list[lsp.WorkspaceDocumentDiagnosticReport] = []
        for reports in self.reports.values():
            for uri, diagnostics in reports.items():
                if self.ls.documents.get(uri) is None:
                    items.append(lsp.WorkspaceFullDocumentDiagnosticReport(uri=uri, items=diagnostics, version=None))
        return items
