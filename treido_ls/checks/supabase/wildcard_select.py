"""supabase/wildcard-select: `.select('*')`, a bare `.select()`, or `rel(*)` inside a select."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._supabase import query_chain
from treido_ls.checks.supabase._select_fix import select_fixes, star_span
from treido_ls.context import FileContext
from treido_ls.model import Violation

SELECT_CALLS = """
(call_expression
  function: (member_expression property: (property_identifier) @method (#eq? @method "select"))) @call
"""


@check("supabase/wildcard-select")
def wildcard_select(ctx: FileContext) -> Iterator[Violation]:
    for call in ctx.captures(SELECT_CALLS).get("call", []):
        chain = query_chain(call)
        if chain is None:
            continue
        table = f"`{chain.table}`" if chain.table else "the table"
        args = syntax.call_arguments(call)
        if not args:
            method = call.child_by_field_name("function")
            prop = method.child_by_field_name("property") if method is not None else None
            arguments = call.child_by_field_name("arguments")
            at = arguments.start_byte + 1 if arguments is not None else call.end_byte - 1
            yield Violation(
                (prop or call).start_byte, call.end_byte,
                ctx.message(what="`.select()` with no columns", table=table),
                fixes=select_fixes(ctx, call, chain.table, (at, at), quote=syntax.quote_of(ctx.source)),
                data={"table": chain.table},
            )
            continue
        if _head_only(args):
            continue
        for start, end, what, embedded in _wildcards(args[0], ctx.source):
            target = f"`{embedded}`" if embedded else table
            whole = (start, end) == (args[0].start_byte, args[0].end_byte)
            span = (start + 1, end - 1) if whole else star_span(ctx.source, start, end)
            fixes = select_fixes(ctx, call, embedded or chain.table, span, narrow=whole and embedded is None,
                                 select_text=ctx.source[args[0].start_byte + 1 : args[0].end_byte - 1])
            yield Violation(start, end, ctx.message(what=what, table=target), fixes=fixes,
                            data={"table": embedded or chain.table})


def _head_only(args: list[Node]) -> bool:
    """`select('*', { count: 'exact', head: true })` returns no rows, only the count."""
    if len(args) < 2 or args[1].type != "object":
        return False
    for pair in args[1].named_children:
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if pair.type == "pair" and syntax.text(key) == "head" and syntax.text(value) == "true":
            return True
    return False


def _wildcards(arg: Node, source: bytes) -> Iterator[tuple[int, int, str, str | None]]:
    """(start, end, shown text, embedded relation or None) of each `*` item in a select string.

    The range is the whole literal when it is just '*'."""
    if arg.type not in syntax.STRING_TYPES or syntax.string_value(arg) is None:
        return
    inner_start, inner_end = arg.start_byte + 1, arg.end_byte - 1
    raw = source[inner_start:inner_end]
    if raw.strip() == b"*":
        yield arg.start_byte, arg.end_byte, "`*`", None
        return
    for start, end, nested, relation in _star_items(raw, 0, len(raw), None):
        item = raw[start:end].decode("utf-8", "replace")
        if nested:
            yield inner_start + start, inner_start + end, f"`{item}`", _relation_name(item)
        else:
            yield inner_start + start, inner_start + end, "`*`", relation


def _relation_name(item: str) -> str:
    """`alias:orders!inner(*)` -> `orders` (PostgREST embed syntax)."""
    head = item.split("(", 1)[0]
    head = head.split(":", 1)[-1]
    return head.split("!", 1)[0].strip()


Star = tuple[int, int, bool, str | None]  # start, end, is an embed `rel(*)`, relation of a bare `*`


def _star_items(raw: bytes, begin: int, stop: int, relation: str | None) -> Iterator[Star]:
    """Walk a comma list in raw[begin:stop]; yield `*` items and `rel(*)` embeds, recursively.

    `relation` is the embedded resource whose list this is (None at the top: the queried table)."""
    depth, item_start, i = 0, begin, begin
    while i <= stop:
        ch = raw[i : i + 1] if i < stop else b","
        if ch == b"(":
            depth += 1
        elif ch == b")":
            depth -= 1
        elif ch == b"," and depth == 0:
            yield from _star_item(raw, item_start, i, relation)
            item_start = i + 1
        i += 1


def _star_item(raw: bytes, start: int, end: int, relation: str | None) -> Iterator[Star]:
    while start < end and raw[start : start + 1].isspace():
        start += 1
    while end > start and raw[end - 1 : end].isspace():
        end -= 1
    item = raw[start:end]
    if item == b"*":
        yield start, end, False, relation
        return
    open_paren = item.find(b"(")
    if open_paren < 0 or not item.endswith(b")"):
        return
    inner_start, inner_end = start + open_paren + 1, end - 1
    if raw[inner_start:inner_end].strip() == b"*":
        yield start, end, True, None
    else:
        embedded = _relation_name(item.decode("utf-8", "replace"))
        yield from _star_items(raw, inner_start, inner_end, embedded)
