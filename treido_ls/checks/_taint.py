"""Taint tracking inside one function: which expressions derive from untrusted input, and whether that
input went through a schema parse on the way.

Sources are a server action's parameters, or a route handler's request reads (`await req.json()`,
`req.formData()`, the query string) and route parameters. Taint follows simple local data flow:
variables (the latest assignment before a use, in a scope that holds the use), destructuring, property
access, template literals, object and array literals, spreads, `String(x)`/`Number(x)`, string and array
methods, `for ... of` and iteration callbacks. A schema parse (`Schema.parse`, `safeParse`, a configured
validator) ends it; so does any other call we do not know (precision first: a helper may validate).

Two questions: `sources(expr)`, the untrusted inputs any part of a value comes from, and
`whole(expr)`, the untrusted inputs an object argument passes on whole (the keys chosen by the caller).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks._scope import declaration_of

_NONE: frozenset[Source] = frozenset()
_MAX_DEPTH = 40

# Kinds of source. A "field" is one read of a form field, query parameter or route parameter.
PARAM, BODY, FORM, QUERY, ROUTE, FIELD = "param", "body", "form", "query", "route", "field"

_WRAPPERS = frozenset({
    "parenthesized_expression", "await_expression", "non_null_expression", "as_expression",
    "satisfies_expression", "type_assertion",
})
_PARSE_METHODS = frozenset({"parse", "safeParse", "parseAsync", "safeParseAsync", "spa", "validate",
                            "validateSync", "decodeUnknown", "decodeUnknownSync"})
# Receivers of a `.parse()` that is not a schema parse.
_NOT_VALIDATORS = frozenset({"JSON", "Date", "URL", "qs", "querystring", "path", "cookie", "cookies", "yaml",
                             "YAML", "Papa", "toml", "TOML", "Number", "BigInt", "Intl", "marked", "Temporal"})
_NOT_VALIDATOR_MODULES = frozenset({"qs", "querystring", "node:querystring", "cookie", "yaml", "papaparse",
                                    "path", "node:path", "url", "node:url", "smol-toml", "marked", "date-fns"})
_VALIDATION_MODULES = frozenset({"zod", "zod/v4", "zod/mini", "valibot", "superstruct", "yup", "arktype",
                                 "@sinclair/typebox/value", "effect", "@effect/schema"})
_PARSE_FUNCTIONS = frozenset({"parse", "safeParse", "parseAsync", "safeParseAsync", "assert", "create", "is"})
# Calls whose result carries their arguments' input (conversion is not validation).
_PASS_FUNCTIONS = frozenset({"String", "Number", "parseInt", "parseFloat", "BigInt", "decodeURIComponent",
                             "decodeURI", "encodeURIComponent", "encodeURI", "structuredClone"})
_PASS_STATIC = frozenset({"JSON.parse", "JSON.stringify", "Object.fromEntries", "Object.assign", "Object.values",
                          "Object.entries", "Object.keys", "Array.from", "Array.of", "Number.parseInt",
                          "Number.parseFloat"})
# Methods whose result carries the receiver's input (and, for concat-like ones, the arguments').
_PASS_METHODS = frozenset({
    "trim", "trimStart", "trimEnd", "toLowerCase", "toUpperCase", "toLocaleLowerCase", "toLocaleUpperCase",
    "toString", "valueOf", "normalize", "slice", "substring", "substr", "split", "replace", "replaceAll",
    "padStart", "padEnd", "at", "charAt", "concat", "join", "map", "flatMap", "filter", "flat", "find",
    "findLast", "reverse", "toReversed", "sort", "toSorted", "entries", "values", "keys", "toFixed",
    "toISOString", "repeat",
})
_ARG_METHODS = frozenset({"concat", "replace", "replaceAll", "padStart", "padEnd"})
# Methods passing an object on whole (its keys untouched).
_WHOLE_METHODS = frozenset({"filter", "slice", "concat", "flat", "reverse", "toReversed", "sort", "toSorted",
                            "find", "findLast", "at"})
_ITERATION_METHODS = frozenset({"map", "flatMap", "forEach", "filter", "find", "findLast", "some", "every",
                                "findIndex"})
_REBUILDS = frozenset({"Object.fromEntries", "JSON.parse"})
_PASS_CONSTRUCTORS = frozenset({"URL", "URLSearchParams", "Date", "String", "Number"})
_PASS_OPERATORS = frozenset({"+", "-", "*", "/", "%", "**", "&&", "||", "??", "|", "&", "^", "<<", ">>", ">>>"})
_REQUEST_BODY_READS = {"json": BODY, "text": BODY, "formData": FORM, "arrayBuffer": BODY, "blob": BODY}
_REQUEST_MEMBERS = {"nextUrl": QUERY, "url": QUERY, "body": BODY, "query": QUERY}
# Parts of a URL the client does not choose (Next.js routed the request here).
_URL_SAFE_PARTS = frozenset({"origin", "host", "hostname", "protocol", "port", "pathname"})
_PERMISSIVE = frozenset({"passthrough", "loose", "catchall", "looseObject", "record", "any", "unknown"})
_SCOPES = frozenset({"statement_block", "program", "for_statement", "for_in_statement", "switch_body"})


@dataclass(frozen=True, slots=True)
class Source:
    """One untrusted input: `label` names it in messages; [start, end) is where it enters."""

    kind: str
    label: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Binding:
    name: str
    at: int  # the binding holds for uses starting at or after this offset
    scope: tuple[int, int]  # ... inside this range
    value: Node | None  # what was assigned (None: a parameter or an in-place assertion)
    path: tuple[tuple[str, Node], ...]  # property steps from the value to the name (destructuring)
    source: Source | None = None  # a parameter that is itself a source
    asserted: bool = False  # `Schema.parse(x);` as a statement: x's values conform from here on


class Taint:
    """Untrusted-input facts for one function (server action or route handler); results are memoised."""

    def __init__(self, fn: Node, *, validators: Iterable[str] = (), imports: dict[str, str] | None = None,
                 request: str | None = None) -> None:
        self.fn = fn
        self.validators = frozenset(validators)
        self.imports = imports or {}  # local name -> module
        self.request = request  # the route handler's request parameter: its reads are sources
        self._bindings: dict[str, list[_Binding]] = {}
        self._memo: dict[tuple[int, bool], frozenset[Source]] = {}
        self._collect()

    # -- construction --------------------------------------------------------------------------------

    @classmethod
    def for_action(cls, fn: Node, *, validators: Iterable[str] = (),
                   imports: dict[str, str] | None = None) -> Taint:
        """Every parameter of a server action is client input."""
        taint = cls(fn, validators=validators, imports=imports)
        for name, node in _parameter_names(fn):
            taint._bind_source(name, Source(PARAM, f"parameter `{name}`", node.start_byte, node.end_byte))
        return taint

    @classmethod
    def for_route_handler(cls, fn: Node, *, validators: Iterable[str] = (),
                          imports: dict[str, str] | None = None, route_params: bool = True) -> Taint:
        """The request's body and query reads are sources; so is the second argument's `params`."""
        params = _parameters(fn)
        request = _simple_name(params[0]) if params else None
        taint = cls(fn, validators=validators, imports=imports, request=request)
        if route_params and len(params) > 1:
            for name, node in _names_in(params[1]):
                taint._bind_source(name, Source(ROUTE, "the route parameters", node.start_byte, node.end_byte))
        return taint

    def _bind_source(self, name: str, source: Source) -> None:
        body = self.fn.child_by_field_name("body")
        scope = (self.fn.start_byte, self.fn.end_byte)
        at = body.start_byte if body is not None else self.fn.start_byte
        self._add(_Binding(name, at, scope, None, (), source=source))

    def _add(self, binding: _Binding) -> None:
        self._bindings.setdefault(binding.name, []).append(binding)

    def _collect(self) -> None:
        body = self.fn.child_by_field_name("body")
        if body is None:
            return
        for node in syntax.walk(body):
            kind = node.type
            if kind == "variable_declarator":
                self._bind_pattern(node.child_by_field_name("name"), node.child_by_field_name("value"), node.end_byte)
            elif kind == "assignment_expression":
                left = node.child_by_field_name("left")
                if left is not None and left.type in ("identifier", "object_pattern", "array_pattern"):
                    # the variable is declared further out: the new value holds for the rest of the function
                    self._bind_pattern(left, node.child_by_field_name("right"), node.end_byte,
                                       scope=(self.fn.start_byte, self.fn.end_byte))
            elif kind == "for_in_statement":
                self._bind_loop(node)
            elif kind in ("arrow_function", "function_expression", "function"):
                self._bind_callback(node)
            elif kind == "expression_statement":
                self._bind_assertion(node)

    def _bind_pattern(self, pattern: Node | None, value: Node | None, at: int,
                      scope: tuple[int, int] | None = None) -> None:
        if pattern is None or value is None:
            return
        for name, path in _pattern_paths(pattern):
            self._add(_Binding(name, at, scope or _scope_of(pattern), value, path))

    def _bind_loop(self, node: Node) -> None:
        left, right, body = (node.child_by_field_name(f) for f in ("left", "right", "body"))
        if left is None or right is None or body is None:
            return
        scope = (node.start_byte, node.end_byte)
        for name, path in _pattern_paths(left):
            self._add(_Binding(name, body.start_byte, scope, right, (("[]", left), *path)))

    def _bind_callback(self, fn: Node) -> None:
        """`items.map((item) => ...)`: the first parameter is an element of the receiver; others are not input."""
        params = _parameters(fn)
        scope = (fn.start_byte, fn.end_byte)
        receiver = _iteration_receiver(fn)
        for index, param in enumerate(params):
            for name, path in _pattern_paths(param):
                if index == 0 and receiver is not None:
                    self._add(_Binding(name, fn.start_byte, scope, receiver, (("[]", param), *path)))
                else:
                    self._add(_Binding(name, fn.start_byte, scope, None, ()))

    def _bind_assertion(self, stmt: Node) -> None:
        """`Schema.parse(input);` as a statement throws on bad input: `input`'s values conform afterwards."""
        call = syntax.unwrap(stmt.named_children[0]) if stmt.named_children else None
        if call is None or call.type != "call_expression" or not self.is_validation(call):
            return
        for arg in syntax.call_arguments(call):
            if arg.type == "identifier":
                self._add(_Binding(syntax.text(arg), stmt.end_byte, _scope_of(stmt), None, (), asserted=True))

    # -- questions -----------------------------------------------------------------------------------

    def sources(self, expr: Node | None) -> frozenset[Source]:
        """Untrusted inputs any part of this value derives from (empty: trusted, constant or unknown)."""
        return self._eval(expr, False, 0)

    def whole(self, expr: Node | None) -> frozenset[Source]:
        """Untrusted objects this value passes on with their keys as the client sent them."""
        return self._eval(expr, True, 0)

    def occurrences(self, expr: Node | None) -> Iterator[tuple[Node, frozenset[Source]]]:
        """The smallest parts of `expr` that carry untrusted input: `body.id` in `{ id: body.id, n: 1 }`.

        Left to right, with an explicit stack: literals nest as deep as the text does."""
        stack: list[Node | None] = [expr]
        while stack:
            node = _unwrap(stack.pop())
            if node is None:
                continue
            parts = _occurrence_parts(node)
            if parts is None:
                yield from self._leaf(node)
            else:
                stack.extend(reversed(parts))

    def _leaf(self, node: Node) -> Iterator[tuple[Node, frozenset[Source]]]:
        found = self.sources(node)
        if found:
            yield node, found

    def is_validation(self, call: Node) -> bool:
        """A schema parse (`Schema.parse(x)`, `safeParse`, `v.parse(S, x)`) or a configured validator."""
        function = _unwrap(call.child_by_field_name("function"))
        if function is None:
            return False
        if function.type == "identifier":
            name = syntax.text(function)
            return name in self.validators or (
                name in _PARSE_FUNCTIONS and self.imports.get(name) in _VALIDATION_MODULES)
        if function.type != "member_expression":
            return False
        method = syntax.text(function.child_by_field_name("property"))
        if method in self.validators or syntax.text(function) in self.validators:
            return True
        if method not in _PARSE_METHODS:
            return False
        root = _root(function.child_by_field_name("object"))
        if root is None:
            return True  # `z.object({...}).parse(x)` and other chains
        name = syntax.text(root)
        return name not in _NOT_VALIDATORS and self.imports.get(name) not in _NOT_VALIDATOR_MODULES

    # -- evaluation ----------------------------------------------------------------------------------

    def _eval(self, expr: Node | None, whole: bool, depth: int) -> frozenset[Source]:
        node = _unwrap(expr)
        if node is None or depth > _MAX_DEPTH:
            return _NONE
        key = (node.id, whole)
        cached = self._memo.get(key)
        if cached is None:
            self._memo[key] = _NONE  # cycles (`x = x + 1`) end here
            cached = self._memo[key] = self._compute(node, whole, depth + 1)
        return cached

    def _compute(self, node: Node, whole: bool, depth: int) -> frozenset[Source]:
        kind = node.type
        if kind in ("identifier", "shorthand_property_identifier"):
            return self._identifier(node, whole, depth)
        if kind == "member_expression":
            return self._member(node, whole, depth)
        if kind == "subscript_expression":
            return self._step(self._eval(node.child_by_field_name("object"), whole, depth), "[]", node)
        if kind == "call_expression":
            return self._call(node, whole, depth)
        if kind == "new_expression":
            return self._new(node, whole, depth)
        if kind == "ternary_expression":
            return self._union((node.child_by_field_name("consequence"), node.child_by_field_name("alternative")),
                               whole, depth)
        if kind == "binary_expression":
            return self._binary(node, whole, depth)
        if kind in ("object", "array"):
            return self._literal(node, whole, depth)
        if whole:
            return _NONE
        if kind == "template_string":
            subs = [c.named_children[0] for c in node.named_children
                    if c.type == "template_substitution" and c.named_children]
            return self._union(subs, whole, depth)
        if kind == "unary_expression" and syntax.text(node.child_by_field_name("operator")) in ("-", "+", "~"):
            return self._eval(node.child_by_field_name("argument"), whole, depth)
        return _NONE

    def _union(self, nodes: Iterable[Node | None], whole: bool, depth: int) -> frozenset[Source]:
        found: set[Source] = set()
        for node in nodes:
            found |= self._eval(node, whole, depth)
        return frozenset(found)

    def _binary(self, node: Node, whole: bool, depth: int) -> frozenset[Source]:
        operator = syntax.text(node.child_by_field_name("operator"))
        if operator not in _PASS_OPERATORS or (whole and operator not in ("&&", "||", "??")):
            return _NONE
        return self._union((node.child_by_field_name("left"), node.child_by_field_name("right")), whole, depth)

    def _literal(self, node: Node, whole: bool, depth: int) -> frozenset[Source]:
        """Object and array literals: every value counts; for `whole`, only spreads (and array elements)."""
        parts: list[Node | None] = []
        for child in node.named_children:
            if child.type == "spread_element":
                parts.append(child.named_children[0] if child.named_children else None)
            elif node.type == "array":
                parts.append(child)
            elif whole:
                continue
            elif child.type == "pair":
                parts.append(child.child_by_field_name("value"))
            elif child.type == "shorthand_property_identifier":
                parts.append(child)
        return self._union(parts, whole, depth)

    def _identifier(self, node: Node, whole: bool, depth: int) -> frozenset[Source]:
        binding = self._binding(syntax.text(node), node.start_byte, skip_asserted=whole)
        if binding is None:
            return _NONE
        if binding.source is not None:
            return frozenset({binding.source})
        if binding.asserted or binding.value is None:
            return _NONE
        found = self._eval(binding.value, whole, depth)
        for key, step_node in binding.path:
            found = self._step(found, key, step_node)
        return found

    def _binding(self, name: str, offset: int, skip_asserted: bool) -> _Binding | None:
        best: _Binding | None = None
        for binding in self._bindings.get(name, ()):
            if binding.at > offset or not binding.scope[0] <= offset < binding.scope[1]:
                continue
            if skip_asserted and binding.asserted:
                continue
            if best is None or binding.at >= best.at:
                best = binding
        return best

    def _member(self, node: Node, whole: bool, depth: int) -> frozenset[Source]:
        obj = _unwrap(node.child_by_field_name("object"))
        prop = syntax.text(node.child_by_field_name("property"))
        if self._is_request(obj):
            kind = _REQUEST_MEMBERS.get(prop)
            if kind is None:
                return _NONE
            label = "the request body" if kind == BODY else "the query string"
            return frozenset({Source(kind, label, node.start_byte, node.end_byte)})
        return self._step(self._eval(obj, whole, depth), prop, node)

    def _step(self, found: frozenset[Source], key: str, node: Node) -> frozenset[Source]:
        """A property read of an untrusted value: still untrusted, except lengths and a URL's fixed parts;
        a route parameter read becomes its own source."""
        if not found or key == "length":
            return _NONE
        stepped: set[Source] = set()
        for source in found:
            if source.kind == QUERY and key in _URL_SAFE_PARTS:
                continue
            if source.kind == ROUTE and key not in ("params", "[]"):
                stepped.add(Source(FIELD, f"route parameter `{key}`", node.start_byte, node.end_byte))
            else:
                stepped.add(source)
        return frozenset(stepped)

    def _call(self, node: Node, whole: bool, depth: int) -> frozenset[Source]:
        if self.is_validation(node):
            if whole and _permissive_schema(node):  # the schema keeps the caller's extra keys
                return self._union(syntax.call_arguments(node), False, depth)
            return _NONE
        function = _unwrap(node.child_by_field_name("function"))
        args = syntax.call_arguments(node)
        if function is None:
            return _NONE
        if function.type == "identifier":
            name = syntax.text(function)
            if name in _PASS_FUNCTIONS and name not in self.imports:
                return _NONE if whole and name != "structuredClone" else self._union(args, whole, depth)
            return _NONE
        if function.type != "member_expression":
            return _NONE
        receiver = _unwrap(function.child_by_field_name("object"))
        method = syntax.text(function.child_by_field_name("property"))
        static = syntax.text(function)
        if static in _PASS_STATIC:
            if not whole or static in _REBUILDS:
                return self._union(args, False, depth)  # an object rebuilt from untrusted text or entries
            return self._union(args, True, depth) if static == "Object.assign" else _NONE
        if self._is_request(receiver):
            kind = _REQUEST_BODY_READS.get(method)
            if kind is None or (whole and method != "json" and method != "formData"):
                return _NONE
            at = _with_await(node)
            label = "the form data" if kind == FORM else "the request body"
            return frozenset({Source(kind, label, at.start_byte, at.end_byte)})
        return self._method(node, receiver, method, args, whole, depth)

    def _method(self, node: Node, receiver: Node | None, method: str, args: list[Node], whole: bool,
                depth: int) -> frozenset[Source]:
        if method in ("get", "getAll"):
            return _NONE if whole else self._field(node, self._eval(receiver, False, depth), args)
        if whole:
            return self._eval(receiver, True, depth) if method in _WHOLE_METHODS else _NONE
        if method not in _PASS_METHODS:
            return _NONE
        found = self._eval(receiver, False, depth)
        if method in _ARG_METHODS:
            found |= self._union(args, False, depth)
        return found

    def _field(self, call: Node, found: frozenset[Source], args: list[Node]) -> frozenset[Source]:
        """`formData.get('title')`, `searchParams.get('q')`: one named field of a form or query."""
        key = syntax.string_value(args[0]) if args else None
        if not found or key is None:
            return found
        fields: set[Source] = set()
        for source in found:
            if source.kind in (PARAM, FORM):
                fields.add(Source(FIELD, f"form field `{key}`", call.start_byte, call.end_byte))
            elif source.kind == QUERY:
                fields.add(Source(FIELD, f"query parameter `{key}`", call.start_byte, call.end_byte))
            else:
                fields.add(source)
        return frozenset(fields)

    def _new(self, node: Node, whole: bool, depth: int) -> frozenset[Source]:
        constructor = node.child_by_field_name("constructor")
        name = syntax.text(constructor)
        args_node = node.child_by_field_name("arguments")
        args = [c for c in args_node.named_children if c.type != "comment"] if args_node is not None else []
        if whole or name not in _PASS_CONSTRUCTORS or not args:
            return _NONE
        if name == "URL":
            return self._eval(args[0], False, depth)  # the base only supplies the origin
        return self._union(args, False, depth)

    def _is_request(self, node: Node | None) -> bool:
        return (self.request is not None and node is not None and node.type == "identifier"
                and syntax.text(node) == self.request and self._binding(self.request, node.start_byte, False) is None)


def _permissive_schema(call: Node) -> bool:
    """`Loose.parse(x)` where `Loose` lets unknown keys through (`.passthrough()`, `z.record()`, `z.any()`)."""
    function = _unwrap(call.child_by_field_name("function"))
    schema = _unwrap(function.child_by_field_name("object")) if function is not None and \
        function.type == "member_expression" else None
    if schema is not None and schema.type == "identifier":
        declaration = declaration_of(schema)
        value = declaration.child_by_field_name("value") if declaration is not None and \
            declaration.type == "variable_declarator" else None
        schema = value
    while schema is not None and schema.type == "call_expression":  # the chain itself, not nested fields
        method = _unwrap(schema.child_by_field_name("function"))
        if method is None or method.type != "member_expression":
            return False
        if syntax.text(method.child_by_field_name("property")) in _PERMISSIVE:
            return True
        schema = _unwrap(method.child_by_field_name("object"))
    return False


# -- tree helpers ------------------------------------------------------------------------------------


def _occurrence_parts(node: Node) -> list[Node | None] | None:
    """The sub-expressions `occurrences` looks into, in order; None when `node` is a leaf."""
    kind = node.type
    if kind == "object":
        parts: list[Node | None] = []
        for child in node.named_children:
            if child.type == "pair":
                parts.append(child.child_by_field_name("value"))
            elif child.type == "spread_element" and child.named_children:
                parts.append(child.named_children[0])
            elif child.type == "shorthand_property_identifier":
                parts.append(child)
        return parts
    if kind in ("array", "template_string"):
        return [child.named_children[0] if child.type in ("spread_element", "template_substitution")
                and child.named_children else child for child in node.named_children]
    if kind == "binary_expression" and syntax.text(node.child_by_field_name("operator")) in _PASS_OPERATORS:
        return [node.child_by_field_name("left"), node.child_by_field_name("right")]
    if kind == "ternary_expression":
        return [node.child_by_field_name("consequence"), node.child_by_field_name("alternative")]
    return None


def _unwrap(node: Node | None) -> Node | None:
    while node is not None and node.type in _WRAPPERS:
        node = node.named_children[0] if node.named_children else None
    return node


def _root(node: Node | None) -> Node | None:
    """The identifier a member/call chain starts from (`z` in `z.object({}).strict()`)."""
    current = _unwrap(node)
    while current is not None:
        if current.type == "identifier":
            return current
        if current.type == "member_expression":
            current = _unwrap(current.child_by_field_name("object"))
        elif current.type == "call_expression":
            current = _unwrap(current.child_by_field_name("function"))
        else:
            return None
    return None


def _with_await(node: Node) -> Node:
    parent = node.parent
    return parent if parent is not None and parent.type == "await_expression" else node


def _parameters(fn: Node) -> list[Node]:
    single = fn.child_by_field_name("parameter")
    if single is not None:
        return [single]
    params = fn.child_by_field_name("parameters")
    if params is None:
        return []
    return [p for p in params.named_children if p.type in ("required_parameter", "optional_parameter", "identifier")]


def _param_pattern(param: Node) -> Node | None:
    if param.type == "identifier":
        return param
    return param.child_by_field_name("pattern")


def _simple_name(param: Node) -> str | None:
    pattern = _param_pattern(param)
    return syntax.text(pattern) if pattern is not None and pattern.type == "identifier" else None


def _names_in(param: Node) -> list[tuple[str, Node]]:
    pattern = _param_pattern(param)
    if pattern is None:
        return []
    found: list[tuple[str, Node]] = []
    for node in syntax.walk(pattern):
        if node.type in ("identifier", "shorthand_property_identifier_pattern") and \
                not _is_default_value(node, pattern):
            found.append((syntax.text(node), node))
    return found


def _is_default_value(node: Node, pattern: Node) -> bool:
    """The `x` in `{ a = x }` is read, not bound."""
    current = node
    while current.parent is not None and current != pattern:
        parent = current.parent
        if parent.type in ("assignment_pattern", "object_assignment_pattern") and \
                parent.child_by_field_name("right") == current:
            return True
        current = parent
    return False


def _parameter_names(fn: Node) -> list[tuple[str, Node]]:
    found: list[tuple[str, Node]] = []
    for param in _parameters(fn):
        found.extend(_names_in(param))
    return found


def _pattern_paths(pattern: Node | None) -> list[tuple[str, tuple[tuple[str, Node], ...]]]:
    """Names a binding pattern introduces, with the property steps leading to each."""
    found: list[tuple[str, tuple[tuple[str, Node], ...]]] = []
    _walk_pattern(pattern, (), found)
    return found


def _walk_pattern(pattern: Node | None, path: tuple[tuple[str, Node], ...],
                  out: list[tuple[str, tuple[tuple[str, Node], ...]]]) -> None:
    """Pre-order, left to right, with an explicit stack: patterns nest as deep as the text does."""
    stack: list[tuple[Node | None, tuple[tuple[str, Node], ...]]] = [(pattern, path)]
    while stack:
        node, path = stack.pop()
        if node is None:
            continue
        kind = node.type
        if kind == "identifier":
            out.append((syntax.text(node), path))
        elif kind == "shorthand_property_identifier_pattern":
            out.append((syntax.text(node), (*path, (syntax.text(node), node))))
        elif kind == "pair_pattern":
            key = node.child_by_field_name("key")
            stack.append((node.child_by_field_name("value"), (*path, (syntax.text(key), node))))
        elif kind == "object_assignment_pattern":
            left = node.child_by_field_name("left")
            if left is not None:
                out.append((syntax.text(left), (*path, (syntax.text(left), left))))
        elif kind == "assignment_pattern":
            stack.append((node.child_by_field_name("left"), path))
        elif kind in ("required_parameter", "optional_parameter"):
            stack.append((node.child_by_field_name("pattern"), path))
        elif kind == "rest_pattern" or kind == "object_pattern":
            stack.extend((child, path) for child in reversed(node.named_children))
        elif kind == "array_pattern":
            stack.extend((child, (*path, ("[]", child))) for child in reversed(node.named_children))


def _scope_of(node: Node) -> tuple[int, int]:
    """The block a declaration is visible in (a `for` header's names: the whole loop)."""
    current = node.parent
    while current is not None:
        if current.type in _SCOPES or current.type in syntax.FUNCTION_TYPES:
            return current.start_byte, current.end_byte
        current = current.parent
    return node.start_byte, node.end_byte


def _iteration_receiver(fn: Node) -> Node | None:
    """`items` for a callback passed to `items.map(...)` (or forEach, filter, ...)."""
    args = fn.parent
    call = args.parent if args is not None and args.type == "arguments" else None
    if call is None or call.type != "call_expression":
        return None
    parts = syntax.member_call_parts(call)
    if parts is None or parts[1] not in _ITERATION_METHODS:
        return None
    first = syntax.call_arguments(call)
    return parts[0] if first and first[0] == fn else None


def describe(sources: Iterable[Source]) -> str:
    """`parameter `id` and form field `title`` for messages, in source order."""
    labels = list(dict.fromkeys(s.label for s in sorted(sources, key=lambda s: (s.start, s.end))))
    if len(labels) <= 1:
        return labels[0] if labels else "input"
    return ", ".join(labels[:-1]) + f" and {labels[-1]}"
