"""Fixes for supabase/wildcard-select: explicit columns from the schema model, narrowest first.

When the function reads only some fields of the result (`data.title`, `const { id } = data`,
`data.map((row) => row.title)`), those fields are offered first; every column of the table second.
Without a known schema nothing is offered: a guessed column list would break the query.
"""

from __future__ import annotations

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks._scope import declaration_of
from treido_ls.checks._supabase import chain_methods
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix

_SINGLE = frozenset({"single", "maybeSingle"})
# Array methods whose callback sees one row and whose result holds only what the callback returns.
_ROW_CALLBACKS = frozenset({"map", "flatMap", "forEach", "some", "every"})
_NULL_TESTS = frozenset({"===", "!==", "==", "!="})
_CHAIN_PARENTS = frozenset({"member_expression", "call_expression", "await_expression", "parenthesized_expression",
                            "non_null_expression"})


def ordered_columns(ctx: FileContext, table: str) -> list[str] | None:
    """The table's columns in declaration order (generated types first, then migrations); None if unknown."""
    known = ctx.project.columns_of(table)
    if known is None:
        return None
    generated = ctx.project.generated_types.get(("public", table))
    if generated is not None:
        return list(generated.columns)
    folded = ctx.project.schema.table(table, "public")
    ordered = list(folded.columns) if folded is not None else []
    return [c for c in ordered if c in known.names] or sorted(known.names)


def star_span(source: bytes, start: int, end: int) -> tuple[int, int]:
    """The `*` itself inside a reported item (`orders(*)` -> the star between the parentheses)."""
    item = source[start:end]
    star = item.rfind(b"*")
    return (start + star, start + star + 1) if star >= 0 else (start, end)


def select_fixes(ctx: FileContext, call: Node, table: str | None, span: tuple[int, int], *,
                 quote: str | None = None, narrow: bool = True, select_text: bytes = b"") -> list[Fix]:
    """Replace `span` (a `*`, or the empty argument list of `.select()` when `quote` is given) with columns."""
    columns = ordered_columns(ctx, table) if table is not None else None
    if not columns:
        return []
    listed = _listed_siblings(ctx.source, span, select_text)
    remaining = [c for c in columns if c not in listed]
    if not remaining:
        return []
    fixes: list[Fix] = []
    if narrow:
        used = used_fields(call, set(columns))
        if used and len(used) < len(columns):
            names = ", ".join(f"`{c}`" for c in used)
            fixes.append(_fix(f"Select only the fields this function reads ({names})", span, used, quote))
    assert ctx.rule is not None
    title = f"{ctx.rule.fix_title or 'Select explicit columns'}: every column of `{table}`"
    fixes.append(_fix(title, span, remaining, quote))
    return fixes


def _fix(title: str, span: tuple[int, int], columns: list[str], quote: str | None) -> Fix:
    text = ", ".join(columns)
    if quote is not None:
        text = f"{quote}{text}{quote}"
    return Fix(title, (Edit(span[0], span[1], text),), Applicability.UNSAFE)


def _listed_siblings(source: bytes, span: tuple[int, int], select_text: bytes) -> set[str]:
    """Plain column names already listed next to a bare `*` (`id, *` keeps `id` once)."""
    if not select_text or source[span[0] : span[1]] != b"*":
        return set()
    start, depth = span[0] - 1, 0
    while start >= 0:
        ch = source[start : start + 1]
        if ch == b")":
            depth += 1
        elif ch == b"(":
            if depth == 0:
                break
            depth -= 1
        elif ch in (b"'", b'"', b"`") and depth == 0:
            break
        start -= 1
    end, depth = span[1], 0
    while end < len(source):
        ch = source[end : end + 1]
        if ch == b"(":
            depth += 1
        elif ch == b")":
            if depth == 0:
                break
            depth -= 1
        elif ch in (b"'", b'"', b"`") and depth == 0:
            break
        end += 1
    names: set[str] = set()
    for item in _split_top(source[start + 1 : end]):
        name = item.split(":")[-1].split("::")[0].strip()
        if name.isidentifier():
            names.add(name)
    return names


def _split_top(raw: bytes) -> list[str]:
    items, depth, current = [], 0, bytearray()
    for byte in raw:
        ch = bytes([byte])
        if ch == b"(":
            depth += 1
        elif ch == b")":
            depth -= 1
        if ch == b"," and depth == 0:
            items.append(current.decode("utf-8", "replace"))
            current = bytearray()
        else:
            current += ch
    items.append(current.decode("utf-8", "replace"))
    return items


# -- which fields the function reads ---------------------------------------------------------------


def used_fields(call: Node, columns: set[str]) -> list[str] | None:
    """The columns the function reads from this query's `data`, in first-use order; None when the rows
    (or a row) escape whole: returned, passed to a call, spread, or read in a way we do not follow."""
    top = call
    while top.parent is not None and top.parent.type in _CHAIN_PARENTS:
        top = top.parent
    declarator = top.parent
    if declarator is None or declarator.type != "variable_declarator":
        return None
    target = declarator.child_by_field_name("name")
    data = _data_name(target)
    if data is None:
        return None
    chain = top.named_children[0] if top.type == "await_expression" and top.named_children else top
    single = any(method in _SINGLE for method, _ in chain_methods(chain))
    fn = syntax.enclosing_function(declarator)
    scope = fn.child_by_field_name("body") if fn is not None else None
    if scope is None:
        return None
    fields: list[str] = []
    for use in syntax.descendants_of_type(scope, {"identifier"}):
        if syntax.text(use) != data or use.start_byte < declarator.end_byte:
            continue
        if declaration_of(use) != declarator:
            continue
        read = _row_reads(use) if single else _rows_reads(use)
        if read is None:
            return None
        fields += [f for f in read if f not in fields]
    if not fields or any(f not in columns for f in fields):
        return None
    return fields


def _data_name(target: Node | None) -> str | None:
    """`const { data } = ...` or `const { data: rows } = ...`: the local holding the rows."""
    if target is None or target.type != "object_pattern":
        return None
    for child in target.named_children:
        if child.type == "shorthand_property_identifier_pattern" and syntax.text(child) == "data":
            return "data"
        if child.type == "pair_pattern" and syntax.text(child.child_by_field_name("key")) == "data":
            value = child.child_by_field_name("value")
            if value is not None and value.type == "identifier":
                return syntax.text(value)
    return None


def _row_reads(use: Node) -> list[str] | None:
    """Fields read from one row: `row.title`, `row?.title`, `const { id, title } = row`, `!row`, `row === null`."""
    parent = use.parent
    if parent is None:
        return None
    if parent.type == "member_expression" and parent.child_by_field_name("object") == use:
        prop = parent.child_by_field_name("property")
        return [syntax.text(prop)] if prop is not None and prop.type == "property_identifier" else None
    if parent.type == "variable_declarator" and parent.child_by_field_name("value") == use:
        return _pattern_keys(parent.child_by_field_name("name"))
    if _only_tested(use):
        return []
    return None


def _rows_reads(use: Node) -> list[str] | None:
    """Fields read from a list of rows: `rows.map((row) => row.title)`, `(rows ?? []).map(...)`, `rows.length`,
    `!rows`."""
    if _only_tested(use):
        return []
    use = _through_default(use)
    parent = use.parent
    if parent is None:
        return None
    if parent.type == "member_expression" and parent.child_by_field_name("object") == use:
        prop = syntax.text(parent.child_by_field_name("property"))
        if prop == "length":
            return []
        call = parent.parent
        if prop in _ROW_CALLBACKS and call is not None and call.type == "call_expression":
            args = syntax.call_arguments(call)
            return _callback_reads(args[0]) if args else None
        return None
    if _only_tested(use):
        return []
    return None


def _callback_reads(callback: Node) -> list[str] | None:
    if callback.type not in ("arrow_function", "function_expression"):
        return None
    params = callback.child_by_field_name("parameters")
    param = callback.child_by_field_name("parameter")
    first = param if param is not None else (params.named_children[0] if params and params.named_children else None)
    if first is not None and first.type == "required_parameter":
        first = first.child_by_field_name("pattern")
    if first is None:
        return None
    if first.type == "object_pattern":
        return _pattern_keys(first)
    if first.type != "identifier":
        return None
    body = callback.child_by_field_name("body")
    if body is None:
        return None
    fields: list[str] = []
    uses = [n for n in [body, *syntax.descendants_of_type(body, {"identifier"})]
            if n.type == "identifier" and syntax.text(n) == syntax.text(first)]
    for use in uses:
        read = _row_reads(use)
        if read is None:
            return None
        fields += [f for f in read if f not in fields]
    return fields


def _pattern_keys(pattern: Node | None) -> list[str] | None:
    """Keys a destructuring pattern takes; None with a rest element or a computed key."""
    if pattern is None or pattern.type != "object_pattern":
        return None
    keys: list[str] = []
    for child in pattern.named_children:
        if child.type == "shorthand_property_identifier_pattern":
            keys.append(syntax.text(child))
        elif child.type == "pair_pattern" and child.child_by_field_name("key") is not None:
            key = child.child_by_field_name("key")
            if key is None or key.type != "property_identifier":
                return None
            keys.append(syntax.text(key))
        elif child.type == "object_assignment_pattern":
            left = child.child_by_field_name("left")
            if left is None or left.type != "shorthand_property_identifier_pattern":
                return None
            keys.append(syntax.text(left))
        elif child.type != "comment":
            return None
    return keys


def _only_tested(use: Node) -> bool:
    """`!data`, `if (data)`, `data === null`: a presence test reads no field."""
    parent = use.parent
    if parent is None:
        return False
    if parent.type == "unary_expression" and syntax.text(parent.child_by_field_name("operator")) == "!":
        return True
    if parent.type == "parenthesized_expression" and parent.parent is not None and parent.parent.type in (
            "if_statement", "while_statement"):
        return True
    if parent.type == "binary_expression" and syntax.text(parent.child_by_field_name("operator")) in _NULL_TESTS:
        other = parent.child_by_field_name("right" if parent.child_by_field_name("left") == use else "left")
        return other is not None and syntax.text(other) in ("null", "undefined")
    return False


def _through_default(use: Node) -> Node:
    """`(rows ?? [])` stands for `rows` when reading fields."""
    parent = use.parent
    if (parent is None or parent.type != "binary_expression" or parent.child_by_field_name("left") != use
            or syntax.text(parent.child_by_field_name("operator")) not in ("??", "||")
            or syntax.text(parent.child_by_field_name("right")) != "[]"):
        return use
    node = parent
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node
