"""Per-statement facts from one SQL migration (tree-sitter-postgres), in source order.

`parse_migration` turns a migration file into a flat list of effects (frozen dataclasses), each
carrying the byte range of the statement that produced it. It knows nothing about earlier files;
`schema.py` folds the effects of all migrations into the final schema.

Conventions:
- bytes everywhere: every `Provenance` is a byte range of the ORIGINAL file, also for statements
  found inside `DO $$ ... $$` bodies;
- names are case-folded unless double-quoted; unqualified relations and functions are `public`;
- a statement that does not parse (tree-sitter error inside it) is skipped and its range recorded.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

import tree_sitter_postgres as tsp
from tree_sitter import Language, Node, Parser

QName = tuple[str, str]
"""(schema, name), both case-folded."""

RelKind = Literal["table", "view", "matview"]
KeyKind = Literal["primary", "unique"]

DEFAULT_SCHEMA = "public"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a fact comes from: a byte range [start, end) of a migration file."""

    path: str
    start: int
    end: int

    def text(self, source: bytes) -> str:
        return source[self.start : self.end].decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------------
# Building blocks shared by several effects


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    name: str
    type: str
    nullable: bool
    has_default: bool
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class CopyColumns:
    """Columns copied from another relation (LIKE, INHERITS, PARTITION OF), resolved at fold time."""

    relation: QName
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class KeySpec:
    kind: KeyKind
    columns: tuple[str, ...]
    name: str | None  # None: Postgres picks the name (see schema.default_constraint_name)
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A relation read by a view, with the range of the reference."""

    relation: QName
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class ViewTarget:
    """One output column of a view: a name, or a `*` to expand from `star` (None: unknown)."""

    name: str | None
    star: QName | None
    provenance: Provenance  # the select-list item (or the column-list name)


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    command: str  # all | select | insert | update | delete
    permissive: bool
    roles: tuple[str, ...]
    using: str | None
    using_provenance: Provenance | None
    with_check: str | None
    with_check_provenance: Provenance | None
    provenance: Provenance  # the CREATE POLICY statement (ALTER POLICY updates the parts)
    name_provenance: Provenance


@dataclass(frozen=True, slots=True)
class FuncRef:
    """A function named by ALTER/DROP/GRANT; argtypes None = no argument list (any overload)."""

    schema: str
    name: str
    argtypes: tuple[str, ...] | None


# ---------------------------------------------------------------------------------------------
# Effects. `provenance` is always the whole statement.


@dataclass(frozen=True, slots=True)
class Effect:
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class CreateTable(Effect):
    relation: QName
    columns: tuple[ColumnSpec | CopyColumns, ...]
    keys: tuple[KeySpec, ...]
    if_not_exists: bool
    complete: bool  # False when the column list cannot be known statically (CREATE TABLE AS ...)
    name_provenance: Provenance


@dataclass(frozen=True, slots=True)
class CreateView(Effect):
    relation: QName
    kind: RelKind
    or_replace: bool
    if_not_exists: bool
    options: tuple[tuple[str, str | None], ...]
    sources: tuple[SourceRef, ...]
    targets: tuple[ViewTarget, ...]
    name_provenance: Provenance

    @property
    def security_invoker(self) -> bool | None:
        return security_invoker_option(self.options)


@dataclass(frozen=True, slots=True)
class AddColumn(Effect):
    relation: QName
    column: ColumnSpec
    if_not_exists: bool


@dataclass(frozen=True, slots=True)
class DropColumn(Effect):
    relation: QName
    column: str


@dataclass(frozen=True, slots=True)
class RenameColumn(Effect):
    relation: QName
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class AlterColumn(Effect):
    relation: QName
    column: str
    nullable: bool | None = None
    has_default: bool | None = None
    type: str | None = None


@dataclass(frozen=True, slots=True)
class SetRowSecurity(Effect):
    relation: QName
    enabled: bool | None = None  # ENABLE / DISABLE ROW LEVEL SECURITY
    forced: bool | None = None  # [NO] FORCE ROW LEVEL SECURITY
    clause: Provenance | None = None  # the sub-command, e.g. `enable row level security`


@dataclass(frozen=True, slots=True)
class AddKey(Effect):
    relation: QName
    key: KeySpec


@dataclass(frozen=True, slots=True)
class DropConstraint(Effect):
    relation: QName
    name: str


@dataclass(frozen=True, slots=True)
class RenameRelation(Effect):
    relation: QName
    new_name: str


@dataclass(frozen=True, slots=True)
class SetRelationSchema(Effect):
    relation: QName
    new_schema: str


@dataclass(frozen=True, slots=True)
class DropRelation(Effect):
    relation: QName
    kind: RelKind


@dataclass(frozen=True, slots=True)
class SetRelOptions(Effect):
    """ALTER TABLE/VIEW ... SET (k = v) or RESET (k); value None on RESET or a bare `k`."""

    relation: QName
    options: tuple[tuple[str, str | None], ...]
    reset: bool


@dataclass(frozen=True, slots=True)
class CreatePolicy(Effect):
    relation: QName
    policy: Policy


@dataclass(frozen=True, slots=True)
class AlterPolicy(Effect):
    relation: QName
    name: str
    roles: tuple[str, ...] | None
    using: str | None
    using_provenance: Provenance | None
    with_check: str | None
    with_check_provenance: Provenance | None


@dataclass(frozen=True, slots=True)
class RenamePolicy(Effect):
    relation: QName
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class DropPolicy(Effect):
    relation: QName
    name: str


@dataclass(frozen=True, slots=True)
class CreateFunction(Effect):
    schema: str
    name: str
    argtypes: tuple[str, ...]  # canonical identity types (IN/INOUT/VARIADIC), see canonical_type
    kind: Literal["function", "procedure"]
    or_replace: bool
    language: str
    security_definer: bool
    search_path: str | None  # None: not configured
    returns: str
    name_provenance: Provenance
    security_provenance: Provenance | None  # `security definer` / `security invoker` clause
    search_path_provenance: Provenance | None  # `set search_path = ...` clause
    body_provenance: Provenance | None  # the AS string constant (quotes included) or SQL body


@dataclass(frozen=True, slots=True)
class AlterFunction(Effect):
    """One ALTER FUNCTION action: SECURITY DEFINER/INVOKER, or SET/RESET search_path."""

    function: FuncRef
    clause: Provenance
    security_definer: bool | None = None
    search_path_change: Literal["set", "reset"] | None = None
    search_path: str | None = None  # the new value for "set"


@dataclass(frozen=True, slots=True)
class RenameFunction(Effect):
    function: FuncRef
    new_name: str


@dataclass(frozen=True, slots=True)
class SetFunctionSchema(Effect):
    function: FuncRef
    new_schema: str


@dataclass(frozen=True, slots=True)
class DropFunction(Effect):
    function: FuncRef


@dataclass(frozen=True, slots=True)
class FunctionPrivilege(Effect):
    """GRANT/REVOKE EXECUTE (or ALL) ON FUNCTION f(...) | ALL FUNCTIONS IN SCHEMA s."""

    functions: tuple[FuncRef, ...]
    all_in_schemas: tuple[str, ...]
    roles: tuple[str, ...]
    grant: bool


@dataclass(frozen=True, slots=True)
class TablePrivilege(Effect):
    """GRANT/REVOKE privileges ON [TABLE] t | ALL TABLES IN SCHEMA s (table-level only)."""

    relations: tuple[QName, ...]
    all_in_schemas: tuple[str, ...]
    privileges: frozenset[str]
    roles: tuple[str, ...]
    grant: bool


@dataclass(frozen=True, slots=True)
class DefaultPrivilege(Effect):
    """ALTER DEFAULT PRIVILEGES [IN SCHEMA s] GRANT/REVOKE ... ON TABLES|FUNCTIONS ..."""

    object_type: Literal["tables", "functions"]
    schemas: tuple[str, ...]  # empty: global (all schemas)
    privileges: frozenset[str]
    roles: tuple[str, ...]
    grant: bool


@dataclass(frozen=True, slots=True)
class CreateEnum(Effect):
    type: QName
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AddEnumValue(Effect):
    type: QName
    label: str


@dataclass(frozen=True, slots=True)
class DropType(Effect):
    type: QName


@dataclass(slots=True)
class MigrationFacts:
    path: str
    effects: list[Effect] = field(default_factory=list)
    errors: list[Provenance] = field(default_factory=list)  # statements with syntax errors
    skipped: list[Provenance] = field(default_factory=list)  # parsed but not understood (bug guard)


TABLE_PRIVILEGES = frozenset({"select", "insert", "update", "delete", "truncate", "references", "trigger", "maintain"})

# ---------------------------------------------------------------------------------------------
# Names and types


def split_name(text: str) -> list[str]:
    """`public."My Table"` -> ['public', 'My Table']: fold unquoted parts, unescape quoted ones."""
    if '"' not in text:  # the common case, and the hot path of extraction
        return ["".join(part.split()).lower() for part in text.split(".")]
    parts: list[str] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n:
                if text[j] == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    break
                buf.append(text[j])
                j += 1
            i = j + 1
        elif ch == ".":
            parts.append("".join(buf))
            buf = []
            i += 1
        elif ch.isspace():
            i += 1
        else:
            buf.append(ch.lower())
            i += 1
    parts.append("".join(buf))
    return parts


def ident(text: str) -> str:
    """One identifier, folded unless quoted."""
    return split_name(text)[-1]


def qualify(parts: list[str]) -> QName:
    """Name parts -> (schema, name); `db.schema.name` keeps the last two."""
    if len(parts) >= 2:
        return (parts[-2], parts[-1])
    return (DEFAULT_SCHEMA, parts[0] if parts else "")


def normalize_sql(text: str) -> str:
    """Lower-case outside quotes and collapse whitespace: a stable text for types and values."""
    if '"' not in text and "'" not in text:
        return " ".join(text.lower().split())
    out: list[str] = []
    quote: str | None = None
    for ch in text:
        if quote:
            out.append(ch)
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
            out.append(ch)
        else:
            out.append(ch.lower())
    return " ".join("".join(out).split())


_QUOTED_LOWER = re.compile(r'"([a-z_][a-z0-9_$]*)"')


def type_text(text: str) -> str:
    """A type as written, normalized; `"uuid"` (pg_dump quotes type names) reads as `uuid`."""
    return _QUOTED_LOWER.sub(r"\1", normalize_sql(text))


_TYPE_ALIASES = {
    "int": "integer",
    "int4": "integer",
    "int8": "bigint",
    "int2": "smallint",
    "bool": "boolean",
    "float8": "double precision",
    "float": "double precision",
    "float4": "real",
    "varchar": "character varying",
    "char": "character",
    "bpchar": "character",
    "decimal": "numeric",
    "timestamptz": "timestamp with time zone",
    "timestamp": "timestamp without time zone",
    "timetz": "time with time zone",
    "time": "time without time zone",
    "serial": "integer",
    "serial4": "integer",
    "bigserial": "bigint",
    "serial8": "bigint",
    "smallserial": "smallint",
    "serial2": "smallint",
}
_TYPMOD = re.compile(r"\(\s*[^()]*\)")
_SERIAL_TYPES = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})


def canonical_type(text: str) -> str:
    """A type as Postgres identifies it in a signature: no typmods, aliases resolved.

    `varchar(10)` -> `character varying`, `int4[]` -> `integer[]`, `public.status` -> `status`.
    """
    t = _TYPMOD.sub("", type_text(text))
    t = re.sub(r"\s+array(\s*\[\s*\d*\s*\])?$", "[]", t)
    t = re.sub(r"\s*\[\s*\d*\s*\]", "[]", t)
    dims = t.count("[]")
    base = t.replace("[]", "").strip()
    for prefix in ("pg_catalog.", "public."):
        if base.startswith(prefix):
            base = base[len(prefix) :]
    base = " ".join(base.split())
    base = _TYPE_ALIASES.get(base, base)
    return base + "[]" * dims


_TRUE_WORDS = frozenset({"true", "on", "1", "yes", "t", "y"})
_FALSE_WORDS = frozenset({"false", "off", "0", "no", "f", "n"})


def option_bool(value: str | None) -> bool | None:
    """A reloption as a boolean: a bare option (`with (security_invoker)`) means true."""
    if value is None:
        return True
    v = value.strip("'\"").lower()
    if v in _TRUE_WORDS:
        return True
    if v in _FALSE_WORDS:
        return False
    return None


def security_invoker_option(options: tuple[tuple[str, str | None], ...]) -> bool | None:
    for key, value in reversed(options):
        if key == "security_invoker":
            return option_bool(value)
    return None


# ---------------------------------------------------------------------------------------------
# Tree helpers (tree-sitter-postgres lists are left-recursive: flatten them iteratively)

@functools.cache
def _sql_parser() -> Parser:
    """Built on first use: loading the Postgres grammar costs ~40 ms, too much for start-up."""
    return Parser(Language(tsp.language()))


@functools.cache
def _pl_parser() -> Parser:
    # The package stub (1.2.4) does not declare language_plpgsql, but the module exports it.
    return Parser(Language(tsp.language_plpgsql()))  # type: ignore[attr-defined]


def _kids(node: Node, type_: str) -> Iterator[Node]:
    for child in node.children:
        if child.type == type_:
            yield child


def _kid(node: Node, type_: str) -> Node | None:
    for child in node.children:
        if child.type == type_:
            return child
    return None


def _has(node: Node, *types: str) -> bool:
    """All of `types` are direct children (keywords are `kw_<word>` nodes)."""
    present = {child.type for child in node.children}
    return all(t in present for t in types)


def _flatten(node: Node | None, list_type: str) -> list[Node]:
    """Items of a left-recursive list (given the list or its wrapper), in source order."""
    if node is not None and node.type != list_type:
        node = _kid(node, list_type)
    if node is None:
        return []
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == list_type:
            stack.extend(reversed(current.children))
        elif current.is_named and current.type != "comment":
            out.append(current)
    return out


def _find(node: Node, type_: str, stop: frozenset[str] = frozenset()) -> Node | None:
    """First descendant (pre-order) of `type_`, not descending into `stop` types."""
    stack = list(reversed(node.children))
    while stack:
        current = stack.pop()
        if current.type == type_:
            return current
        if current.type not in stop:
            stack.extend(reversed(current.children))
    return None


def _find_all(node: Node, type_: str, stop: frozenset[str] = frozenset(), nested: bool = False) -> Iterator[Node]:
    """Descendants of `type_` in pre-order; `nested` also searches inside matches."""
    stack = list(reversed(node.children))
    while stack:
        current = stack.pop()
        if current.type == type_:
            yield current
            if not nested:
                continue
        if current.type not in stop:
            stack.extend(reversed(current.children))


@dataclass(frozen=True, slots=True)
class _Ctx:
    """A parsed text: the file itself, or a DO body re-parsed at byte offset `base`."""

    path: str
    src: bytes
    base: int

    def text(self, node: Node) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def prov(self, node: Node) -> Provenance:
        return Provenance(self.path, self.base + node.start_byte, self.base + node.end_byte)

    def name(self, node: Node) -> str:
        return ident(self.text(node))

    def qname(self, node: Node) -> QName:
        return qualify(split_name(self.text(node)))


def _string_value(ctx: _Ctx, node: Node) -> str:
    """Sconst / NonReservedWord_or_Sconst text without quotes."""
    text = ctx.text(node).strip()
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        return text[1:-1].replace("''", "'")
    if text.startswith("$"):
        tag_end = text.find("$", 1)
        tag = text[: tag_end + 1]
        return text[len(tag) : len(text) - len(tag)]
    return ident(text)


def _dollar_body(ctx: _Ctx, node: Node) -> tuple[int, int] | None:
    """Byte range (local to ctx.src) of the content of a string constant."""
    text = ctx.src[node.start_byte : node.end_byte]
    if text.startswith(b"$"):
        tag_end = text.find(b"$", 1)
        if tag_end < 0:
            return None
        tag = text[: tag_end + 1]
        if len(text) < 2 * len(tag) or not text.endswith(tag) or tag in text[len(tag) : -len(tag)]:
            return None
        return node.start_byte + len(tag), node.end_byte - len(tag)
    if len(text) >= 2 and text.startswith(b"'") and text.endswith(b"'") and b"'" not in text[1:-1]:
        # One plain literal only: '' escapes would shift offsets, and `'a' || x` is dynamic.
        return node.start_byte + 1, node.end_byte - 1
    return None


# ---------------------------------------------------------------------------------------------
# Statement extractors. Each gets (ctx, statement node, emit) and emits zero or more effects.

_Emit = Callable[[Effect], None]
_Handler = Callable[[_Ctx, Node, _Emit], None]


def _relation_node(stmt: Node) -> Node | None:
    """The relation a table/view statement targets (relation_expr or qualified_name child)."""
    for child in stmt.children:
        if child.type == "qualified_name":
            return child
        if child.type in ("relation_expr", "create_as_target", "create_mv_target"):
            return _find(child, "qualified_name")
    return None


def _relation_kind(stmt: Node) -> RelKind | None:
    if _has(stmt, "kw_materialized"):
        return "matview"
    if _has(stmt, "kw_view"):
        return "view"
    if _has(stmt, "kw_table"):
        return "table"  # includes FOREIGN TABLE: it has columns the API can read
    return None


def _column_spec(ctx: _Ctx, coldef: Node, keys: list[KeySpec]) -> ColumnSpec | None:
    name_node = _kid(coldef, "ColId")
    if name_node is None:
        return None
    name = ctx.name(name_node)
    type_node = _kid(coldef, "Typename")
    typ = type_text(ctx.text(type_node)) if type_node is not None else ""
    serial = typ in _SERIAL_TYPES
    nullable, has_default = not serial, serial
    quals = _flatten(_kid(coldef, "ColQualList"), "ColQualList")
    for constraint in quals:
        elem = _kid(constraint, "ColConstraintElem")
        if elem is None:
            continue
        cname_node = _kid(constraint, "name")
        cname = ctx.name(cname_node) if cname_node is not None else None
        if _has(elem, "kw_not", "kw_null"):
            nullable = False
        elif _has(elem, "kw_null"):
            nullable = True
        elif _has(elem, "kw_primary"):
            nullable = False
            keys.append(KeySpec("primary", (name,), cname, ctx.prov(constraint)))
        elif _has(elem, "kw_unique"):
            keys.append(KeySpec("unique", (name,), cname, ctx.prov(constraint)))
        elif _has(elem, "kw_default"):
            has_default = True
        elif _has(elem, "kw_generated"):
            has_default = True
            if _has(elem, "kw_identity"):
                nullable = False  # identity columns are implicitly NOT NULL
    return ColumnSpec(name, typ, nullable, has_default, ctx.prov(coldef))


def _column_list(ctx: _Ctx, node: Node | None) -> tuple[str, ...]:
    if node is None:
        return ()
    return tuple(ctx.name(elem) for elem in _find_all(node, "columnElem"))


def _table_key(ctx: _Ctx, tcons: Node) -> KeySpec | None:
    """PRIMARY KEY / UNIQUE from a TableConstraint node; other constraints are not modelled."""
    elem = _kid(tcons, "ConstraintElem")
    if elem is None:
        return None
    name_node = _kid(tcons, "name")
    cname = ctx.name(name_node) if name_node is not None else None
    cols = _column_list(ctx, _kid(elem, "columnList"))
    if not cols:
        return None  # e.g. UNIQUE USING INDEX: columns unknown
    if _has(elem, "kw_primary"):
        return KeySpec("primary", cols, cname, ctx.prov(tcons))
    if _has(elem, "kw_unique"):
        return KeySpec("unique", cols, cname, ctx.prov(tcons))
    return None


def _create_table(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    if _is_temp(stmt):
        return  # temporary tables vanish with the migration session
    names = list(_kids(stmt, "qualified_name"))
    if not names:
        return
    columns: list[ColumnSpec | CopyColumns] = []
    keys: list[KeySpec] = []
    complete = not _has(stmt, "kw_of") or _has(stmt, "kw_partition")
    inherit = _kid(stmt, "OptInherit")
    if inherit is not None:  # inherited columns come first
        for parent in _find_all(inherit, "qualified_name"):
            columns.append(CopyColumns(ctx.qname(parent), ctx.prov(parent)))
    if _has(stmt, "kw_partition") and len(names) > 1:
        columns.append(CopyColumns(ctx.qname(names[1]), ctx.prov(names[1])))
    for element in _flatten(_kid(stmt, "OptTableElementList"), "TableElementList"):
        inner = element.named_children[0] if element.named_children else element
        if inner.type == "columnDef":
            spec = _column_spec(ctx, inner, keys)
            if spec is not None:
                columns.append(spec)
        elif inner.type == "TableConstraint":
            key = _table_key(ctx, inner)
            if key is not None:
                keys.append(key)
        elif inner.type == "TableLikeClause":
            like = _kid(inner, "qualified_name")
            if like is not None:
                columns.append(CopyColumns(ctx.qname(like), ctx.prov(like)))
    emit(
        CreateTable(
            ctx.prov(stmt),
            ctx.qname(names[0]),
            tuple(columns),
            tuple(keys),
            _has(stmt, "kw_if"),
            complete,
            ctx.prov(names[0]),
        )
    )


def _is_temp(stmt: Node) -> bool:
    opt_temp = _find(stmt, "OptTemp", stop=frozenset({"SelectStmt", "OptTableElementList"}))
    return opt_temp is not None and not _has(opt_temp, "kw_unlogged")


def _create_table_as(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    target = _kid(stmt, "create_as_target")
    name = _find(target, "qualified_name") if target is not None else None
    if target is None or name is None or _is_temp(stmt):
        return
    select = _kid(stmt, "SelectStmt")
    col_list = _kid(target, "opt_column_list")
    if col_list is not None:
        names = list(_column_list(ctx, col_list))
    else:
        names = [t.name for t in _view_targets(ctx, select) if t.name] if select is not None else []
    cols = tuple(ColumnSpec(col, "", True, False, ctx.prov(stmt)) for col in names)
    emit(CreateTable(ctx.prov(stmt), ctx.qname(name), cols, (), _has(stmt, "kw_if"), False, ctx.prov(name)))


# --- views


def _reloptions(ctx: _Ctx, node: Node | None) -> tuple[tuple[str, str | None], ...]:
    if node is None:
        return ()
    out: list[tuple[str, str | None]] = []
    for elem in _find_all(node, "reloption_elem"):
        labels = [ctx.name(c) for c in elem.children if c.type == "ColLabel"]
        value = _kid(elem, "def_arg")
        key = ".".join(labels)
        out.append((key, _string_value(ctx, value) if value is not None else None))
    return tuple(out)


_SELECT_WRAPPERS = frozenset({"SelectStmt", "select_no_parens", "select_with_parens", "select_clause"})


def _main_select(select: Node) -> Node | None:
    """The simple_select that names the output columns (the first arm of a UNION, not a CTE)."""
    node: Node | None = select
    while node is not None:
        if node.type == "simple_select" and _has(node, "kw_select"):
            return node
        nxt = None
        for child in node.children:
            if child.type in _SELECT_WRAPPERS or child.type == "simple_select":
                nxt = child
                break
        node = nxt
    return None


def _target_name(ctx: _Ctx, target: Node) -> str | None:
    """The output column name Postgres gives a target (alias, column name, function name)."""
    for label_type in ("ColLabel", "BareColLabel"):
        label = _kid(target, label_type)
        if label is not None:
            return ctx.name(label)
    expr = _kid(target, "a_expr")
    while expr is not None:
        named = [c for c in expr.named_children if c.type != "comment"]
        if not named:
            return "?column?"
        head = named[0]
        if head.type == "columnref":
            return split_name(ctx.text(head))[-1]
        if head.type == "func_expr":
            fname = _find(head, "func_name")
            return split_name(ctx.text(fname))[-1] if fname is not None else None
        if len(named) == 1 or (len(named) == 2 and named[1].type == "Typename"):
            expr = head  # a_expr -> a_expr / c_expr chains and `x::type` casts keep the name
            continue
        return "?column?"
    return None


def _from_aliases(ctx: _Ctx, select: Node) -> tuple[dict[str, QName], list[QName]]:
    """alias -> relation and the top-level FROM relations of one simple_select."""
    aliases: dict[str, QName] = {}
    direct: list[QName] = []
    from_clause = _kid(select, "from_clause")
    if from_clause is None:
        return aliases, direct
    for ref in _find_all(from_clause, "table_ref", stop=frozenset({"select_with_parens"}), nested=True):
        rel = _kid(ref, "relation_expr")
        qn = _find(rel, "qualified_name") if rel is not None else None
        if qn is None:
            continue
        relation = ctx.qname(qn)
        direct.append(relation)
        aliases[relation[1]] = relation
        alias = _kid(ref, "opt_alias_clause")
        col = _find(alias, "ColId") if alias is not None else None
        if col is not None:
            aliases[ctx.name(col)] = relation
    return aliases, direct


def _view_targets(ctx: _Ctx, select: Node) -> list[ViewTarget]:
    """Output columns of a SELECT (stars resolved to a relation where the FROM allows)."""
    main = _main_select(select)
    if main is None:
        return []
    aliases, direct = _from_aliases(ctx, main)
    out: list[ViewTarget] = []
    for target in _flatten(_kid(main, "opt_target_list"), "target_list"):
        if target.type != "target_el":
            continue
        text = ctx.text(target).strip()
        prov = ctx.prov(target)
        if text == "*":
            star = direct[0] if len(direct) == 1 else None
            out.append(ViewTarget(None, star, prov))
        elif text.endswith("*") and _kid(target, "ColLabel") is None:
            qualifier = split_name(text[:-1].rstrip(". \t\n"))
            out.append(ViewTarget(None, aliases.get(qualifier[-1]) if qualifier else None, prov))
        else:
            out.append(ViewTarget(_target_name(ctx, target), None, prov))
    return out


_SOURCE_STOP = frozenset({"common_table_expr"})


def _view_sources(ctx: _Ctx, select: Node) -> tuple[SourceRef, ...]:
    ctes = {ctx.name(n) for cte in _find_all(select, "common_table_expr") if (n := _kid(cte, "name"))}
    seen: set[QName] = set()
    out: list[SourceRef] = []
    for cte in _find_all(select, "common_table_expr"):
        out.extend(_sources_in(ctx, cte, ctes, seen))
    out.extend(_sources_in(ctx, select, ctes, seen))
    return tuple(out)


def _sources_in(ctx: _Ctx, node: Node, ctes: set[str], seen: set[QName]) -> Iterator[SourceRef]:
    for rel in _find_all(node, "relation_expr", stop=_SOURCE_STOP):
        qn = _find(rel, "qualified_name")
        if qn is None:
            continue
        parts = split_name(ctx.text(qn))
        if len(parts) == 1 and parts[0] in ctes:
            continue
        relation = qualify(parts)
        if relation not in seen:
            seen.add(relation)
            yield SourceRef(relation, ctx.prov(qn))


def _create_view(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    name = _relation_node(stmt)
    select = _kid(stmt, "SelectStmt")
    if name is None:
        return
    kind: RelKind = "matview" if stmt.type == "CreateMatViewStmt" else "view"
    holder = _kid(stmt, "create_mv_target") or stmt
    options = _reloptions(ctx, _kid(holder, "opt_reloptions"))
    col_list = _kid(holder, "opt_column_list")
    targets: list[ViewTarget] = []
    if select is not None:
        targets = _view_targets(ctx, select)
    if col_list is not None:  # explicit names override the first len(names) targets
        elems = list(_find_all(col_list, "columnElem"))
        named = [ViewTarget(ctx.name(el), None, ctx.prov(el)) for el in elems]
        targets = named + targets[len(named) :]
    emit(
        CreateView(
            ctx.prov(stmt),
            ctx.qname(name),
            kind,
            _has(stmt, "kw_or") or _has(stmt, "opt_or_replace"),
            _has(stmt, "kw_if"),
            options,
            _view_sources(ctx, select) if select is not None else (),
            tuple(targets),
            ctx.prov(name),
        )
    )


# --- ALTER TABLE / VIEW


def _alter_table(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    kind = _relation_kind(stmt)
    name = _relation_node(stmt)
    if kind is None or name is None:
        return
    relation = ctx.qname(name)
    prov = ctx.prov(stmt)
    for cmd in _flatten(_kid(stmt, "alter_table_cmds"), "alter_table_cmds"):
        if _has(cmd, "kw_add") and (coldef := _kid(cmd, "columnDef")) is not None:
            _alter_add_column(ctx, cmd, coldef, relation, prov, emit)
            continue
        effect = _alter_table_cmd(ctx, cmd, relation, prov)
        if effect is not None:
            emit(effect)


def _alter_add_column(ctx: _Ctx, cmd: Node, coldef: Node, relation: QName, prov: Provenance, emit: _Emit) -> None:
    keys: list[KeySpec] = []
    spec = _column_spec(ctx, coldef, keys)
    if spec is None:
        return
    emit(AddColumn(prov, relation, spec, _has(cmd, "kw_if")))
    for key in keys:  # ADD COLUMN id int PRIMARY KEY / UNIQUE
        emit(AddKey(prov, relation, key))


def _alter_table_cmd(ctx: _Ctx, cmd: Node, relation: QName, prov: Provenance) -> Effect | None:
    first = cmd.children[0].type if cmd.children else ""
    if first in ("kw_enable", "kw_disable") and _has(cmd, "kw_row", "kw_level", "kw_security"):
        return SetRowSecurity(prov, relation, enabled=first == "kw_enable", clause=ctx.prov(cmd))
    if _has(cmd, "kw_force", "kw_row", "kw_level", "kw_security"):
        return SetRowSecurity(prov, relation, forced=not _has(cmd, "kw_no"), clause=ctx.prov(cmd))
    if first == "kw_add":
        return _alter_add(ctx, cmd, relation, prov)
    if first == "kw_drop":
        return _alter_drop(ctx, cmd, relation, prov)
    if first == "kw_alter":
        return _alter_column(ctx, cmd, relation, prov)
    if first in ("kw_set", "kw_reset") and (opts := _kid(cmd, "reloptions")) is not None:
        return SetRelOptions(prov, relation, _reloptions(ctx, opts), reset=first == "kw_reset")
    return None


def _alter_add(ctx: _Ctx, cmd: Node, relation: QName, prov: Provenance) -> Effect | None:
    tcons = _kid(cmd, "TableConstraint")
    key = _table_key(ctx, tcons) if tcons is not None else None
    return AddKey(prov, relation, key) if key is not None else None


def _alter_drop(ctx: _Ctx, cmd: Node, relation: QName, prov: Provenance) -> Effect | None:
    if _has(cmd, "kw_constraint"):
        name = _kid(cmd, "name")
        return DropConstraint(prov, relation, ctx.name(name)) if name is not None else None
    col = _kid(cmd, "ColId")
    return DropColumn(prov, relation, ctx.name(col)) if col is not None else None


def _alter_column(ctx: _Ctx, cmd: Node, relation: QName, prov: Provenance) -> Effect | None:
    col_node = _kid(cmd, "ColId")
    if col_node is None:
        return None
    col = ctx.name(col_node)
    if _has(cmd, "kw_not", "kw_null"):
        return AlterColumn(prov, relation, col, nullable=_has(cmd, "kw_drop"))
    default = _kid(cmd, "alter_column_default")
    if default is not None:
        return AlterColumn(prov, relation, col, has_default=_has(default, "kw_set"))
    if _has(cmd, "kw_type") and (typ := _kid(cmd, "Typename")) is not None:
        return AlterColumn(prov, relation, col, type=type_text(ctx.text(typ)))
    if _has(cmd, "kw_add", "kw_generated"):
        return AlterColumn(prov, relation, col, has_default=True, nullable=False)
    return None


# --- RENAME, SET SCHEMA, DROP


def _rename(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    prov = ctx.prov(stmt)
    if _has(stmt, "kw_policy"):
        names = list(_kids(stmt, "name"))
        table = _kid(stmt, "qualified_name")
        if len(names) == 2 and table is not None:
            emit(RenamePolicy(prov, ctx.qname(table), ctx.name(names[0]), ctx.name(names[1])))
        return
    if _has(stmt, "kw_function") or _has(stmt, "kw_procedure") or _has(stmt, "kw_routine"):
        func = _kid(stmt, "function_with_argtypes")
        new = _kid(stmt, "name")
        if func is not None and new is not None:
            emit(RenameFunction(prov, _func_ref(ctx, func), ctx.name(new)))
        return
    kind, rel = _relation_kind(stmt), _relation_node(stmt)
    if kind is None or rel is None or _has(stmt, "kw_constraint"):
        return
    relation = ctx.qname(rel)
    names = list(_kids(stmt, "name"))
    if len(names) == 1:
        emit(RenameRelation(prov, relation, ctx.name(names[0])))
    elif len(names) == 2:
        emit(RenameColumn(prov, relation, ctx.name(names[0]), ctx.name(names[1])))


def _set_schema(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    new = _kid(stmt, "name")
    if new is None:
        return
    prov = ctx.prov(stmt)
    func = _kid(stmt, "function_with_argtypes")
    if func is not None:
        emit(SetFunctionSchema(prov, _func_ref(ctx, func), ctx.name(new)))
        return
    rel = _relation_node(stmt)
    if _relation_kind(stmt) is not None and rel is not None:
        emit(SetRelationSchema(prov, ctx.qname(rel), ctx.name(new)))


def _drop(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    prov = ctx.prov(stmt)
    any_type = _kid(stmt, "object_type_any_name")
    if any_type is not None:
        names = _flatten(_kid(stmt, "any_name_list"), "any_name_list")
        if _has(any_type, "kw_type"):
            for n in names:
                emit(DropType(prov, ctx.qname(n)))
            return
        kind = _relation_kind(any_type)
        if kind is None:
            return
        for n in names:
            emit(DropRelation(prov, ctx.qname(n), kind))
        return
    on_type = _kid(stmt, "object_type_name_on_any_name")
    if on_type is not None and _has(on_type, "kw_policy"):
        name, table = _kid(stmt, "name"), _kid(stmt, "any_name")
        if name is not None and table is not None:
            emit(DropPolicy(prov, ctx.qname(table), ctx.name(name)))
    if _has(stmt, "kw_type") and (type_list := _kid(stmt, "type_name_list")) is not None:
        for typ in _find_all(type_list, "Typename"):
            emit(DropType(prov, ctx.qname(typ)))


# --- policies


def _roles(ctx: _Ctx, node: Node | None) -> tuple[str, ...]:
    if node is None:
        return ()
    return tuple(ctx.name(r) for r in _find_all(node, "RoleSpec"))


def _policy_expr(ctx: _Ctx, node: Node | None) -> tuple[str | None, Provenance | None]:
    expr = _kid(node, "a_expr") if node is not None else None
    if expr is None:
        return None, None
    return ctx.text(expr), ctx.prov(expr)


def _create_policy(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    name, table = _kid(stmt, "name"), _kid(stmt, "qualified_name")
    if name is None or table is None:
        return
    permissive_node = _kid(stmt, "RowSecurityDefaultPermissive")
    permissive = permissive_node is None or ctx.text(permissive_node).split()[-1].lower() != "restrictive"
    cmd_node = _find(stmt, "row_security_cmd")
    command = ctx.text(cmd_node).lower() if cmd_node is not None else "all"
    roles = _roles(ctx, _kid(stmt, "RowSecurityDefaultToRole")) or ("public",)
    using, using_prov = _policy_expr(ctx, _kid(stmt, "RowSecurityOptionalExpr"))
    check, check_prov = _policy_expr(ctx, _kid(stmt, "RowSecurityOptionalWithCheck"))
    policy = Policy(
        ctx.name(name), command, permissive, roles, using, using_prov, check, check_prov,
        ctx.prov(stmt), ctx.prov(name),
    )  # fmt: skip
    emit(CreatePolicy(ctx.prov(stmt), ctx.qname(table), policy))


def _alter_policy(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    name, table = _kid(stmt, "name"), _kid(stmt, "qualified_name")
    if name is None or table is None:
        return
    roles = _roles(ctx, _kid(stmt, "RowSecurityOptionalToRole")) or None
    using, using_prov = _policy_expr(ctx, _kid(stmt, "RowSecurityOptionalExpr"))
    check, check_prov = _policy_expr(ctx, _kid(stmt, "RowSecurityOptionalWithCheck"))
    emit(AlterPolicy(ctx.prov(stmt), ctx.qname(table), ctx.name(name), roles, using, using_prov, check, check_prov))


# --- functions


def _arg_types(ctx: _Ctx, args: list[Node]) -> tuple[str, ...]:
    """Identity argument types: OUT arguments are not part of a signature."""
    out: list[str] = []
    for arg in args:
        func_arg = arg if arg.type == "func_arg" else _kid(arg, "func_arg")
        if func_arg is None:
            continue
        mode = _kid(func_arg, "arg_class")
        if mode is not None and _has(mode, "kw_out") and not _has(mode, "kw_in"):
            continue
        ftype = _kid(func_arg, "func_type")
        if ftype is not None:
            out.append(canonical_type(ctx.text(ftype)))
    return tuple(out)


def _func_ref(ctx: _Ctx, node: Node) -> FuncRef:
    fname = _kid(node, "func_name")
    args = _kid(node, "func_args")
    name_text = ctx.text(fname) if fname is not None else ctx.text(node)
    schema, name = qualify(split_name(name_text))
    if args is None:
        return FuncRef(schema, name, None)
    return FuncRef(schema, name, _arg_types(ctx, _flatten(_kid(args, "func_args_list"), "func_args_list")))


def _search_path_clause(ctx: _Ctx, clause: Node) -> tuple[bool, str | None] | None:
    """(set?, value) for a FunctionSetResetClause on search_path; None for other settings."""
    var = _find(clause, "var_name")
    if _find(clause, "kw_all") is not None and var is None:
        return (False, None)  # RESET ALL
    if var is None or ctx.name(var) != "search_path":
        return None
    if _find(clause, "VariableResetStmt") is not None:
        return (False, None)
    generic = _find(clause, "generic_set")
    if generic is not None and _has(generic, "kw_default"):
        return (False, None)  # SET ... TO DEFAULT removes the setting
    values = _find(clause, "var_list")
    if values is not None:
        return (True, normalize_sql(ctx.text(values)))
    return (True, "from current")


def _create_function(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    fname = _kid(stmt, "func_name")
    if fname is None:
        return
    schema, name = qualify(split_name(ctx.text(fname)))
    args = _flatten(_kid(stmt, "func_args_with_defaults"), "func_args_with_defaults_list")
    args = [a for a in args if a.type == "func_arg_with_default"]
    language, security_definer, search_path = "", False, None
    security_prov: Provenance | None = None
    search_path_prov: Provenance | None = None
    body_prov: Provenance | None = None
    for item in _flatten(_kid(stmt, "opt_createfunc_opt_list"), "createfunc_opt_list"):
        if _has(item, "kw_language") and (lang := _kid(item, "NonReservedWord_or_Sconst")) is not None:
            language = _string_value(ctx, lang).lower()
        elif (func_as := _kid(item, "func_as")) is not None:
            body = _find(func_as, "Sconst")
            body_prov = ctx.prov(body or func_as)
        elif (common := _kid(item, "common_func_opt_item")) is not None:
            if _has(common, "kw_security"):
                security_definer = _has(common, "kw_definer")
                security_prov = ctx.prov(common)
            elif (clause := _kid(common, "FunctionSetResetClause")) is not None:
                sp = _search_path_clause(ctx, clause)
                if sp is not None:
                    search_path = sp[1] if sp[0] else None
                    search_path_prov = ctx.prov(common) if sp[0] else None
    routine_body = _kid(stmt, "opt_routine_body")
    if routine_body is not None:
        body_prov = ctx.prov(routine_body)
        language = language or "sql"
    kind: Literal["function", "procedure"] = "procedure" if _has(stmt, "kw_procedure") else "function"
    emit(
        CreateFunction(
            ctx.prov(stmt),
            schema,
            name,
            _arg_types(ctx, args),
            kind,
            _has(stmt, "opt_or_replace"),
            language,
            security_definer,
            search_path,
            _returns_text(ctx, stmt),
            ctx.prov(fname),
            security_prov,
            search_path_prov,
            body_prov,
        )
    )


def _returns_text(ctx: _Ctx, stmt: Node) -> str:
    ret = _kid(stmt, "func_return")
    if ret is not None:
        return type_text(ctx.text(ret))
    cols = _kid(stmt, "table_func_column_list")
    if cols is not None:
        return f"table({type_text(ctx.text(cols))})"
    return "void"


def _alter_function(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    func = _kid(stmt, "function_with_argtypes")
    if func is None:
        return
    ref = _func_ref(ctx, func)
    for item in _flatten(_kid(stmt, "alterfunc_opt_list"), "alterfunc_opt_list"):
        common = item if item.type == "common_func_opt_item" else _find(item, "common_func_opt_item")
        if common is None:
            continue
        prov, clause_prov = ctx.prov(stmt), ctx.prov(common)
        if _has(common, "kw_security"):
            emit(AlterFunction(prov, ref, clause_prov, security_definer=_has(common, "kw_definer")))
        elif (clause := _kid(common, "FunctionSetResetClause")) is not None:
            sp = _search_path_clause(ctx, clause)
            if sp is not None:
                change: Literal["set", "reset"] = "set" if sp[0] else "reset"
                emit(AlterFunction(prov, ref, clause_prov, search_path_change=change, search_path=sp[1]))


def _drop_function(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    for func in _flatten(_kid(stmt, "function_with_argtypes_list"), "function_with_argtypes_list"):
        emit(DropFunction(ctx.prov(stmt), _func_ref(ctx, func)))


# --- privileges


def _privileges(ctx: _Ctx, node: Node | None) -> frozenset[str] | None:
    """Privilege words; None for ALL [PRIVILEGES]. Column-level privileges are left out."""
    if node is None:
        return frozenset()
    if _has(node, "kw_all"):
        return None
    words: set[str] = set()
    for priv in _flatten(_kid(node, "privilege_list"), "privilege_list"):
        if _kid(priv, "opt_column_list") is not None:
            continue
        words.add(normalize_sql(ctx.text(priv)))
    return frozenset(words)


def _grant(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    grant = stmt.type == "GrantStmt"
    if not grant and _has(stmt, "kw_option"):
        return  # REVOKE GRANT OPTION FOR keeps the privilege itself
    target = _kid(stmt, "privilege_target")
    privileges = _privileges(ctx, _kid(stmt, "privileges"))
    if target is None:
        return
    roles = _roles(ctx, _kid(stmt, "grantee_list"))
    prov = ctx.prov(stmt)
    schemas = tuple(ctx.name(n) for n in _find_all(target, "name")) if _has(target, "kw_in") else ()
    if _has(target, "kw_function") or _has(target, "kw_procedure") or _has(target, "kw_routine"):
        if privileges is None or "execute" in privileges:
            funcs = _flatten(_kid(target, "function_with_argtypes_list"), "function_with_argtypes_list")
            emit(FunctionPrivilege(prov, tuple(_func_ref(ctx, f) for f in funcs), (), roles, grant))
    elif _has(target, "kw_functions") or _has(target, "kw_routines") or _has(target, "kw_procedures"):
        if privileges is None or "execute" in privileges:
            emit(FunctionPrivilege(prov, (), schemas, roles, grant))
    elif _has(target, "kw_tables"):
        emit(TablePrivilege(prov, (), schemas, privileges or TABLE_PRIVILEGES, roles, grant))
    elif (tables := _kid(target, "qualified_name_list")) is not None and not _has_other_target(target):
        relations = tuple(ctx.qname(q) for q in _flatten(tables, "qualified_name_list"))
        emit(TablePrivilege(prov, relations, (), privileges or TABLE_PRIVILEGES, roles, grant))


def _has_other_target(target: Node) -> bool:
    """GRANT ON SEQUENCE/SCHEMA/... shares the qualified_name_list shape with tables."""
    return any(c.type.startswith("kw_") and c.type != "kw_table" for c in target.children)


def _default_privileges(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    schemas: list[str] = []
    for opt in _find_all(stmt, "DefACLOption"):
        if _has(opt, "kw_in"):
            schemas.extend(ctx.name(n) for n in _find_all(opt, "name"))
        elif "postgres" not in _roles(ctx, _kid(opt, "role_list")):
            # FOR ROLE x only affects objects x creates; migrations run as postgres.
            return
    action = _kid(stmt, "DefACLAction")
    target = _kid(action, "defacl_privilege_target") if action is not None else None
    if action is None or target is None or (_has(action, "kw_revoke") and _has(action, "kw_option")):
        return
    object_type: Literal["tables", "functions"]
    if _has(target, "kw_tables"):
        object_type = "tables"
    elif _has(target, "kw_functions") or _has(target, "kw_routines"):
        object_type = "functions"
    else:
        return
    privileges = _privileges(ctx, _kid(action, "privileges"))
    if privileges is None:
        privileges = TABLE_PRIVILEGES if object_type == "tables" else frozenset({"execute"})
    roles = _roles(ctx, _kid(action, "grantee_list"))
    emit(DefaultPrivilege(ctx.prov(stmt), object_type, tuple(schemas), privileges, roles, _has(action, "kw_grant")))


# --- types


def _define(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    if not _has(stmt, "kw_enum"):
        return
    name = _kid(stmt, "any_name")
    if name is None:
        return
    labels = tuple(_string_value(ctx, s) for s in _find_all(stmt, "Sconst"))
    emit(CreateEnum(ctx.prov(stmt), ctx.qname(name), labels))


def _alter_enum(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    name, label = _kid(stmt, "any_name"), _kid(stmt, "Sconst")
    if name is not None and label is not None and _has(stmt, "kw_add"):
        emit(AddEnumValue(ctx.prov(stmt), ctx.qname(name), _string_value(ctx, label)))


# --- DO blocks


def _do(ctx: _Ctx, stmt: Node, emit: _Emit) -> None:
    body: Node | None = None
    language = "plpgsql"
    for item in _flatten(_kid(stmt, "dostmt_opt_list"), "dostmt_opt_list"):
        if _has(item, "kw_language") and (lang := _kid(item, "NonReservedWord_or_Sconst")) is not None:
            language = _string_value(ctx, lang).lower()
        elif (const := _kid(item, "Sconst")) is not None:
            body = const
    if body is None or language != "plpgsql":
        return
    rng = _dollar_body(ctx, body)
    if rng is None:
        return
    sub = _Ctx(ctx.path, ctx.src[rng[0] : rng[1]], ctx.base + rng[0])
    tree = _pl_parser().parse(sub.src)
    for sql in _plpgsql_sql(sub, tree.root_node):
        _extract_statements(sql, _sql_parser().parse(sql.src).root_node, emit, None)


def _plpgsql_sql(ctx: _Ctx, root: Node) -> Iterator[_Ctx]:
    """Static SQL statements of a PL/pgSQL block (also EXECUTE of a plain string literal)."""
    for node in _find_all(root, "sql_expression"):
        parent = node.parent
        if parent is None:
            continue
        if parent.type == "stmt_execsql":
            yield _Ctx(ctx.path, ctx.src[node.start_byte : node.end_byte], ctx.base + node.start_byte)
        elif parent.type == "stmt_dynexecute":
            rng = _dollar_body(ctx, node)
            if rng is not None:
                yield _Ctx(ctx.path, ctx.src[rng[0] : rng[1]], ctx.base + rng[0])


# ---------------------------------------------------------------------------------------------
# Driver

_HANDLERS: dict[str, _Handler] = {
    "CreateStmt": _create_table,
    "CreateAsStmt": _create_table_as,
    "ViewStmt": _create_view,
    "CreateMatViewStmt": _create_view,
    "AlterTableStmt": _alter_table,
    "RenameStmt": _rename,
    "AlterObjectSchemaStmt": _set_schema,
    "DropStmt": _drop,
    "CreatePolicyStmt": _create_policy,
    "AlterPolicyStmt": _alter_policy,
    "CreateFunctionStmt": _create_function,
    "AlterFunctionStmt": _alter_function,
    "RemoveFuncStmt": _drop_function,
    "GrantStmt": _grant,
    "RevokeStmt": _grant,
    "AlterDefaultPrivilegesStmt": _default_privileges,
    "DefineStmt": _define,
    "AlterEnumStmt": _alter_enum,
    "DoStmt": _do,
}


def _statements(root: Node) -> Iterator[Node]:
    """Top-level statement nodes and ERROR nodes, in order."""
    for child in root.children:
        if child.type == "ERROR" or (child.type == "toplevel_stmt" and child.has_error):
            yield child
        elif child.type == "toplevel_stmt":
            stmt = _kid(child, "stmt")
            inner = stmt.named_children if stmt is not None else child.named_children
            for node in inner:
                if node.type != "comment":
                    yield node
                    break


def _extract_statements(ctx: _Ctx, root: Node, emit: _Emit, facts: MigrationFacts | None) -> None:
    for stmt in _statements(root):
        if stmt.has_error or stmt.type in ("ERROR", "toplevel_stmt"):
            if facts is not None:
                facts.errors.append(ctx.prov(stmt))
            continue
        handler = _HANDLERS.get(stmt.type)
        if handler is None:
            continue
        pending: list[Effect] = []
        try:
            handler(ctx, stmt, pending.append)
        except (ValueError, IndexError, AttributeError, TypeError, UnicodeError):
            # An unforeseen tree shape must cost this one statement, never the whole file.
            if facts is not None:
                facts.skipped.append(ctx.prov(stmt))
            continue
        for effect in pending:
            emit(effect)


def parse_migration(path: str, source: bytes) -> MigrationFacts:
    """Effects of one migration file, in statement order. Never raises on bad SQL."""
    facts = MigrationFacts(path)
    tree = _sql_parser().parse(source)
    _extract_statements(_Ctx(path, source, 0), tree.root_node, facts.effects.append, facts)
    return facts
