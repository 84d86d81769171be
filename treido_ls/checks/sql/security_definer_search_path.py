"""sql/security-definer-search-path: SECURITY DEFINER without a fixed search_path (splinter 0011)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._sql import here, migration_schema
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix, Violation
from treido_ls.workspace.schema import Function, SchemaModel

SETTING = "set search_path = ''"
_AS_BEFORE = re.compile(rb"\bas\s*$", re.IGNORECASE)
# A relation named after one of these keywords, without a schema: `update products`, `from orders o`.
_RELATION = re.compile(
    r"\b(?:from|join|update|insert\s+into|merge\s+into|table)\s+(?:only\s+)?(?!\()(\"[^\"]+\"|[a-z_][\w$]*)(\s*\.)?",
    re.IGNORECASE,
)
_WORD_CALL = re.compile(r"(?<![\w$.\"])([a-z_][\w$]*)\s*\(", re.IGNORECASE)
_WORD = re.compile(r"(?<![\w$.\"])([a-z_][\w$]*)\b(?!\s*\.)", re.IGNORECASE)


@check("sql/security-definer-search-path")
def security_definer_search_path(ctx: FileContext) -> Iterator[Violation]:
    model = migration_schema(ctx)
    if model is None:
        return
    for function in model.functions():
        if not function.security_definer or function.search_path_set or not here(ctx, function.name_provenance):
            continue
        at = function.name_provenance
        fix = _fix(ctx, function, model)
        yield Violation(at.start, at.end, ctx.message(function=function.signature),
                        fixes=[fix] if fix is not None else [], data={"function": function.signature})


def _fix(ctx: FileContext, function: Function, model: SchemaModel) -> Fix | None:
    """Insert `set search_path = ''` before `as $$` (or the SQL body), in the function's own layout."""
    body = function.body_provenance
    if body is None or body.path != ctx.path or not function.provenance.start <= body.start <= function.provenance.end:
        return None
    if b"search_path" in ctx.source[function.provenance.start : function.provenance.end].lower():
        return None  # set here and reset by a later ALTER: a second SET in CREATE would not help
    before = ctx.source[function.provenance.start : body.start]
    match = _AS_BEFORE.search(before)
    anchor = function.provenance.start + match.start() if match is not None else body.start
    line_start = ctx.source.rfind(b"\n", 0, anchor) + 1
    indent = syntax.line_indent(ctx.source, line_start)
    if ctx.source[line_start:anchor].strip() == b"":  # the anchor starts its line: add a line above
        text = f"{SETTING}{syntax.newline_of(ctx.source)}{indent.decode()}"
    else:
        text = f"{SETTING} "
    applicability = Applicability.SAFE if _qualified_body(ctx, function, model) else Applicability.UNSAFE
    return Fix("Set an empty search_path", (Edit(anchor, anchor, text),), applicability)


def _qualified_body(ctx: FileContext, function: Function, model: SchemaModel) -> bool:
    """True when an empty search_path cannot break the body: every table, function and type of
    the migrations it names is schema-qualified (pg_catalog stays searched). A heuristic that errs
    towards False, which only makes the fix unsafe."""
    body = function.body_provenance
    assert body is not None
    text = ctx.source[body.start : body.end].decode("utf-8", "replace")
    if not text.startswith(("$", "'")):
        return True  # a SQL-standard body (BEGIN ATOMIC / RETURN) is bound when it is created
    if any(match.group(2) is None for match in _RELATION.finditer(text)):
        return False
    public_functions = {f.name for f in model.functions() if f.schema == "public"}
    if any(m.group(1).lower() in public_functions for m in _WORD_CALL.finditer(text)):
        return False
    public_types = {name for schema, name in model.enums if schema == "public"}
    return not any(m.group(1).lower() in public_types for m in _WORD.finditer(text))
