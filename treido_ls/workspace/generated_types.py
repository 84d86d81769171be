"""Tables, views and enums from Supabase's generated `database.types.ts` (tree-sitter-typescript).

The file has the shape
`export type Database = { <schema>: { Tables: { <name>: { Row: {...}; Insert: {...}; ... } };
Views: {...}; Functions: {...}; Enums: {...} } }` (older generators use `export interface`).
Column types are kept as TypeScript text (`string`, `Json`, `Database["public"]["Enums"]["x"]`)
with `| null` split off into `nullable`. Byte ranges point at the `Row` property.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from treido_ls.parsing import Lang, parser


@dataclass(frozen=True, slots=True)
class GeneratedColumn:
    name: str
    type: str  # TypeScript type text without the `null` member
    nullable: bool
    start: int  # byte range of the property in `Row`
    end: int
    insert_optional: bool | None = None  # `col?:` in `Insert` (None: no Insert type)


@dataclass(slots=True)
class GeneratedTable:
    schema: str
    name: str
    kind: str  # table | view
    columns: dict[str, GeneratedColumn] = field(default_factory=dict)
    start: int = 0  # byte range of the table's property
    end: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.schema, self.name)


@dataclass(slots=True)
class GeneratedDatabase:
    tables: dict[tuple[str, str], GeneratedTable] = field(default_factory=dict)
    enums: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    functions: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # name -> args


def _text(src: bytes, node: Node) -> str:
    return src[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _prop_name(src: bytes, prop: Node) -> str | None:
    name = prop.child_by_field_name("name")
    if name is None:
        return None
    if name.type == "string":
        return "".join(_text(src, c) for c in name.children if c.type == "string_fragment")
    return _text(src, name)


def _prop_type(prop: Node) -> Node | None:
    annotation = prop.child_by_field_name("type")
    if annotation is None:
        return None
    named = [c for c in annotation.named_children if c.type != "comment"]
    return named[0] if named else None


def _members(src: bytes, obj: Node | None) -> Iterator[tuple[str, Node, Node]]:
    """(name, property node, type node) for each property of an object type."""
    if obj is None or obj.type not in ("object_type", "interface_body"):
        return
    for prop in obj.named_children:
        if prop.type != "property_signature":
            continue
        name, typ = _prop_name(src, prop), _prop_type(prop)
        if name is not None and typ is not None:
            yield name, prop, typ


def _member(src: bytes, obj: Node | None, wanted: str) -> Node | None:
    for name, _prop, typ in _members(src, obj):
        if name == wanted:
            return typ
    return None


def _union_members(node: Node) -> list[Node]:
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "union_type":
            stack.extend(reversed([c for c in current.named_children if c.type != "comment"]))
        else:
            out.append(current)
    return out


def _split_null(src: bytes, typ: Node) -> tuple[str, bool]:
    members = _union_members(typ)
    rest = [m for m in members if _text(src, m).strip() != "null"]
    nullable = len(rest) != len(members)
    return " | ".join(_text(src, m).strip() for m in rest), nullable


def _database_node(root: Node) -> Node | None:
    """The object type of `Database` (type alias or interface), exported or not."""
    stack = list(root.named_children)
    while stack:
        node = stack.pop(0)
        if node.type == "export_statement":
            stack.extend(node.named_children)
            continue
        name = node.child_by_field_name("name")
        if name is None or name.text != b"Database":
            continue
        if node.type == "type_alias_declaration":
            return node.child_by_field_name("value")
        if node.type == "interface_declaration":
            return node.child_by_field_name("body")
    return None


def _table(src: bytes, schema: str, name: str, kind: str, prop: Node, obj: Node) -> GeneratedTable:
    table = GeneratedTable(schema, name, kind, start=prop.start_byte, end=prop.end_byte)
    insert = _member(src, obj, "Insert")
    optional = {n: _is_optional(p) for n, p, _t in _members(src, insert)}
    for col, col_prop, typ in _members(src, _member(src, obj, "Row")):
        text, nullable = _split_null(src, typ)
        table.columns[col] = GeneratedColumn(
            col, text, nullable, col_prop.start_byte, col_prop.end_byte,
            optional.get(col) if insert is not None else None,
        )  # fmt: skip
    return table


def _is_optional(prop: Node) -> bool:
    return any(c.type == "?" for c in prop.children)


def _enum_labels(src: bytes, typ: Node) -> tuple[str, ...]:
    labels: list[str] = []
    for member in _union_members(typ):
        text = _text(src, member).strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            labels.append(text[1:-1])
    return tuple(labels)


def parse_generated_database(source: bytes) -> GeneratedDatabase:
    """Everything we read from database.types.ts; empty when the file has no `Database` type."""
    db = GeneratedDatabase()
    root = parser(Lang.TYPESCRIPT).parse(source).root_node
    database = _database_node(root)
    for schema, _prop, schema_obj in _members(source, database):
        for section, kind in (("Tables", "table"), ("Views", "view")):
            for name, prop, obj in _members(source, _member(source, schema_obj, section)):
                db.tables[(schema, name)] = _table(source, schema, name, kind, prop, obj)
        for name, _p, typ in _members(source, _member(source, schema_obj, "Enums")):
            db.enums[(schema, name)] = _enum_labels(source, typ)
        for name, _p, obj in _members(source, _member(source, schema_obj, "Functions")):
            args = _member(source, obj, "Args")
            db.functions[(schema, name)] = {a: _text(source, t) for a, _ap, t in _members(source, args)}
    return db


def parse_generated_types(source: bytes) -> dict[tuple[str, str], GeneratedTable]:
    """Tables and views of database.types.ts keyed by (schema, name). Never raises on bad input."""
    return parse_generated_database(source).tables
