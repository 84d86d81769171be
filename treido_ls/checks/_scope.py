"""Name resolution within one file: which declaration a name refers to, what it was assigned.

Lexical and good enough for checks: it walks the enclosing blocks and catch clauses outward and
takes the nearest declaration before the use. No type information, no hoisting subtleties.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax

_SCOPES = frozenset({"statement_block", "program", "switch_case", "switch_default", "class_body"})
_DECLARATIONS = frozenset({"lexical_declaration", "variable_declaration"})


def pattern_bindings(pattern: Node | None) -> dict[str, str | None]:
    """Names a binding pattern introduces -> the property key they come from (None if not keyed)."""
    found: dict[str, str | None] = {}
    _collect_bindings(pattern, None, found)
    return found


def _collect_bindings(pattern: Node | None, key: str | None, out: dict[str, str | None]) -> None:
    """Pre-order, left to right, with an explicit stack: patterns nest as deep as the text does."""
    stack: list[tuple[Node | None, str | None]] = [(pattern, key)]
    while stack:
        node, key = stack.pop()
        if node is None:
            continue
        kind = node.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            out[syntax.text(node)] = key if kind == "identifier" else syntax.text(node)
        elif kind == "pair_pattern":
            stack.append((node.child_by_field_name("value"), syntax.text(node.child_by_field_name("key"))))
        elif kind == "object_assignment_pattern":
            stack.append((node.child_by_field_name("left"), None))
        elif kind in ("assignment_pattern", "required_parameter", "optional_parameter"):
            stack.append((node.child_by_field_name("left") or node.child_by_field_name("pattern"), key))
        elif kind in ("object_pattern", "array_pattern", "rest_pattern", "formal_parameters"):
            stack.extend((child, None) for child in reversed(node.named_children))


def declaration_of(use: Node, name: str | None = None) -> Node | None:
    """The nearest declaration of `name` (default: the identifier's text) visible at `use`.

    Returns a `variable_declarator`, a `catch_clause`, a function node (for parameters) or a
    `function_declaration`; None when the name is global or imported.
    """
    wanted = name if name is not None else syntax.text(use)
    node = use
    while node.parent is not None:
        parent = node.parent
        if parent.type in _SCOPES:
            found = _declared_before(parent, node, wanted)
            if found is not None:
                return found
        elif parent.type == "catch_clause":
            if wanted in pattern_bindings(parent.child_by_field_name("parameter")):
                return parent
        elif parent.type in syntax.FUNCTION_TYPES:
            params = parent.child_by_field_name("parameters") or parent.child_by_field_name("parameter")
            if wanted in pattern_bindings(params):
                return parent
        node = parent
    return None


def _declared_before(scope: Node, use: Node, name: str) -> Node | None:
    for stmt in reversed(scope.named_children):
        if stmt.start_byte >= use.start_byte:
            continue
        if stmt.type == "export_statement":
            stmt = stmt.child_by_field_name("declaration") or stmt
        if stmt.type in _DECLARATIONS:
            for declarator in stmt.named_children:
                if declarator.type == "variable_declarator" and name in pattern_bindings(
                    declarator.child_by_field_name("name")
                ):
                    return declarator
        elif stmt.type == "function_declaration" and syntax.text(stmt.child_by_field_name("name")) == name:
            return stmt
    return None


def assigned_values(use: Node, name: str | None = None) -> Iterator[Node]:
    """Values given to the variable `use` names: its initialiser and `name = value` assignments."""
    wanted = name if name is not None else syntax.text(use)
    declaration = declaration_of(use, wanted)
    if declaration is None or declaration.type != "variable_declarator":
        return
    target = declaration.child_by_field_name("name")
    value = declaration.child_by_field_name("value")
    if value is not None and target is not None and target.type == "identifier":
        yield value
    scope = syntax.enclosing_function(declaration) or _root(declaration)
    for node in syntax.descendants_of_type(scope, {"assignment_expression"}):
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is not None and right is not None and left.type == "identifier" and syntax.text(left) == wanted:
            yield right


def _root(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node


def references(scope: Node, name: str) -> Iterator[Node]:
    """Identifier nodes (shorthand properties included) named `name` inside `scope`."""
    for node in syntax.descendants_of_type(scope, {"identifier", "shorthand_property_identifier"}):
        if syntax.text(node) == name:
            yield node
