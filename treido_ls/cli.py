"""Command line: `treido-ls [server]` serves LSP on stdio; `check`, `rules`, `rule`, `schema`.

Exit codes of `check`: 0 no error-level finding, 1 at least one, 2 usage error or unreadable
config, 101 internal error (with a request for a bug report, never a bare traceback).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import traceback
from pathlib import Path

from treido_ls import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 101
BUG_REPORT = "treido-ls hit an internal error. Please report it with the command and this message:"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="treido-ls",
        description="Language server and linter for Next.js + Supabase + Stripe backends.",
    )
    parser.add_argument("--version", action="version", version=f"treido-ls {__version__}")
    _server_flags(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _server_flags(commands.add_parser("server", help="serve the Language Server Protocol on stdio (default)"))
    from treido_ls.check_command import add_arguments

    add_arguments(commands.add_parser("check", help="lint files and folders on disk"))
    commands.add_parser("rules", help="list every rule: id, severity, fix availability")
    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("rule_id", metavar="ID")
    commands.add_parser("schema", help="print the JSON Schema of treido.json")
    return parser


def _server_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stdio", action="store_true", help="use stdio (the default; editors pass it)")
    parser.add_argument("--log-file", type=Path, help="write the log to this file instead of stderr")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception:
        sys.stderr.write(f"{BUG_REPORT}\n{traceback.format_exc(limit=8)}")
        return EXIT_INTERNAL


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command or "server"
    if command == "server":
        _configure_logging(args.verbose, args.log_file)
        from treido_ls.server import serve

        serve()
        return EXIT_OK
    if command == "check":
        return _check(args)
    if command == "rules":
        return _list_rules()
    if command == "rule":
        return _show_rule(args.rule_id)
    if command == "schema":
        from treido_ls.registry import rule_ids
        from treido_ls.workspace.config import json_schema

        sys.stdout.write(json.dumps(json_schema(sorted(rule_ids())), indent=2) + "\n")
        return EXIT_OK
    return EXIT_USAGE


def _configure_logging(verbosity: int, log_file: Path | None) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]  # stdout is the protocol: nothing may log there
    root.setLevel(level)


def _check(args: argparse.Namespace) -> int:
    from treido_ls.check_command import run

    return run(args)


def _list_rules() -> int:
    from treido_ls.registry import load_rule_docs

    docs = load_rule_docs()
    width = max(len(rule_id) for rule_id in docs)
    for rule_id, doc in docs.items():
        fix = doc.applicability.value if doc.fix != "none" and doc.applicability else "-"
        sys.stdout.write(f"{rule_id:<{width}}  {doc.severity.label:<7}  fix: {fix:<12}  {doc.title}\n")
    return EXIT_OK


def _show_rule(rule_id: str) -> int:
    from treido_ls.registry import load_rule_docs

    doc = load_rule_docs().get(rule_id)
    if doc is None:
        sys.stderr.write(f"treido-ls: unknown rule {rule_id!r}; `treido-ls rules` lists them\n")
        return EXIT_USAGE
    sys.stdout.write(doc.documentation())
    return EXIT_OK
