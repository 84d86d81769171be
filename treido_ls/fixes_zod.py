"""Zod schemas from TypeScript types, for the validation fixes.

Only the subset zod 3 and zod 4 share is written (`z.string()`, `z.number()`, `z.boolean()`,
`z.literal()`, `z.enum([...])`, `z.union([...])`, `z.array()`, `z.object()`, `z.tuple()`,
`z.record(z.string(), ...)`, `z.coerce.date()`, `z.instanceof()`, `.nullable()`, `.optional()`), so the
result is valid whichever major the project declares. What the types cannot say (`unknown`, `any`, a
type from a package, generics) becomes `z.unknown()` with a `// TODO: describe` comment: a schema that
guesses would reject valid input or accept bad input silently.

Named types are looked up among the interfaces and type aliases of the same file, and of a project file
an import names (one level: that file's own declarations).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tree_sitter import Node

from treido_ls import syntax

TODO = "// TODO: describe"
_MAX_DEPTH = 12
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_PREDEFINED = {
    "string": "z.string()", "number": "z.number()", "boolean": "z.boolean()", "bigint": "z.bigint()",
    "null": "z.null()", "undefined": "z.undefined()", "never": "z.never()",
}
_INSTANCES = frozenset({"File", "Blob"})
_ARRAYS = frozenset({"Array", "ReadonlyArray"})


@dataclass(frozen=True, slots=True)
class Z:
    """A zod expression: a leaf (`z.string()`), an object (rendered one field a line) or a call around items."""

    kind: str  # "leaf" | "object" | "call"
    text: str = ""  # the leaf, or the call's head (`z.array(`)
    tail: str = ""  # the call's end (`)`, `])`)
    items: tuple[Z, ...] = ()
    fields: tuple[tuple[str, Z], ...] = ()
    todo: bool = False
    suffix: str = ""  # `.nullable()`, `.optional()`

    def with_suffix(self, suffix: str) -> Z:
        return Z(self.kind, self.text, self.tail, self.items, self.fields, self.todo, self.suffix + suffix)

    @property
    def is_object(self) -> bool:
        return self.kind == "object" and not self.suffix


def leaf(text: str, todo: bool = False) -> Z:
    return Z("leaf", text, todo=todo)


def unknown() -> Z:
    return leaf("z.unknown()", todo=True)


def obj(fields: list[tuple[str, Z]]) -> Z:
    return Z("object", fields=tuple(fields))


def call(head: str, items: list[Z], tail: str) -> Z:
    return Z("call", head, tail, tuple(items))


# -- named types ---------------------------------------------------------------------------------------


ImportedLookup = Callable[[str], "tuple[Node, TypeScope] | None"]


@dataclass
class TypeScope:
    """The interfaces and type aliases of one file, plus a lookup for names imported into it."""

    declarations: dict[str, Node] = field(default_factory=dict)
    imported: ImportedLookup | None = None

    @classmethod
    def of(cls, root: Node, imported: ImportedLookup | None = None) -> TypeScope:
        found: dict[str, Node] = {}
        for stmt in root.named_children:
            decl = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else stmt
            if decl is not None and decl.type in ("interface_declaration", "type_alias_declaration"):
                name = decl.child_by_field_name("name")
                if name is not None:
                    found.setdefault(syntax.text(name), decl)
        return cls(found, imported)

    def lookup(self, name: str) -> tuple[Node, TypeScope] | None:
        if name in self.declarations:
            return self.declarations[name], self
        return self.imported(name) if self.imported is not None else None


# -- types to zod -----------------------------------------------------------------------------------------


class ZodBuilder:
    def __init__(self, scope: TypeScope, quote: str = '"') -> None:
        self.scope = scope
        self.quote = quote

    def string(self, value: str) -> str:
        body = json.dumps(value, ensure_ascii=False)[1:-1]
        if self.quote == "'":
            body = body.replace('\\"', '"').replace("'", "\\'")
        return f"{self.quote}{body}{self.quote}"

    def of_type(self, node: Node | None, scope: TypeScope | None = None, depth: int = 0,
                seen: frozenset[str] = frozenset()) -> Z:
        scope = scope or self.scope
        if node is None or depth > _MAX_DEPTH:
            return unknown()
        kind = node.type
        if kind in ("type_annotation", "parenthesized_type", "readonly_type"):
            inner = node.named_children[-1] if node.named_children else None
            return self.of_type(inner, scope, depth + 1, seen)
        if kind == "predefined_type":
            text = syntax.text(node)
            return leaf(_PREDEFINED[text]) if text in _PREDEFINED else unknown()
        if kind == "literal_type":
            return self._literal(node)
        if kind == "union_type":
            return self._union(node, scope, depth, seen)
        if kind == "array_type":
            return call("z.array(", [self.of_type(node.named_children[0], scope, depth + 1, seen)], ")")
        if kind == "tuple_type":
            items = [self.of_type(c, scope, depth + 1, seen) for c in node.named_children]
            return call("z.tuple([", items, "])")
        if kind == "generic_type":
            return self._generic(node, scope, depth, seen)
        if kind in ("object_type", "interface_body"):
            return self._object(node, scope, depth, seen)
        if kind == "type_identifier":
            return self._named(syntax.text(node), scope, depth, seen)
        return unknown()

    def _literal(self, node: Node) -> Z:
        value = node.named_children[0] if node.named_children else None
        if value is None:
            return unknown()
        if value.type == "string":
            text = syntax.string_value(value)
            return leaf(f"z.literal({self.string(text)})") if text is not None else unknown()
        if value.type in ("number", "unary_expression", "true", "false"):
            return leaf(f"z.literal({syntax.text(node)})")
        if value.type in ("null", "undefined"):
            return leaf(_PREDEFINED[value.type])
        return unknown()

    def _union(self, node: Node, scope: TypeScope, depth: int, seen: frozenset[str]) -> Z:
        members = _union_members(node)
        texts = [syntax.text(m) for m in members]
        nullable, optional = "null" in texts, "undefined" in texts
        rest = [m for m, t in zip(members, texts, strict=True) if t not in ("null", "undefined")]
        strings = [syntax.string_value(m.named_children[0]) for m in rest
                   if m.type == "literal_type" and m.named_children and m.named_children[0].type == "string"]
        if {syntax.text(m) for m in rest} == {"true", "false"}:
            result = leaf("z.boolean()")
        elif rest and len(strings) == len(rest) and all(s is not None for s in strings):
            result = leaf("z.enum([" + ", ".join(self.string(s or "") for s in strings) + "])")
        elif len(rest) == 1:
            result = self.of_type(rest[0], scope, depth + 1, seen)
        elif rest:
            result = call("z.union([", [self.of_type(m, scope, depth + 1, seen) for m in rest], "])")
        else:
            result = leaf("z.null()") if nullable else leaf("z.undefined()")
            nullable = optional = False
        return result.with_suffix((".nullable()" if nullable else "") + (".optional()" if optional else ""))

    def _generic(self, node: Node, scope: TypeScope, depth: int, seen: frozenset[str]) -> Z:
        name = syntax.text(node.child_by_field_name("name"))
        args_node = node.child_by_field_name("type_arguments")
        args = [c for c in args_node.named_children if c.type != "comment"] if args_node is not None else []
        if name in _ARRAYS and len(args) == 1:
            return call("z.array(", [self.of_type(args[0], scope, depth + 1, seen)], ")")
        if name == "Record" and len(args) == 2:
            key = self.of_type(args[0], scope, depth + 1, seen)
            if key.kind != "leaf" or key.todo or key.text == "z.number()":
                key = leaf("z.string()")
            return call("z.record(", [key, self.of_type(args[1], scope, depth + 1, seen)], ")")
        return unknown()

    def _object(self, node: Node, scope: TypeScope, depth: int, seen: frozenset[str]) -> Z:
        fields: list[tuple[str, Z]] = []
        index: Z | None = None
        for member in node.named_children:
            if member.type == "property_signature":
                name = member.child_by_field_name("name")
                key = syntax.string_value(name) if name is not None and name.type == "string" else syntax.text(name)
                if not key or (name is not None and name.type not in ("property_identifier", "string")):
                    return unknown()
                value = self.of_type(member.child_by_field_name("type"), scope, depth + 1, seen)
                if any(child.type == "?" for child in member.children):
                    value = value.with_suffix(".optional()")
                fields.append((key, value))
            elif member.type == "index_signature":
                index = self.of_type(member.child_by_field_name("type") or member.named_children[-1], scope,
                                     depth + 1, seen)
            elif member.type in ("method_signature", "comment"):
                continue  # functions never arrive from a client
            else:
                return unknown()
        if index is not None and not fields:
            return call("z.record(", [leaf("z.string()"), index], ")")
        return obj(fields)

    def _named(self, name: str, scope: TypeScope, depth: int, seen: frozenset[str]) -> Z:
        if name == "Date":
            return leaf("z.coerce.date()")
        if name in _INSTANCES:
            return leaf(f"z.instanceof({name})")
        if name in seen:
            return unknown()  # a recursive type: z.lazy() is for the author to write
        found = scope.lookup(name)
        if found is None:
            return unknown()
        decl, decl_scope = found
        if decl.child_by_field_name("type_parameters") is not None:
            return unknown()
        inner_seen = seen | {name}
        if decl.type == "type_alias_declaration":
            return self.of_type(decl.child_by_field_name("value"), decl_scope, depth + 1, inner_seen)
        body = decl.child_by_field_name("body")
        result = self._object(body, decl_scope, depth + 1, inner_seen) if body is not None else unknown()
        return self._with_bases(decl, result, decl_scope, depth, inner_seen)

    def _with_bases(self, decl: Node, result: Z, scope: TypeScope, depth: int, seen: frozenset[str]) -> Z:
        """`interface A extends B`: B's fields first (unknown when B cannot be read)."""
        heritage = next((c for c in decl.named_children if c.type == "extends_type_clause"), None)
        if heritage is None or result.kind != "object":
            return result
        fields: list[tuple[str, Z]] = []
        for base in heritage.named_children:
            base_z = self.of_type(base, scope, depth + 1, seen) if base.type == "type_identifier" else unknown()
            if base_z.kind != "object":
                return unknown()
            fields += [f for f in base_z.fields if f[0] not in dict(result.fields)]
        return obj(fields + list(result.fields))


def _union_members(node: Node) -> list[Node]:
    members: list[Node] = []
    for child in node.named_children:
        if child.type == "union_type":
            members += _union_members(child)
        else:
            members.append(child)
    return members


# -- rendering ------------------------------------------------------------------------------------------


def property_key(name: str, quote: str = '"') -> str:
    if _IDENTIFIER.match(name):
        return name
    return ZodBuilder(TypeScope(), quote).string(name)


def render(z: Z, indent: str, unit: str, newline: str = "\n", quote: str = '"') -> str:
    """Zod source for `z`, objects one field a line at `indent + unit`, TODO comments at line ends."""
    if z.kind == "leaf":
        return z.text + z.suffix
    if z.kind == "call":
        return z.text + ", ".join(render(i, indent, unit, newline, quote) for i in z.items) + z.tail + z.suffix
    if not z.fields:
        return "z.object({})" + z.suffix
    inner = indent + unit
    lines = []
    for key, value in z.fields:
        comment = f" {TODO}" if line_todo(value) else ""
        lines.append(f"{inner}{property_key(key, quote)}: {render(value, inner, unit, newline, quote)},{comment}")
    return "z.object({" + newline + newline.join(lines) + newline + indent + "})" + z.suffix


def line_todo(z: Z) -> bool:
    """Does the line that ends this expression need the TODO (objects carry their own, per field)?"""
    if z.kind == "leaf":
        return z.todo
    if z.kind == "call":
        return any(line_todo(item) for item in z.items)
    return False


def pascal_case(name: str) -> str:
    """`updateQuantity` -> `UpdateQuantity`, `POST` -> `Post`, `add_item` -> `AddItem`."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    out = []
    for part in parts:
        out.append(part[:1].upper() + (part[1:].lower() if part.isupper() else part[1:]))
    return "".join(out)
