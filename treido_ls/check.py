"""`treido-ls check`: lint files on disk with the engine the server uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from treido_ls.linter import config_findings, lint_source
from treido_ls.model import Finding, Severity
from treido_ls.project import Project, find_root
from treido_ls.registry import rule_ids
from treido_ls.workspace.config import CONFIG_NAMES

MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(slots=True)
class FileReport:
    path: Path
    source: bytes
    findings: list[Finding]


@dataclass(slots=True)
class CheckRun:
    reports: list[FileReport] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(1 for r in self.reports for f in r.findings if f.severity == severity)

    @property
    def has_errors(self) -> bool:
        return self.count(Severity.ERROR) > 0


class ProjectCache:
    """One Project per root, found once per folder."""

    def __init__(self) -> None:
        self._roots: dict[Path, Path] = {}
        self._projects: dict[Path, Project] = {}

    def for_file(self, path: Path) -> Project:
        folder = path.resolve().parent
        root = self._roots.get(folder)
        if root is None:
            root = self._roots[folder] = find_root(folder)
        project = self._projects.get(root)
        if project is None:
            project = self._projects[root] = Project(root, rule_ids())
        return project

    def projects(self) -> list[Project]:
        return list(self._projects.values())


def check_files(files: list[Path]) -> CheckRun:
    """Lint each file; a config file reports its own problems. Raises ConfigReadError."""
    run = CheckRun()
    projects = ProjectCache()
    for path in files:
        project = projects.for_file(path)
        rel = project.relpath(path)
        if path.name in CONFIG_NAMES:
            if project.config.path is not None and path.resolve() == project.config.path.resolve():
                run.reports.append(FileReport(path, project.config.source, config_findings(project)))
            continue
        if project.config.is_excluded(rel):
            continue
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                run.notices.append(f"{path}: skipped, {size // 1024} KB is over the {MAX_FILE_BYTES // 1024} KB limit")
                continue
            source = path.read_bytes()
        except OSError as exc:
            run.notices.append(f"{path}: cannot read ({exc.strerror or exc})")
            continue
        run.reports.append(FileReport(path, source, lint_source(project, rel, source).findings))
    _report_unvisited_configs(run, projects)
    return run


def _report_unvisited_configs(run: CheckRun, projects: ProjectCache) -> None:
    """A broken config above the checked folder is still reported: it changes the results."""
    reported = {report.path.resolve() for report in run.reports}
    for project in projects.projects():
        config_path = project.config.path
        if config_path is not None and project.config.problems and config_path.resolve() not in reported:
            run.reports.append(FileReport(config_path, project.config.source, config_findings(project)))
