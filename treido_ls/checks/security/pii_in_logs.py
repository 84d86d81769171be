"""security/pii-in-logs: a log call prints headers, cookies, secrets, raw payloads, emails or users.

Decided by the logged expressions only: names and properties (`user.email`, `webhookSecret`),
shorthand properties and template substitutions. Ids, types, counts and an error's code or
message are fine, so `console.error('Checkout failed', { userId: user.id, code: error.code })`
stays clean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._scope import declaration_of
from treido_ls.context import FileContext
from treido_ls.model import Violation

LOG_CALLS = """
(call_expression
  function: (member_expression
    object: (identifier) @logger (#match? @logger "^(console|logger|log)$")
    property: (property_identifier) @method (#match? @method "^(log|info|warn|error|debug|trace|fatal)$"))) @call
"""

_SECRET_WORDS = frozenset({
    "token", "secret", "secrets", "password", "passwd", "authorization", "signature", "sig", "jwt",
    "credential", "credentials", "cookie", "cookies", "apikey", "otp",
})
_SECRET_SUFFIXES = ("apikey", "privatekey", "secretkey", "servicerolekey", "accesstoken", "refreshtoken")
_RAW_NAMES = frozenset({"event", "evt", "body", "rawbody", "payload", "req", "request", "formdata", "headers"})
_WHOLE_OBJECTS = frozenset({"user", "session", "profile"})
_EMAIL_SUFFIXES = ("email", "emails", "emailaddress")
_BOOLEAN_PREFIXES = ("has", "is", "should", "can", "did", "was")
# Names that may hold a received payload, or a value the code built itself (then not flagged).
_RECEIVED_NAMES = frozenset({"body", "payload", "rawbody", "event", "evt", "formdata"})
_RECEIVED_SOURCE = re.compile(r"\b(req|request)\b|JSON\.parse|construct\w*Event|verif|webhook|formData|"
                              r"\.json\(|\.text\(", re.IGNORECASE)
_PAYLOAD_PARTS = frozenset({"data", "object", "raw"})
_SECRET_HEADERS = re.compile(r"(?i)^(authorization|proxy-authorization|cookie|set-cookie|stripe-signature|x-api-key)$"
                             r"|token|secret|signature")
_BODY_READS = frozenset({"json", "text", "formData", "arrayBuffer", "blob"})
_SERIALISERS = frozenset({"JSON.stringify", "String", "inspect", "util.inspect", "Object.fromEntries",
                          "Object.entries", "Object.values", "Array.from"})
_MAX_DEPTH = 8


@check("security/pii-in-logs")
def pii_in_logs(ctx: FileContext) -> Iterator[Violation]:
    # `event` is a webhook payload in server entry points; elsewhere it is often a DOM event.
    dom_events = not ctx.is_kind("route-handler", "edge-function", "server-action") or ctx.is_kind("client")
    for match in ctx.matches(LOG_CALLS):
        call = match["call"][0]
        for arg in syntax.call_arguments(call):
            found = _sensitive(arg, dom_events, 0)
            if found is not None:
                node, what = found
                logger = f"{syntax.text(match['logger'][0])}.{syntax.text(match['method'][0])}"
                yield Violation(node.start_byte, node.end_byte, ctx.message(logger=logger, what=what))
                break


def _sensitive(node: Node | None, dom_events: bool, depth: int) -> tuple[Node, str] | None:
    """The first sensitive part of a logged expression, with a description."""
    node = syntax.unwrap(node)
    if node is None or depth > _MAX_DEPTH:
        return None
    kind = node.type
    if kind in ("identifier", "shorthand_property_identifier"):
        return _sensitive_identifier(node, dom_events)
    if kind == "member_expression":
        return _sensitive_member(node, dom_events)
    if kind == "subscript_expression":
        index = syntax.string_value(node.child_by_field_name("index"))
        what = _name_category(index, dom_events, node) if index is not None else None
        return (node, what) if what is not None else None
    if kind == "call_expression":
        return _sensitive_call(node, dom_events, depth)
    return _first(syntax.value_parts(node), dom_events, depth)


def _first(nodes: list[Node | None], dom_events: bool, depth: int) -> tuple[Node, str] | None:
    for part in nodes:
        found = _sensitive(part, dom_events, depth + 1)
        if found is not None:
            return found
    return None


def _sensitive_identifier(node: Node, dom_events: bool) -> tuple[Node, str] | None:
    name = syntax.text(node)
    declaration = declaration_of(node)
    what = _name_category(name, dom_events and not _declared_as_payload(declaration, name), node)
    if what is not None and not _built_locally(declaration, name):
        return node, what
    if declaration is not None and declaration.type == "variable_declarator":
        target = declaration.child_by_field_name("name")
        value = syntax.unwrap(declaration.child_by_field_name("value"))
        if target is not None and target.type == "identifier" and value is not None and _is_body_read(value):
            return node, f"the raw request body (`{name}`)"
    return None


def _built_locally(declaration: Node | None, name: str) -> bool:
    """`const body = JSON.stringify({ sku })` is an outgoing body the code built, not a received one."""
    if name.lower() not in _RECEIVED_NAMES or declaration is None or declaration.type != "variable_declarator":
        return False
    target = declaration.child_by_field_name("name")
    value = declaration.child_by_field_name("value")
    if target is None or target.type != "identifier" or value is None:
        return False
    return _RECEIVED_SOURCE.search(syntax.text(value)) is None


def _declared_as_payload(declaration: Node | None, name: str) -> bool:
    """A variable (`const event = ...`), or a parameter typed as a Stripe or webhook payload."""
    if declaration is None:
        return False
    if declaration.type == "variable_declarator":
        return True
    if declaration.type not in syntax.FUNCTION_TYPES:
        return False
    params = declaration.child_by_field_name("parameters")
    for param in params.named_children if params is not None else []:
        if syntax.text(param.child_by_field_name("pattern")) == name:
            annotation = syntax.text(param.child_by_field_name("type"))
            return "Stripe" in annotation or "Webhook" in annotation
    return False


def _sensitive_member(node: Node, dom_events: bool) -> tuple[Node, str] | None:
    prop = syntax.text(node.child_by_field_name("property"))
    root = node.child_by_field_name("object")
    while root is not None and root.type == "member_expression":
        root = root.child_by_field_name("object")
    if prop in _PAYLOAD_PARTS and root is not None and root.type == "identifier" \
            and syntax.text(root).lower() in ("event", "evt", "body", "payload"):
        return node, f"the raw payload `{_short(node)}`"
    what = _name_category(prop, dom_events, node)
    return (node, what) if what is not None else None


def _sensitive_call(node: Node, dom_events: bool, depth: int) -> tuple[Node, str] | None:
    function = node.child_by_field_name("function")
    callee = syntax.text(function)
    args = syntax.call_arguments(node)
    if callee in ("headers", "cookies") and not args:
        return node, f"the request {callee} (`{callee}()`)"
    if _is_body_read(node):
        return node, f"the raw request body (`{_short(node)}`)"
    if callee in _SERIALISERS:
        return _first(list(args), dom_events, depth)
    parts = syntax.member_call_parts(node)
    if parts is None:
        return None
    receiver, method = parts
    receiver_name = syntax.text(receiver).lower()
    if method == "get" and args and ("header" in receiver_name or receiver_name in ("h", "headerlist")):
        header = syntax.string_value(args[0])
        if header is not None and _SECRET_HEADERS.search(header):
            return node, f"the `{header}` header"
        return None
    if method in ("get", "getAll") and ("cookie" in receiver_name or _is_call_of(receiver, "cookies")):
        return node, f"cookies (`{_short(node)}`)"
    if method in ("entries", "values", "toString", "toJSON"):
        return _sensitive(receiver, dom_events, depth + 1)
    return None


def _is_call_of(node: Node, name: str) -> bool:
    node_ = syntax.unwrap(node)
    return node_ is not None and node_.type == "call_expression" and syntax.text(
        node_.child_by_field_name("function")) == name


def _is_body_read(node: Node) -> bool:
    """`req.json()`, `request.formData()`... on the incoming request."""
    if node.type != "call_expression":
        return False
    parts = syntax.member_call_parts(node)
    return parts is not None and parts[1] in _BODY_READS and syntax.text(parts[0]) in ("req", "request")


def _name_category(name: str, dom_events: bool, node: Node) -> str | None:
    words = [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)]
    if not words or words[0] in _BOOLEAN_PREFIXES:
        return None
    joined = "".join(words)
    text = _short(node)
    if joined in _RAW_NAMES:
        if joined in ("event", "evt") and dom_events:
            return None  # a DOM event handler's parameter, most likely
        if joined in ("headers", "cookies"):
            return f"request {joined} (`{text}`)"
        return f"the raw payload `{text}`"
    if (words[-1] in _SECRET_WORDS or joined.endswith(_SECRET_SUFFIXES)) and not joined.endswith("pagetoken"):
        return f"a secret (`{text}`)"
    if joined.endswith(_EMAIL_SUFFIXES):
        return f"an email address (`{text}`)"
    if words[-1] in _WHOLE_OBJECTS:
        return f"the whole `{text}` object"
    return None


def _short(node: Node) -> str:
    text = " ".join(syntax.text(node).split())
    return text if len(text) <= 40 else text[:37] + "..."
