"""supabase/unchecked-error: `const { data } = await <query>` whose `error` is never read."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._supabase import chain_methods, query_chain
from treido_ls.context import FileContext
from treido_ls.model import Violation

DECLARATIONS = """
(variable_declarator name: (object_pattern) @pattern value: (await_expression) @value)
"""
RESULT_KEYS = frozenset({"data", "count"})
# Storage calls that return no `error`.
NO_ERROR = frozenset({"getPublicUrl"})
_READS = frozenset({"identifier", "shorthand_property_identifier"})


@check("supabase/unchecked-error")
def unchecked_error(ctx: FileContext) -> Iterator[Violation]:
    if b".from(" not in ctx.source and b".rpc(" not in ctx.source:
        return
    for found in ctx.matches(DECLARATIONS):
        pattern, value = found["pattern"][0], found["value"][0]
        keys = _pattern_keys(pattern)
        if keys is None or not keys.keys() & RESULT_KEYS:
            continue
        kind = _query_kind(value)
        if kind is None:
            continue
        alias = keys.get("error")
        if alias is None:
            how = "not destructured"
        elif alias.type == "identifier" and not _read_after(alias, pattern):
            how = f"destructured as `{syntax.text(alias)}` but never read"
        else:
            continue
        yield Violation(pattern.start_byte, pattern.end_byte, ctx.message(kind=kind, how=how))


def _pattern_keys(pattern: Node) -> dict[str, Node] | None:
    """Destructured key -> the node it binds; None when a `...rest` may carry `error` along."""
    keys: dict[str, Node] = {}
    for item in pattern.named_children:
        if item.type == "rest_pattern":
            return None
        if item.type == "shorthand_property_identifier_pattern":
            keys[syntax.text(item)] = item
        elif item.type == "pair_pattern":
            key, bound = item.child_by_field_name("key"), item.child_by_field_name("value")
            if key is not None and bound is not None:
                keys[syntax.text(key).strip("'\"")] = _assigned(bound)
        elif item.type == "object_assignment_pattern":
            left = item.child_by_field_name("left")
            if left is not None:
                keys[syntax.text(left)] = left
    return keys


def _assigned(bound: Node) -> Node:
    """`error: e = null` binds `e`."""
    if bound.type == "assignment_pattern":
        return bound.child_by_field_name("left") or bound
    return bound


def _query_kind(value: Node) -> str | None:
    """A label for Supabase data calls; None otherwise (auth, other APIs)."""
    links = chain_methods(value)
    if not links or any(method == "throwOnError" for method, _ in links):
        return None
    methods = [method for method, _ in links]
    if "rpc" in methods:
        rpc = links[methods.index("rpc")][1]
        args = syntax.call_arguments(rpc)
        return "`.rpc()` call" if args and args[0].type in syntax.STRING_TYPES else None
    outer = links[0][1]
    chain = query_chain(outer)
    if chain is None:
        return None
    receiver = syntax.member_call_parts(chain.from_call)
    if receiver is not None and syntax.text(receiver[0]).endswith(".storage"):
        return None if methods[0] in NO_ERROR else "storage call"
    return "`.from()` query"


def _read_after(name: Node, pattern: Node) -> bool:
    """Whether the bound name is read anywhere after the declaration, in the enclosing function."""
    scope = syntax.enclosing_function(pattern)
    if scope is None:
        scope = _root(pattern)
    target = syntax.text(name)
    declarator = pattern.parent
    after = declarator.end_byte if declarator is not None else pattern.end_byte
    return any(
        node.start_byte >= after and syntax.text(node) == target
        for node in syntax.descendants_of_type(scope, _READS)
    )


def _root(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node
