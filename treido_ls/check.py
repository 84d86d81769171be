"""`treido-ls check`: lint files on disk with the engine the server uses.

The parent process decides what to lint (config files, excludes, size limits) and reads each
file; the linting itself runs in this process for small runs, else in worker processes
(`jobs`). Results may come from the cache (treido_ls/cache.py). With `fix`, fixes are applied in
passes on the text (never on disk here): the caller writes or diffs `FileReport.original`.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing import connection
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tree_sitter import Tree

from treido_ls import syntax
from treido_ls.baseline import fingerprints
from treido_ls.fixes import OverlappingEdits, apply_edits, fixes_to_apply
from treido_ls.linter import config_findings, lint
from treido_ls.model import FileEdit, Finding, Severity
from treido_ls.parsing import Lang, lang_for_path, parse
from treido_ls.positions import LineIndex
from treido_ls.project import Project, find_root
from treido_ls.registry import load_rule_docs, rule_ids
from treido_ls.workspace.config import CONFIG_NAMES, load_config

if TYPE_CHECKING:
    from treido_ls.cache import ResultCache

log = logging.getLogger(__name__)

MAX_FIX_PASSES = 5
DEFAULT_FILE_TIMEOUT = 20.0  # seconds
PARALLEL_MIN_FILES = 50  # below this, starting worker processes costs more than it saves
CONFIG_ERROR = "treido/config-error"


@dataclass(frozen=True, slots=True)
class Selection:
    """`--select`/`--ignore` (rule ids or categories) and `--quiet` (errors only)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    errors_only: bool = False

    def allows(self, finding: Finding) -> bool:
        if self.errors_only and finding.severity != Severity.ERROR:
            return False
        if finding.rule_id == CONFIG_ERROR:
            return True  # a broken config changes every result: always shown
        if self.select and not any(_names(entry, finding.rule_id) for entry in self.select):
            return False
        return not any(_names(entry, finding.rule_id) for entry in self.ignore)

    @staticmethod
    def unknown(entries: Sequence[str]) -> list[str]:
        """Entries that name no rule and no category."""
        known = rule_ids()
        categories = {doc.category for doc in load_rule_docs().values()} | {r.split("/", 1)[0] for r in known}
        return [entry for entry in entries if entry not in known and entry.strip("/") not in categories]


def _names(entry: str, rule_id: str) -> bool:
    entry = entry.strip("/")
    return rule_id == entry or rule_id.startswith(entry + "/")


@dataclass(frozen=True, slots=True)
class CheckOptions:
    jobs: int = 1
    fix: bool = False
    unsafe_fixes: bool = False
    selection: Selection = Selection()
    config: Path | None = None  # --config FILE: one config for every file, rooted at its folder
    stdin: tuple[Path, bytes] | None = None  # lint this text as this path
    cache: bool = False
    progress: TextIO | None = None  # a terminal to show progress on
    # Seconds one file may take in a worker process before it is killed and the file reported as
    # skipped (0: no limit). Files linted in this process (one job or a small run) have no limit
    # unless `isolate`, which sends every run through workers: a process per job costs ~50 ms.
    file_timeout: float = DEFAULT_FILE_TIMEOUT
    isolate: bool = False


@dataclass(slots=True)
class FileReport:
    path: Path
    source: bytes
    findings: list[Finding]
    rel: str = ""  # path relative to the project root
    root: Path | None = None
    fingerprints: list[str] = field(default_factory=list)  # one per finding (see baseline.py)
    original: bytes | None = None  # the text before fixes, when fixes changed it
    fixes_applied: int = 0
    file_edits: list[FileEdit] = field(default_factory=list)  # files the applied fixes create
    from_cache: bool = False


@dataclass(slots=True)
class CheckRun:
    reports: list[FileReport] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    baselines: dict[Path, Path] = field(default_factory=dict)  # project root -> its config's baseline
    cache_hits: int = 0

    def count(self, severity: Severity) -> int:
        return sum(1 for r in self.reports for f in r.findings if f.severity == severity)

    @property
    def has_errors(self) -> bool:
        return self.count(Severity.ERROR) > 0

    def filter(self, keep: Callable[[FileReport, int, Finding], bool]) -> None:
        """Drop findings (with their fingerprints) for which `keep(report, index, finding)` is false."""
        for report in self.reports:
            kept = [i for i, f in enumerate(report.findings) if keep(report, i, f)]
            if len(kept) != len(report.findings):
                report.findings = [report.findings[i] for i in kept]
                report.fingerprints = [report.fingerprints[i] for i in kept]


class ProjectCache:
    """One Project per root, found once per folder; `config` forces one config file everywhere."""

    def __init__(self, config: Path | None = None) -> None:
        self._config = config
        self._roots: dict[Path, Path] = {}
        self._projects: dict[Path, Project] = {}

    def root_for(self, path: Path) -> Path:
        if self._config is not None:
            return self._config.resolve().parent
        folder = path.resolve().parent
        root = self._roots.get(folder)
        if root is None:
            root = self._roots[folder] = find_root(folder)
        return root

    def for_file(self, path: Path) -> Project:
        return self.for_root(self.root_for(path))

    def for_root(self, root: Path) -> Project:
        project = self._projects.get(root)
        if project is None:
            override = None
            if self._config is not None:
                config = self._config.resolve()
                override = (config, load_config(config, rule_ids()).source)
            project = self._projects[root] = Project(root, rule_ids(), config_override=override)
        return project

    def projects(self) -> list[Project]:
        return list(self._projects.values())


# -- what the workers do ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Task:
    path: Path
    rel: str
    root: Path
    source: bytes


@dataclass(slots=True)
class _Result:
    findings: list[Finding]
    fingerprints: list[str]
    fixed: bytes | None = None
    fixes_applied: int = 0
    file_edits: list[FileEdit] = field(default_factory=list)
    notice: str | None = None
    complete: bool = True  # False: not linted (timed out); neither cached nor reported


_worker_projects: ProjectCache | None = None


def _init_worker(config: Path | None) -> None:
    """Forked workers inherit the parent's projects with their indexes built; others build their own."""
    global _worker_projects
    if _worker_projects is None:
        _worker_projects = ProjectCache(config)


def _lint_chunk(tasks: list[_Task], options: CheckOptions) -> list[_Result]:
    projects = _worker_projects or ProjectCache(options.config)
    return [lint_task(projects.for_root(task.root), task, options) for task in tasks]


def lint_task(project: Project, task: _Task, options: CheckOptions) -> _Result:
    lang = lang_for_path(task.path.name) or lang_for_path(task.rel)
    if lang is None:
        return _Result([], [])
    absolute = task.path.resolve()
    text_is_not_on_disk = options.stdin is not None or options.fix
    if text_is_not_on_disk:  # cross-file facts about this file must come from this text
        project.symbols.update_buffer(absolute, task.source)
    try:
        fixed: bytes | None = None
        applied, created, notice = 0, list[FileEdit](), None
        source = task.source
        if options.fix:
            fixed, applied, created, notice = _fix(project, task, lang, options)
            source = fixed if fixed is not None else task.source
        tree = parse(lang, source)
        findings = lint(task.rel, source, tree, lang, LineIndex(source), project).findings
        return _Result(findings, fingerprints(task.rel, source, tree, findings), fixed, applied, created, notice)
    finally:
        if text_is_not_on_disk:
            project.symbols.forget_buffer(absolute)


def _fix(project: Project, task: _Task, lang: Lang,
         options: CheckOptions) -> tuple[bytes | None, int, list[FileEdit], str | None]:
    """Fix passes until nothing changes; (new text or None, fixes applied, files to create, notice)."""
    absolute = task.path.resolve()
    errors_before = error_nodes(parse(lang, task.source))
    current, applied = task.source, 0
    created: list[FileEdit] = []
    for _ in range(MAX_FIX_PASSES):
        tree = parse(lang, current)
        findings = [f for f in lint(task.rel, current, tree, lang, LineIndex(current), project).findings
                    if options.selection.allows(f)]
        planned = {edit.path for edit in created}
        chosen = [fix for fix in fixes_to_apply(findings, options.unsafe_fixes)  # a file is created once
                  if not any(edit.path in planned or _exists(project.root, edit) for edit in fix.file_edits)]
        if not chosen:
            break
        try:
            updated = apply_edits(current, [edit for fix in chosen for edit in fix.edits])
        except OverlappingEdits:
            break
        if updated == current:
            break
        if error_nodes(parse(lang, updated)) > errors_before:
            return None, 0, [], f"{task.path}: fixes not applied: the fixed text would not parse"
        current, applied = updated, applied + len(chosen)
        created += [edit for fix in chosen for edit in fix.file_edits]
        project.symbols.update_buffer(absolute, current)
    return (current if current != task.source else None), applied, created, None


def _exists(root: Path, edit: FileEdit) -> bool:
    return edit.create and (root / edit.path).exists()


def error_nodes(tree: Tree) -> int:
    """ERROR and MISSING nodes in a tree (0 without a walk when the tree is clean)."""
    root = tree.root_node
    if not root.has_error:
        return 0
    return sum(1 for node in syntax.walk(root) if node.is_error or node.is_missing)


# -- the run ---------------------------------------------------------------------------------------


def check_files(files: list[Path], options: CheckOptions | None = None) -> CheckRun:
    """Lint each file; a config file reports its own problems. Raises ConfigReadError."""
    options = options or CheckOptions()
    run = CheckRun()
    projects = ProjectCache(options.config)
    tasks = _stdin_task(options, projects) if options.stdin is not None else _disk_tasks(files, run, projects)
    for project in projects.projects():
        if project.config.baseline:
            run.baselines[project.root] = (project.config.root / project.config.baseline).resolve()
    use_cache = options.cache and not options.fix and options.stdin is None
    caches = _caches(projects, tasks) if use_cache else {}
    results: dict[int, _Result] = {}
    for position, task in enumerate(tasks):
        cached = caches[task.root].get(task.rel, task.source) if task.root in caches else None
        if cached is not None:
            results[position] = _Result(cached[0], cached[1])
    run.cache_hits = len(results)
    todo = [position for position in range(len(tasks)) if position not in results]
    for position, result in _lint_all([tasks[i] for i in todo], options, projects):
        results[todo[position]] = result
        task = tasks[todo[position]]
        if task.root in caches and result.complete:
            caches[task.root].put(task.rel, task.source, result.findings, result.fingerprints)
    linted = set(todo)
    for position, task in enumerate(tasks):
        result = results[position]
        if result.notice:
            run.notices.append(result.notice)
        if not result.complete:
            continue  # like a file over the size limit: a notice, no report
        fixed = result.fixed is not None
        run.reports.append(FileReport(
            task.path, result.fixed if result.fixed is not None else task.source, result.findings, task.rel,
            task.root, result.fingerprints, task.source if fixed else None, result.fixes_applied,
            result.file_edits, position not in linted,
        ))
    for cache in caches.values():
        cache.save()
    _report_unvisited_configs(run, projects)
    return run


def _caches(projects: ProjectCache, tasks: list[_Task]) -> dict[Path, ResultCache]:
    from treido_ls.cache import ResultCache  # imported late: only runs with a cache need it

    return {root: ResultCache(root, projects.for_root(root).config) for root in dict.fromkeys(t.root for t in tasks)}


def _stdin_task(options: CheckOptions, projects: ProjectCache) -> list[_Task]:
    assert options.stdin is not None
    path, source = options.stdin
    project = projects.for_file(path)
    return [_Task(path, project.relpath(path), project.root, source)]


def _disk_tasks(files: list[Path], run: CheckRun, projects: ProjectCache) -> list[_Task]:
    tasks: list[_Task] = []
    for path in files:
        project = projects.for_file(path)
        rel = project.relpath(path)
        if path.name in CONFIG_NAMES:
            if project.config.path is not None and path.resolve() == project.config.path.resolve():
                run.reports.append(_config_report(path, project))
            continue
        if project.config.is_excluded(rel):
            continue
        try:
            size, limit = path.stat().st_size, project.config.max_file_size
            if size > limit:
                run.notices.append(f"{path}: skipped, {size // 1024} KB is over the {limit // 1024} KB limit "
                                   "(maxFileSize)")
                continue
            source = path.read_bytes()
        except OSError as exc:
            run.notices.append(f"{path}: cannot read ({exc.strerror or exc})")
            continue
        tasks.append(_Task(path, rel, project.root, source))
    return tasks


def _lint_all(tasks: list[_Task], options: CheckOptions,
              projects: ProjectCache) -> Iterator[tuple[int, _Result]]:
    """(index into tasks, result), in worker processes when the run is big enough."""
    progress = _Progress(len(tasks), options.progress)
    jobs = max(1, options.jobs)
    if not tasks or (not options.isolate and (jobs == 1 or len(tasks) < PARALLEL_MIN_FILES)):
        for position, task in enumerate(tasks):
            yield position, lint_task(projects.for_root(task.root), task, options)
            progress.step(1)
        progress.done()
        return
    worker_options = replace(options, progress=None)
    global _worker_projects
    _prewarm(projects, tasks)
    _worker_projects = projects  # inherited by forked workers: project-wide indexes are built once
    try:
        for position, result in _WorkerPool(min(jobs, len(tasks)), worker_options).run(tasks):
            if result is None:  # the worker failed or its result would not pickle: redo the file here
                result = lint_task(projects.for_root(tasks[position].root), tasks[position], options)
            yield position, result
            progress.step(1)
    finally:
        _worker_projects = None
    progress.done()


def _worker_main(conn: Connection, options: CheckOptions) -> None:
    """A worker: lint the files the parent sends, one at a time, until it sends None."""
    _init_worker(options.config)
    projects = _worker_projects or ProjectCache(options.config)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        position, task = message
        try:
            conn.send((position, lint_task(projects.for_root(task.root), task, options)))
        except Exception:  # the parent redoes the file and reports the error itself
            log.debug("worker failed on %s", task.path, exc_info=True)
            conn.send((position, None))


class _Worker:
    def __init__(self, options: CheckOptions) -> None:
        context = multiprocessing.get_context()
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, options), daemon=True)
        self.process.start()
        child.close()
        self.position: int | None = None
        self.started = 0.0

    def give(self, position: int, task: _Task) -> None:
        self.conn.send((position, task))
        self.position, self.started = position, time.monotonic()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class _WorkerPool:
    """Worker processes fed one file at a time, so that a file that takes longer than
    `options.file_timeout` seconds can be killed (with its worker, which is replaced) and reported
    as skipped: a running lint cannot be interrupted inside a process (tree-sitter holds the GIL)."""

    def __init__(self, size: int, options: CheckOptions) -> None:
        self._size, self._options = max(1, size), options
        self._limit = options.file_timeout or None

    def run(self, tasks: list[_Task]) -> Iterator[tuple[int, _Result | None]]:
        waiting = list(range(len(tasks)))
        waiting.reverse()
        workers = [_Worker(self._options) for _ in range(min(self._size, len(tasks)))]
        try:
            for worker in workers:
                worker.give(pos := waiting.pop(), tasks[pos])
            while any(worker.position is not None for worker in workers):
                for i, (position, result) in self._collect(workers, tasks):
                    yield position, result
                    if workers[i].position is None and waiting:
                        workers[i].give(pos := waiting.pop(), tasks[pos])
        finally:
            for worker in workers:
                worker.stop()

    def _collect(self, workers: list[_Worker], tasks: list[_Task]) -> Iterator[tuple[int, tuple[int, _Result | None]]]:
        """Finished (or timed-out) files as (worker index, (position, result)); dead workers are replaced."""
        busy = [i for i, worker in enumerate(workers) if worker.position is not None]
        wait_for = None
        if self._limit is not None:
            wait_for = max(0.0, min(workers[i].started for i in busy) + self._limit - time.monotonic())
        ready = set(connection.wait([workers[i].conn for i in busy], wait_for))
        now = time.monotonic()
        for i in busy:
            worker = workers[i]
            position = worker.position
            assert position is not None
            if worker.conn in ready:
                try:
                    found, result = worker.conn.recv()
                except (EOFError, OSError):  # the worker died: replace it, redo the file in the parent
                    worker.kill()
                    workers[i] = _Worker(self._options)
                    found, result = position, None
                workers[i].position = None
                yield i, (found, result)
            elif self._limit is not None and now - worker.started > self._limit:
                log.warning("%s: lint took longer than %s s; worker killed", tasks[position].path, self._limit)
                worker.kill()
                workers[i] = _Worker(self._options)
                yield i, (position, _Result([], [], notice=f"{tasks[position].path}: skipped: lint took longer "
                                                           f"than {self._limit:g} s", complete=False))


def _prewarm(projects: ProjectCache, tasks: list[_Task]) -> None:
    """Build the project-wide indexes (schema from migrations, cache tags) before forking, so each
    worker does not rebuild them. Best effort: a failure here only costs time."""
    for root in dict.fromkeys(task.root for task in tasks):
        project = projects.for_root(root)
        try:
            if (project.root / project.migrations_dir).is_dir():
                _ = project.schema
            tags = getattr(project, "cache_tags", None)
            if tags is not None:
                tags.declared()
        except Exception:  # the workers hit (and report) the same problem per file
            log.debug("prewarming %s failed", root, exc_info=True)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class _Progress:
    """`Linting 120/1300 files` on a terminal, only once a run has taken over a second."""

    DELAY = 1.0  # seconds before the first update
    INTERVAL = 0.1  # seconds between updates

    def __init__(self, total: int, out: TextIO | None) -> None:
        self._total, self._out, self._done = total, out, 0
        self._began = self._last = time.monotonic()
        self._shown = False

    def step(self, count: int) -> None:
        self._done += count
        now = time.monotonic()
        if self._out is None or now - self._began < self.DELAY or now - self._last < self.INTERVAL:
            return
        self._last, self._shown = now, True
        self._out.write(f"\rLinting {self._done}/{self._total} files")
        self._out.flush()

    def done(self) -> None:
        if self._out is not None and self._shown:
            self._out.write("\r\x1b[K")
            self._out.flush()


def _report_unvisited_configs(run: CheckRun, projects: ProjectCache) -> None:
    """A broken config above the checked folder is still reported: it changes the results."""
    reported = {report.path.resolve() for report in run.reports}
    for project in projects.projects():
        config_path = project.config.path
        if config_path is not None and project.config.problems and config_path.resolve() not in reported:
            run.reports.append(_config_report(config_path, project))


def _config_report(path: Path, project: Project) -> FileReport:
    findings = config_findings(project)
    rel = project.relpath(path)
    return FileReport(path, project.config.source, findings, rel, project.root,
                      fingerprints(rel, project.config.source, None, findings))


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def stdin_is_terminal() -> bool:
    return is_terminal(sys.stdin)
