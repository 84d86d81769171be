"""stripe/webhook-parsed-body: the signature is checked over `await req.json()`, re-serialised."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._scope import declaration_of, references
from treido_ls.checks._stripe import is_json_read, may_be_stripe_file, verifier_calls
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix, Violation


@dataclass(frozen=True, slots=True)
class ParsedBody:
    json_call: Node  # the `req.json()` call
    stringify: Node | None  # a `JSON.stringify(...)` wrapped around it, if any
    variable: Node | None  # the declarator holding the parsed body, when it goes through one


@check("stripe/webhook-parsed-body")
def webhook_parsed_body(ctx: FileContext) -> Iterator[Violation]:
    if not may_be_stripe_file(ctx) or b".json(" not in ctx.source:
        return
    for call in verifier_calls(ctx):
        args = syntax.call_arguments(call)
        parsed = _parsed_body(args[0]) if args else None
        if parsed is None:
            continue
        what = f"`{syntax.text(parsed.stringify)}`" if parsed.stringify is not None else "a parsed JSON body"
        fix = _fix(ctx, args[0], parsed)
        yield Violation(args[0].start_byte, args[0].end_byte, ctx.message(what=what),
                        fixes=[fix] if fix is not None else [])


def _parsed_body(arg: Node) -> ParsedBody | None:
    node, stringify = _strip_stringify(syntax.unwrap(arg))
    if node is None:
        return None
    if node.type == "call_expression" and is_json_read(node):
        return ParsedBody(node, stringify, None)
    if node.type != "identifier":
        return None
    declarator = declaration_of(node)
    if declarator is None or declarator.type != "variable_declarator":
        return None
    value, inner_stringify = _strip_stringify(syntax.unwrap(declarator.child_by_field_name("value")))
    if value is None or value.type != "call_expression" or not is_json_read(value):
        return None
    return ParsedBody(value, stringify or inner_stringify, declarator)


def _strip_stringify(node: Node | None) -> tuple[Node | None, Node | None]:
    if node is not None and node.type == "call_expression" and syntax.text(
        node.child_by_field_name("function")
    ) == "JSON.stringify":
        args = syntax.call_arguments(node)
        if len(args) == 1:
            return syntax.unwrap(args[0]), node
    return node, None


def _fix(ctx: FileContext, arg: Node, parsed: ParsedBody) -> Fix | None:
    """`json()` -> `text()`, and the JSON.stringify wrapper dropped; only when nothing else reads the body."""
    if parsed.variable is not None and not _only_feeds_verification(parsed.variable, arg):
        return None
    method = parsed.json_call.child_by_field_name("function")
    prop = method.child_by_field_name("property") if method is not None else None
    if prop is None:
        return None
    to_text = Edit(prop.start_byte, prop.end_byte, "text")
    edits = [to_text]
    if parsed.stringify is not None:
        inner = syntax.call_arguments(parsed.stringify)[0]
        raw = ctx.source[inner.start_byte:inner.end_byte]
        if inner.start_byte <= prop.start_byte < inner.end_byte:  # `JSON.stringify(await req.json())`
            at = prop.start_byte - inner.start_byte
            raw = raw[:at] + b"text" + raw[at + len(b"json"):]
            edits = []
        edits.append(Edit(parsed.stringify.start_byte, parsed.stringify.end_byte, raw.decode("utf-8")))
    assert ctx.rule is not None
    return Fix(ctx.rule.fix_title or "Read the raw body", tuple(edits), Applicability.SAFE)


def _only_feeds_verification(declarator: Node, arg: Node) -> bool:
    """The parsed variable has no type claim and no other reader than the verification call."""
    name_node = declarator.child_by_field_name("name")
    value = declarator.child_by_field_name("value")
    if name_node is None or name_node.type != "identifier" or declarator.child_by_field_name("type") is not None:
        return False
    if value is None or any(n.type in ("as_expression", "satisfies_expression") for n in syntax.walk(value)):
        return False
    scope = syntax.enclosing_function(declarator) or declarator.parent
    if scope is None:
        return False
    name = syntax.text(name_node)
    others = [ref for ref in references(scope, name)
              if ref != name_node and not arg.start_byte <= ref.start_byte < arg.end_byte]
    return not others
