"""Recognising Supabase query-builder chains: `client.from('table')...select(...)`."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from treido_ls import syntax

# Receivers whose `.from()` is not Supabase's.
_NOT_SUPABASE = frozenset({"Array", "Buffer", "Object", "Uint8Array", "Promise", "Set", "Map", "Iterator"})
_MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class QueryChain:
    table: str | None  # None when `.from()` has a non-literal argument
    from_call: Node


def query_chain(call: Node) -> QueryChain | None:
    """The `.from(...)` call a method call is chained on, following `const q = x.from(...)`."""
    node: Node | None = call
    for _ in range(_MAX_DEPTH):
        node = syntax.unwrap(node)
        if node is None:
            return None
        if node.type == "call_expression":
            parts = syntax.member_call_parts(node)
            if parts is None:
                return None
            receiver, method = parts
            if method == "from" and node is not call and _is_supabase_from(node, receiver):
                args = syntax.call_arguments(node)
                return QueryChain(syntax.string_value(args[0]) if args else None, node)
            node = receiver
        elif node.type == "member_expression":
            node = node.child_by_field_name("object")
        elif node.type == "identifier":
            node = _initial_value(node)
        else:
            return None
    return None


def _is_supabase_from(call: Node, receiver: Node) -> bool:
    if receiver.type == "identifier" and syntax.text(receiver) in _NOT_SUPABASE:
        return False
    args = syntax.call_arguments(call)
    return len(args) == 1 and args[0].type in syntax.STRING_TYPES | {"identifier", "member_expression"}


def _initial_value(identifier: Node) -> Node | None:
    """The initialiser of the nearest `const/let name = ...` before this use, in enclosing scopes."""
    name = syntax.text(identifier)
    scope = identifier.parent
    while scope is not None:
        if scope.type in ("statement_block", "program"):
            for stmt in scope.named_children:
                if stmt.start_byte >= identifier.start_byte:
                    break
                value = _declared_value(stmt, name)
                if value is not None:
                    return value
        scope = scope.parent
    return None


def _declared_value(stmt: Node, name: str) -> Node | None:
    if stmt.type not in ("lexical_declaration", "variable_declaration"):
        return None
    for declarator in stmt.named_children:
        target = declarator.child_by_field_name("name")
        if declarator.type == "variable_declarator" and target is not None and syntax.text(target) == name:
            return declarator.child_by_field_name("value")
    return None


def chain_methods(node: Node) -> list[tuple[str, Node]]:
    """(method, call) links of a call chain, outermost first, following `const q = ...` like query_chain."""
    links: list[tuple[str, Node]] = []
    current: Node | None = node
    for _ in range(_MAX_DEPTH):
        current = syntax.unwrap(current)
        if current is None:
            break
        if current.type == "call_expression":
            parts = syntax.member_call_parts(current)
            if parts is None:
                break
            links.append((parts[1], current))
            current = parts[0]
        elif current.type == "member_expression":
            current = current.child_by_field_name("object")
        elif current.type == "identifier":
            current = _initial_value(current)
        else:
            break
    return links
