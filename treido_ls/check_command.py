"""`treido-ls check`: arguments, then discovery, linting, fixes, baselines, output and exit code.

Exit codes: 0 no error-level finding (and no more warnings than `--max-warnings`), 1 otherwise,
2 usage error (bad flag value, unreadable config or baseline, git failure), 101 internal error
(handled by cli.main). `--exit-zero` turns 1 into 0. With `--diff`, 1 means "there is something
to fix". After `--fix`, the code reflects what remains.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from treido_ls import check
from treido_ls.baseline import Baseline, BaselineError, baseline_path
from treido_ls.check import CheckOptions, CheckRun, FileReport, Selection, default_jobs, is_terminal
from treido_ls.formats import FORMATS, Output, renderer
from treido_ls.model import Severity
from treido_ls.positions import decode_source

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", default=[], metavar="PATH",
                        help="files and folders to lint (default .); `-` reads standard input")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when errors are found")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    out = parser.add_argument_group("output")
    out.add_argument("--format", action="append", default=[], metavar="FORMAT[:FILE]",
                     help=f"one of {', '.join(FORMATS)}; repeatable; `:FILE` writes that format to a file "
                          "(default: text, or github when GITHUB_ACTIONS=true)")
    out.add_argument("-q", "--quiet", action="store_true", help="report errors only")
    out.add_argument("--max-warnings", type=_count, metavar="N", help="exit 1 when there are more than N warnings")
    out.add_argument("--docs-url", metavar="URL", help="base URL of the rule docs (SARIF helpUri: URL/<rule id>)")
    rules = parser.add_argument_group("rules")
    rules.add_argument("--select", action="append", default=[], metavar="RULES",
                       help="only these rule ids or categories (comma-separated, repeatable), e.g. auth,stripe")
    rules.add_argument("--ignore", action="append", default=[], metavar="RULES",
                       help="skip these rule ids or categories")
    rules.add_argument("--config", type=Path, metavar="FILE", help="use this treido.json for every file")
    rules.add_argument("--stdin-filename", type=Path, metavar="PATH", help="lint standard input as this file")
    fixes = parser.add_argument_group("fixes")
    fixes.add_argument("--fix", action="store_true", help="apply safe fixes")
    fixes.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe fixes (implies --fix)")
    fixes.add_argument("--diff", action="store_true", help="print the fixes as unified diffs instead of writing them")
    base = parser.add_argument_group("baselines and changed code")
    base.add_argument("--baseline", type=Path, metavar="FILE", help="report only findings not in this baseline")
    base.add_argument("--baseline-write", type=Path, metavar="FILE", help="record the current findings and exit 0")
    base.add_argument("--baseline-prune", action="store_true", help="drop baseline entries that no longer match")
    base.add_argument("--changed-since", metavar="REF",
                      help="only files changed since this git ref, and the files that depend on them")
    speed = parser.add_argument_group("speed")
    speed.add_argument("--jobs", "-j", type=_count, metavar="N", help="worker processes (default: CPU count)")
    speed.add_argument("--no-cache", action="store_true", help="neither read nor write .treido-cache/")
    speed.add_argument("--file-timeout", type=_seconds, metavar="SECONDS",
                       help=f"skip (with a notice) a file whose lint takes longer (default "
                            f"{check.DEFAULT_FILE_TIMEOUT:g} in worker processes; 0: no limit); given "
                            "explicitly, every file is linted in a worker process, even with --jobs 1")


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not number >= 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


@dataclass(slots=True)
class Destination:
    fmt: str
    file: Path | None


def run(args: argparse.Namespace) -> int:
    from treido_ls.workspace.config import ConfigReadError

    try:
        return _run(args)
    except UsageError as exc:
        sys.stderr.write(f"treido-ls: {exc}\n")
        return EXIT_USAGE
    except (ConfigReadError, BaselineError) as exc:
        sys.stderr.write(f"treido-ls: {exc}\n")
        return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    destinations = _destinations(args.format)
    selection = _selection(args)
    if args.config is not None and not args.config.is_file():
        raise UsageError(f"no such config file: {args.config}")
    stdin = _stdin(args)
    files = [] if stdin is not None else _files(args)
    fixing = args.fix or args.unsafe_fixes or args.diff
    options = CheckOptions(
        jobs=args.jobs if args.jobs is not None else default_jobs(),
        fix=fixing, unsafe_fixes=args.unsafe_fixes, selection=selection, config=args.config, stdin=stdin,
        cache=not args.no_cache, progress=sys.stderr if is_terminal(sys.stderr) else None,
        file_timeout=check.DEFAULT_FILE_TIMEOUT if args.file_timeout is None else args.file_timeout,
        isolate=args.file_timeout is not None,
    )
    result = check.check_files(files, options)
    result.filter(lambda _report, _i, finding: selection.allows(finding))
    changed = _apply_fixes(result, stdin is not None, args.diff) if fixing else False
    if args.baseline_write is not None:  # what remains after fixes is what gets accepted
        return _write_baseline(result, args.baseline_write)
    _apply_baselines(result, args.baseline, args.baseline_prune)
    out = sys.stderr if stdin is not None and fixing else sys.stdout  # stdout carries the fixed text
    if args.diff:  # stdout carries the diffs; reports still go to their files
        destinations = [d for d in destinations if d.file is not None]
    _write_outputs(result, destinations, args, out)
    if args.diff:
        return EXIT_FINDINGS if changed and not args.exit_zero else EXIT_OK
    return _exit_code(result, args)


def _destinations(values: list[str]) -> list[Destination]:
    if not values:
        return [Destination("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text", None)]
    result = []
    for value in values:
        fmt, _, file = value.partition(":")
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
        result.append(Destination(fmt, Path(file) if file else None))
    return result


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _selection(args: argparse.Namespace) -> Selection:
    select, ignore = _split(args.select), _split(args.ignore)
    unknown = Selection.unknown([*select, *ignore])
    if unknown:
        raise UsageError(f"unknown rule or category: {', '.join(unknown)} (`treido-ls rules` lists them)")
    return Selection(select, ignore, errors_only=args.quiet)


def _stdin(args: argparse.Namespace) -> tuple[Path, bytes] | None:
    paths: list[str] = args.paths
    if "-" in paths:
        if args.stdin_filename is None:
            raise UsageError("`-` reads standard input and needs --stdin-filename PATH (for the language and rules)")
        if len(paths) > 1:
            raise UsageError("`-` cannot be combined with other paths")
    elif args.stdin_filename is None:
        return None
    elif paths:
        raise UsageError("--stdin-filename lints standard input: pass `-` or no PATH")
    elif check.stdin_is_terminal():
        raise UsageError("--stdin-filename reads standard input, which is a terminal: pipe the file in")
    if args.changed_since:
        raise UsageError("--changed-since does not apply to standard input")
    return args.stdin_filename, sys.stdin.buffer.read()


def _files(args: argparse.Namespace) -> list[Path]:
    from treido_ls.files import discover

    paths = [Path(p) for p in args.paths] or [Path(".")]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(str(p) for p in missing)}")
    files = list(discover(paths))
    if args.changed_since:
        files = _changed(files, args.changed_since, args.config)
    return files


def _changed(files: list[Path], ref: str, config: Path | None) -> list[Path]:
    from treido_ls.changes import GitError, changed_files, with_dependents

    try:
        changed = changed_files(ref, Path.cwd())
    except GitError as exc:
        raise UsageError(f"--changed-since: {exc}") from None
    projects = check.ProjectCache(config)
    return with_dependents(changed, files, projects.for_file)


# -- baselines -------------------------------------------------------------------------------------


def _write_baseline(result: CheckRun, path: Path) -> int:
    baseline = Baseline.from_run(result, path.parent)
    baseline.save(path)
    sys.stderr.write(f"treido-ls: wrote {len(baseline)} finding(s) to the baseline {path}\n")
    return EXIT_OK


def _apply_baselines(result: CheckRun, explicit: Path | None, prune: bool) -> None:
    """`--baseline FILE` applies to every file; otherwise each project's config `baseline`."""
    groups: dict[Path, set[Path] | None] = {}
    if explicit is not None:
        groups[explicit] = None
    else:
        for root, file in result.baselines.items():
            if file.is_file():
                groups[file] = {*(groups.get(file) or set()), root}
    if prune and not groups:
        raise UsageError("--baseline-prune needs --baseline FILE (or a `baseline` in treido.json)")
    for file, roots in groups.items():
        baseline = Baseline.load(file)
        matched = baseline.subtract(result, file.parent, roots)
        if prune:
            checked = {baseline_path(r.path, file.parent) for r in result.reports
                       if roots is None or r.root in roots}
            pruned = baseline.pruned(matched, checked)
            pruned.save(file)
            sys.stderr.write(f"treido-ls: pruned {len(baseline) - len(pruned)} baseline entr"
                             f"{'y' if len(baseline) - len(pruned) == 1 else 'ies'} from {file}\n")


# -- fixes -----------------------------------------------------------------------------------------


def _apply_fixes(result: CheckRun, from_stdin: bool, diff: bool) -> bool:
    """Write (or print as diffs) what the fixes changed; True when anything changed."""
    changed = [r for r in result.reports if r.original is not None]
    created = [(r, e) for r in result.reports for e in r.file_edits]
    if from_stdin:
        for report in result.reports:
            if diff:
                sys.stdout.write(_diff(report.path, report.original, report.source) if report.original else "")
            else:
                sys.stdout.buffer.write(report.source)
                sys.stdout.flush()
        return bool(changed)
    fixed, written = 0, 0
    skipped: set[int] = set()
    for report in changed:
        assert report.original is not None
        if diff:
            sys.stdout.write(_diff(report.path, report.original, report.source))
        elif _write(report, result):
            fixed, written = fixed + report.fixes_applied, written + 1
        else:
            skipped.add(id(report))
    made = 0
    for report, edit in created:
        target = (report.root or Path.cwd()) / edit.path
        if diff:
            sys.stdout.write(_diff(target, None, edit.text.encode("utf-8")))
        elif id(report) not in skipped and not target.exists():  # the new file goes with its file's edits
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(edit.text, encoding="utf-8", newline="")
            made += 1
    if not diff and (written or made):
        sys.stderr.write(f"treido-ls: fixed {fixed} problem(s) in {written} file(s)"
                         + (f", created {made} file(s)" if made else "") + "\n")
    return bool(changed or created)


def _write(report: FileReport, result: CheckRun) -> bool:
    try:
        if report.path.read_bytes() != report.original:
            result.notices.append(f"{report.path}: changed while checking; fixes not written")
            return False
        report.path.write_bytes(report.source)
    except OSError as exc:
        result.notices.append(f"{report.path}: cannot write fixes ({exc.strerror or exc})")
        return False
    return True


def _diff(path: Path, before: bytes | None, after: bytes) -> str:
    name = Path(os.path.relpath(path)).as_posix() if path.is_absolute() else path.as_posix()
    old = decode_source(before).splitlines(keepends=True) if before is not None else []
    new = decode_source(after).splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, f"a/{name}" if before is not None else "/dev/null", f"b/{name}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


# -- output and exit code --------------------------------------------------------------------------


def _write_outputs(result: CheckRun, destinations: list[Destination], args: argparse.Namespace,
                   stdout: TextIO) -> None:
    base = _repository_root(Path.cwd())
    workspace = os.environ.get("GITHUB_WORKSPACE")
    shows_notices = False
    for destination in destinations:
        to_terminal = destination.file is None and is_terminal(stdout)
        color = args.color == "always" or (args.color == "auto" and to_terminal)
        output = Output(result, color, Path(workspace) if workspace and destination.fmt == "github" else base,
                        [str(p) for p in args.paths] or ["."], args.docs_url)
        text = renderer(destination.fmt)(output)
        if destination.file is None:
            stdout.write(text)
            shows_notices = shows_notices or destination.fmt == "text"
        else:
            destination.file.parent.mkdir(parents=True, exist_ok=True)
            destination.file.write_text(text, encoding="utf-8")
    if not shows_notices:
        sys.stderr.write("".join(f"treido-ls: note: {notice}\n" for notice in result.notices))


def _repository_root(start: Path) -> Path:
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / ".git").exists():
            return folder
    return start.resolve()


def _exit_code(result: CheckRun, args: argparse.Namespace) -> int:
    if args.exit_zero:
        return EXIT_OK
    if result.has_errors:
        return EXIT_FINDINGS
    if args.max_warnings is not None and result.count(Severity.WARNING) > args.max_warnings:
        sys.stderr.write(f"treido-ls: {result.count(Severity.WARNING)} warnings, more than --max-warnings "
                         f"{args.max_warnings}\n")
        return EXIT_FINDINGS
    return EXIT_OK
