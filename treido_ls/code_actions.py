"""Code actions as plain data: rule fixes, "ignore for this line", and fix-all (safe fixes only).

The server turns these into lsprotocol objects; tests use them without a client.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node, Tree

from treido_ls import syntax
from treido_ls.fixes import fixes_to_apply
from treido_ls.model import Applicability, Edit, FileEdit, Finding, Fix
from treido_ls.parsing import Lang
from treido_ls.positions import LineIndex

FIX_ALL_KIND = "source.fixAll.treido"
_JSX_CONTAINERS = frozenset({"jsx_element", "jsx_fragment"})


@dataclass(frozen=True, slots=True)
class Action:
    title: str
    kind: str  # "quickfix" or FIX_ALL_KIND
    edits: tuple[Edit, ...]
    finding: Finding | None
    preferred: bool = False
    file_edits: tuple[FileEdit, ...] = ()  # new files (a migration), relative to the project root
    display_only: bool = False  # shown with its explanation, never applied


def overlapping(findings: list[Finding], start: int, end: int) -> list[Finding]:
    """Findings touching [start, end]; a cursor (start == end) inside or at the edge counts."""
    return [f for f in findings if f.start <= end and start <= f.end]


def quick_fixes(findings: list[Finding], source: bytes, tree: Tree | None, lang: Lang,
                index: LineIndex) -> list[Action]:
    actions: list[Action] = []
    for finding in findings:
        for fix in finding.fixes:
            if fix.applicability is Applicability.DISPLAY_ONLY:
                actions.append(Action(fix.title, "quickfix", (), finding, display_only=True))
            elif fix.edits or fix.file_edits:
                actions.append(Action(fix.title, "quickfix", fix.edits, finding,
                                      preferred=fix.applicability is Applicability.SAFE, file_edits=fix.file_edits))
    for finding in findings:
        if finding.rule_id.startswith("treido/"):
            continue
        edit = ignore_edit(finding, source, tree, lang, index)
        actions.append(Action(f"Ignore {finding.rule_id} for this line", "quickfix", (edit,), finding))
    return actions


def fix_all(findings: list[Finding]) -> Action | None:
    chosen: list[Fix] = fixes_to_apply(findings, include_unsafe=False)
    if not chosen:
        return None
    edits = tuple(edit for fix in chosen for edit in fix.edits)
    return Action("Fix all treido safe fixes", FIX_ALL_KIND, edits, None)


def ignore_edit(finding: Finding, source: bytes, tree: Tree | None, lang: Lang, index: LineIndex) -> Edit:
    """Insert a next-line suppression above the finding's line, in the form the spot needs."""
    line = index.line_of(finding.start)
    line_start = index.line_start(line)
    indent = syntax.line_indent(source, line_start).decode("utf-8", "replace")
    newline = syntax.newline_of(source)
    directive = f"treido-ignore-next-line {finding.rule_id}"
    if lang is Lang.SQL:
        comment = f"-- {directive}"
    elif tree is not None and _is_jsx_child_line(tree, line_start + len(indent.encode())):
        comment = f"{{/* {directive} */}}"
    else:
        comment = f"// {directive}"
    return Edit(line_start, line_start, f"{indent}{comment}{newline}")


def _is_jsx_child_line(tree: Tree, first_char: int) -> bool:
    """True when the line's first token is a child of a JSX element (where `//` would be text)."""
    node: Node | None = tree.root_node.descendant_for_byte_range(first_char, first_char)
    while node is not None and node.start_byte == first_char and node.parent is not None:
        # An opening tag belongs to its element: whether that element is a child decides.
        if node.type != "jsx_opening_element" and node.parent.type in _JSX_CONTAINERS:
            return True
        node = node.parent
    return False
