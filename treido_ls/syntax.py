"""Small, typed helpers over tree-sitter TypeScript nodes, shared by the checks and the fixes."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node, Query

FUNCTION_TYPES = frozenset(
    {"function_declaration", "function_expression", "arrow_function", "method_definition",
     "generator_function_declaration", "function"}
)
STRING_TYPES = frozenset({"string", "template_string"})


def text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def string_value(node: Node | None) -> str | None:
    """The value of a string literal or a template without substitutions; None otherwise."""
    if node is None or node.type not in STRING_TYPES:
        return None
    parts: list[str] = []
    for child in node.named_children:
        if child.type == "template_substitution":
            return None
        if child.type == "escape_sequence":
            parts.append(_unescape(text(child)))
        elif child.type == "string_fragment":
            parts.append(text(child))
    return "".join(parts)


def _unescape(seq: str) -> str:
    simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}
    body = seq[1:]
    if body in simple:
        return simple[body]
    if body.startswith("u{") and body.endswith("}"):
        return _chr(body[2:-1])
    if body.startswith(("u", "x")) and len(body) > 1:
        return _chr(body[1:])
    return body


def _chr(hex_digits: str) -> str:
    try:
        return chr(int(hex_digits, 16))
    except (ValueError, OverflowError):
        return ""


def unwrap(node: Node | None) -> Node | None:
    """Skip parentheses, `await`, non-null `!` and `as`/`satisfies` casts around an expression."""
    while node is not None and node.type in {
        "parenthesized_expression", "await_expression", "non_null_expression", "as_expression",
        "satisfies_expression",
    }:
        node = node.named_children[0] if node.named_children else None
    return node


def value_parts(node: Node) -> list[Node | None]:
    """The sub-expressions whose values end up in `node`'s value (template substitutions, object and
    array members, spreads, `+`/`??`/`||` operands, ternary branches); empty for anything else."""
    kind = node.type
    if kind == "template_string":
        return [sub.named_children[0] if sub.named_children else None
                for sub in node.named_children if sub.type == "template_substitution"]
    if kind in ("object", "array"):
        return [child.child_by_field_name("value") if child.type == "pair" else child for child in node.named_children]
    if kind == "spread_element":
        return list(node.named_children)
    if kind == "binary_expression" and text(node.child_by_field_name("operator")) in ("+", "??", "||"):
        return [node.child_by_field_name("left"), node.child_by_field_name("right")]
    if kind == "ternary_expression":
        return [node.child_by_field_name("consequence"), node.child_by_field_name("alternative")]
    return []


def function_name(fn: Node) -> tuple[str, Node]:
    """A function's name and the node to report at: its own name, the variable it is assigned to,
    or "(inline action)" at its first token."""
    name = fn.child_by_field_name("name")
    if name is not None:
        return text(name), name
    parent = fn.parent
    if parent is not None and parent.type == "variable_declarator":
        target = parent.child_by_field_name("name")
        if target is not None:
            return text(target), target
    return "(inline action)", fn.children[0] if fn.children else fn


def first_statement(body: Node) -> Node | None:
    """The first statement of a block after its directive prologue (`'use server'`) and comments."""
    for stmt in body.named_children:
        if stmt.type == "comment":
            continue
        if stmt.type == "expression_statement" and stmt.named_children and stmt.named_children[0].type == "string":
            continue
        return stmt
    return None


def property_key_name(key: Node | None) -> str | None:
    """The name of an object key written as an identifier or a string literal."""
    if key is None:
        return None
    if key.type == "string":
        return string_value(key)
    return text(key) if key.type == "property_identifier" else None


def indent_unit(source: bytes, owner: Node | None, block: Node | None) -> str:
    """One indentation step as the file writes it: the indent of `block`'s first statement minus
    `owner`'s; a tab or two spaces when the block has no statement to measure."""
    if owner is not None and block is not None and block.type == "statement_block" and block.named_children:
        outer = line_indent(source, owner.start_byte)
        inner = line_indent(source, block.named_children[0].start_byte)
        if len(inner) > len(outer) and inner.startswith(outer):
            return inner[len(outer):].decode()
    return "\t" if b"\n\t" in source else "  "


def call_arguments(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [child for child in args.named_children if child.type != "comment"]


def callee_name(call: Node) -> str | None:
    """`foo` for `foo()`, `bar` for `x.bar()`; None for other callees."""
    function = call.child_by_field_name("function")
    if function is None:
        return None
    if function.type == "identifier":
        return text(function)
    if function.type == "member_expression":
        prop = function.child_by_field_name("property")
        return text(prop) if prop is not None else None
    return None


def member_call_parts(call: Node) -> tuple[Node, str] | None:
    """(receiver, method) for `receiver.method(...)` calls (optional chaining included)."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return None
    obj = function.child_by_field_name("object")
    prop = function.child_by_field_name("property")
    if obj is None or prop is None:
        return None
    return obj, text(prop)


def walk(node: Node) -> Iterator[Node]:
    """Pre-order walk of named and anonymous descendants, without recursion."""
    cursor = node.walk()
    visited_children = False
    while True:
        if not visited_children:
            current = cursor.node
            if current is not None:
                yield current
            if cursor.goto_first_child():
                continue
        if cursor.goto_next_sibling():
            visited_children = False
            continue
        if not cursor.goto_parent() or cursor.node == node:
            return
        visited_children = True


def descendants_of_type(node: Node, types: frozenset[str] | set[str]) -> Iterator[Node]:
    """`node` and its descendants of the given named types, in pre-order.

    Runs a compiled query over the subtree when the tree's grammar is known (about ten times faster
    than visiting every node from Python); falls back to the walk otherwise."""
    found = _query_descendants(node, frozenset(types))
    if found is not None:
        yield from found
        return
    for child in walk(node):
        if child.type in types:
            yield child


_DESCENDANTS: dict[tuple[int, int, int, int, frozenset[str]], list[Node]] = {}
_MAX_CACHED = 4096


def _query_descendants(node: Node, types: frozenset[str]) -> list[Node] | None:
    """Cached per tree, node and types: rules ask for the same scope's identifiers many times."""
    from treido_ls.parsing import tree_identity

    root = node
    while root.parent is not None:
        root = root.parent
    identity = tree_identity(root.id)
    if identity is None:
        return None
    lang, generation = identity
    key = (generation, node.id, node.start_byte, node.end_byte, types)
    cached = _DESCENDANTS.get(key)
    if cached is None:
        query = _type_query(lang, types)
        if query is None:
            return None
        from tree_sitter import QueryCursor

        cached = QueryCursor(query).captures(node).get("n", [])
        cached.sort(key=lambda n: (n.start_byte, -n.end_byte))
        if len(_DESCENDANTS) >= _MAX_CACHED:
            _DESCENDANTS.clear()
        _DESCENDANTS[key] = cached
    return list(cached)


_TYPE_QUERIES: dict[tuple[object, frozenset[str]], object] = {}


def _type_query(lang: object, types: frozenset[str]) -> Query | None:
    key = (lang, types)
    if key not in _TYPE_QUERIES:
        from treido_ls.parsing import Lang, language

        assert isinstance(lang, Lang)
        try:
            pattern = "[" + " ".join(f"({t})" for t in sorted(types)) + "] @n"
            _TYPE_QUERIES[key] = Query(language(lang), pattern)
        except Exception:  # an anonymous or unknown type name: walk instead
            _TYPE_QUERIES[key] = None
    query = _TYPE_QUERIES[key]
    return query if isinstance(query, Query) else None


def enclosing_function(node: Node) -> Node | None:
    current = node.parent
    while current is not None:
        if current.type in FUNCTION_TYPES:
            return current
        current = current.parent
    return None


def line_indent(source: bytes, offset: int) -> bytes:
    """Leading whitespace of the line holding `offset`."""
    start = source.rfind(b"\n", 0, offset) + 1
    end = start
    while end < len(source) and source[end : end + 1] in (b" ", b"\t"):
        end += 1
    return source[start:end]


def newline_of(source: bytes) -> str:
    """The file's line ending, so edits keep a CRLF file CRLF."""
    first = source.find(b"\n")
    if first > 0 and source[first - 1 : first] == b"\r":
        return "\r\n"
    return "\n"


def quote_of(source: bytes) -> str:
    """The quote the file prefers for strings."""
    return "'" if source.count(b"'") >= source.count(b'"') else '"'
