"""The "validate with zod" fixes: a schema above the function, a `safeParse` at its top, parsed data below.

Server actions: the schema comes from the parameters' TypeScript types and the `formData.get('x')`
fields. One object parameter is parsed whole (`XSchema.safeParse(input)`, then `parsed.data` replaces
`input`); otherwise the parameters and fields become one object (`XSchema.safeParse({ a, b, x:
formData.get("x") })`) and each use below becomes `parsed.data.a`. Renaming uses (rather than
redeclaring `const { a, b } = parsed.data`, illegal next to the parameters) keeps the code valid and
makes every use visibly go through the parsed value. Failure exits in the file's style.

Route handlers: `await req.json()` is parsed (`XBodySchema.safeParse(await req.json())`) the line
before, answers 400 on failure, and its place takes `parsed.data`. Fields come from an `as T` /
annotated type, or from what the handler reads (`body.x`, `const { x } = ...`) as `z.unknown()` TODOs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks._auth import abs_path
from treido_ls.checks._imports import new_import
from treido_ls.checks._scope import declaration_of
from treido_ls.context import FileContext
from treido_ls.fixes_zod import TODO, TypeScope, Z, ZodBuilder, leaf, line_todo, obj, pascal_case, render, unknown
from treido_ls.model import Applicability, Edit, Fix
from treido_ls.parsing import Lang, lang_for_path, parse

ZOD_MODULES = ("zod", "zod/v4", "zod/v3")
INVALID = "Invalid input"
_STATE_NAMES = frozenset({"state", "prevState", "previousState", "prev", "initialState", "currentState"})
_INLINE_WIDTH = 70  # the safeParse line stays within ~100 columns
_WRAPPERS = frozenset({"parenthesized_expression", "non_null_expression"})


@dataclass(frozen=True, slots=True)
class _Field:
    key: str
    z: Z
    value: str  # the expression the parse reads it from
    replace: tuple[tuple[int, int], ...]  # spans that become `parsed.data.key`


# -- shared ------------------------------------------------------------------------------------------------


def _zod_local(ctx: FileContext) -> tuple[str, Edit | None]:
    for binding in ctx.imports.values():
        if binding.module in ZOD_MODULES and binding.name in ("z", "*", "default"):
            return binding.local, None
    return "z", new_import(ctx, "{ z }", "zod")


def _type_scope(ctx: FileContext) -> TypeScope:
    """This file's types, and the ones imported from project files (their own declarations only)."""
    cache: dict[Path, TypeScope | None] = {}

    def imported(name: str) -> tuple[Node, TypeScope] | None:
        binding = ctx.imports.get(name)
        if binding is None or binding.name in ("*", "default"):
            return None
        path = ctx.project.symbols.resolve(abs_path(ctx), binding.module)
        if path is None:
            return None
        if path not in cache:
            cache[path] = _scope_of_file(path)
        scope = cache[path]
        decl = scope.declarations.get(binding.name) if scope is not None else None
        return (decl, scope) if decl is not None and scope is not None else None

    return TypeScope.of(ctx.root, imported)


def _scope_of_file(path: Path) -> TypeScope | None:
    lang = lang_for_path(path.name)
    if lang not in (Lang.TYPESCRIPT, Lang.TSX):
        return None
    try:
        source = path.read_bytes()
    except OSError:
        return None
    assert lang is not None
    return TypeScope.of(parse(lang, source).root_node)


def _fresh(ctx: FileContext, scope: Node, *names: str) -> str:
    used = {syntax.text(n) for n in ctx.descendants(scope, "identifier")}
    return next((name for name in names if name not in used), names[-1] + "_")


def _top_statement(node: Node) -> Node:
    while node.parent is not None and node.parent.type != "program":
        node = node.parent
    return node


def _schema_edit(ctx: FileContext, fn: Node, name: str, schema: Z, zlocal: str) -> Edit:
    """`const XSchema = z.object({...});` above the function's top-level statement (and its doc comment)."""
    newline, unit = syntax.newline_of(ctx.source), syntax.indent_unit(ctx.source, fn, fn.child_by_field_name("body"))
    quote = syntax.quote_of(ctx.source)
    text = render(schema, "", unit, newline, quote)
    if zlocal != "z":
        text = text.replace("z.", f"{zlocal}.")  # only our own calls are in `text`
    comment = f" {TODO}" if line_todo(schema) else ""
    top = _top_statement(fn)
    start = top
    previous = top.prev_sibling
    while previous is not None and previous.type == "comment" and b"\n\n" not in ctx.source[
            previous.end_byte : start.start_byte].replace(b"\r", b""):
        start, previous = previous, previous.prev_sibling
    return Edit(start.start_byte, start.start_byte,
                f"const {name} = {text}{ctx.semicolon}{comment}{newline}{newline}")


def _insert_before(ctx: FileContext, stmt: Node, lines: list[str]) -> Edit:
    newline = syntax.newline_of(ctx.source)
    indent = syntax.line_indent(ctx.source, stmt.start_byte).decode()
    return Edit(stmt.start_byte, stmt.start_byte, "".join(line + newline + indent for line in lines))


def _schema_name(ctx: FileContext, base: str) -> str:
    used = {syntax.text(n) for n in ctx.captures("(identifier) @id").get("id", [])}
    return next(n for n in (f"{base}Schema", f"{base}InputSchema", f"{base}ParamsSchema", f"{base}Schema_")
                if n not in used)


# -- server actions ----------------------------------------------------------------------------------------


def action_fix(ctx: FileContext, fn: Node, name: str) -> Fix | None:
    base = pascal_case(name)
    body = fn.child_by_field_name("body")
    if not base or body is None or body.type != "statement_block" or not syntax.first_statement(body):
        return None
    first = syntax.first_statement(body)
    if first is None or b"\n" not in ctx.source[body.start_byte : first.start_byte]:
        return None
    builder = ZodBuilder(_type_scope(ctx), syntax.quote_of(ctx.source))
    params = _params(fn)
    if params is None:
        return None
    form_params = [p for p in params if _is_form_data(p)]
    values = [p for p in params if not _is_form_data(p) and not _is_state(p, form_params)]
    fields: list[_Field] = []
    for param in form_params:
        found = _form_fields(ctx, fn, body, param)
        if found is None:
            return None
        fields += found
    parsed = _fresh(ctx, fn, "parsed", "parsedInput", "validated")
    single = _single_object(builder, values) if not fields else None
    if single is not None:
        param, schema = single
        parse_arg = syntax.text(_param_name(param))
        replacements = _uses(ctx, fn, body, param, f"{parsed}.data")
    else:
        fields = [_param_field(builder, param) for param in values] + fields
        if not fields or len({f.key for f in fields}) != len(fields):
            return None
        schema = obj([(f.key, f.z) for f in fields])
        indent = syntax.line_indent(ctx.source, first.start_byte).decode()
        unit = syntax.indent_unit(ctx.source, fn, fn.child_by_field_name("body"))
        parse_arg = _object_literal([(f.key, f.value) for f in fields], indent, unit, syntax.newline_of(ctx.source))
        replacements = [Edit(s, e, f"{parsed}.data.{f.key}") for f in fields for s, e in f.replace]
        for param in values:
            replacements += _uses(ctx, fn, body, param, f"{parsed}.data.{syntax.text(_param_name(param))}")
    zlocal, import_edit = _zod_local(ctx)
    schema_name = _schema_name(ctx, base)
    semi = ctx.semicolon
    exit_text = _exit_style(ctx, fn)
    parse_edit = _insert_before(ctx, first, [
        f"const {parsed} = {schema_name}.safeParse({parse_arg}){semi}",
        f"if (!{parsed}.success) {exit_text}{semi}",
    ])
    edits = [*([import_edit] if import_edit else []), _schema_edit(ctx, fn, schema_name, schema, zlocal), parse_edit,
             *replacements]
    assert ctx.rule is not None
    return Fix(f"{ctx.rule.fix_title or 'Validate the input with a zod schema'} (`{schema_name}`)", tuple(edits),
               Applicability.UNSAFE)


def _params(fn: Node) -> list[Node] | None:
    """The parameters, each `required_parameter`/`optional_parameter` naming an identifier; None otherwise."""
    params_node = fn.child_by_field_name("parameters")
    single = fn.child_by_field_name("parameter")
    if single is not None:
        return None  # `x => ...` without a type: nothing to generate from
    if params_node is None:
        return None
    params = [p for p in params_node.named_children if p.type != "comment"]
    for param in params:
        if param.type not in ("required_parameter", "optional_parameter") or _param_name(param).type != "identifier":
            return None
    return params


def _param_name(param: Node) -> Node:
    pattern = param.child_by_field_name("pattern")
    return pattern if pattern is not None else param


def _is_form_data(param: Node) -> bool:
    annotation = param.child_by_field_name("type")
    return annotation is not None and syntax.text(annotation).lstrip(": ").strip() == "FormData"


def _is_state(param: Node, form_params: list[Node]) -> bool:
    """`useActionState`'s previous state, before the form data: the action's own earlier result."""
    name = syntax.text(_param_name(param))
    return bool(form_params) and param.start_byte < form_params[0].start_byte and (
        name.startswith("_") or name in _STATE_NAMES)


def _single_object(builder: ZodBuilder, values: list[Node]) -> tuple[Node, Z] | None:
    if len(values) != 1 or values[0].type != "required_parameter" or values[0].child_by_field_name("value"):
        return None
    z = builder.of_type(values[0].child_by_field_name("type"))
    return (values[0], z) if z.is_object and z.fields else None


def _object_literal(pairs: list[tuple[str, str]], indent: str, unit: str, newline: str) -> str:
    """`{ a, b }` on one line when short, else one property a line."""
    items = [key if key == value else f"{key}: {value}" for key, value in pairs]
    inline = "{ " + ", ".join(items) + " }"
    if len(indent) + len(inline) <= _INLINE_WIDTH or len(items) == 1:
        return inline
    return "{" + "".join(f"{newline}{indent}{unit}{item}," for item in items) + f"{newline}{indent}}}"


def _param_field(builder: ZodBuilder, param: Node) -> _Field:
    name = syntax.text(_param_name(param))
    z = builder.of_type(param.child_by_field_name("type"))
    if param.type == "optional_parameter" or param.child_by_field_name("value") is not None:
        z = z.with_suffix(".optional()")
    return _Field(name, z, name, ())


def _uses(ctx: FileContext, fn: Node, body: Node, param: Node, replacement: str) -> list[Edit]:
    """Edits renaming the parameter's uses in the body; `{ input }` becomes `{ input: parsed.data }`."""
    name = syntax.text(_param_name(param))
    edits: list[Edit] = []
    for node_type in ("identifier", "shorthand_property_identifier"):
        for use in ctx.descendants(body, node_type):
            if syntax.text(use) != name or declaration_of(use, name) != fn:
                continue
            new = replacement
            if node_type == "shorthand_property_identifier":
                new = f"{name}: {new}"
            edits.append(Edit(use.start_byte, use.end_byte, new))
    return edits


def _form_fields(ctx: FileContext, fn: Node, body: Node, param: Node) -> list[_Field] | None:
    """`formData.get('x')` reads as fields; None when the form data is used any other way."""
    name = syntax.text(_param_name(param))
    reads: dict[str, list[tuple[Node, Node, Z]]] = {}
    for use in ctx.descendants(body, "identifier"):
        if syntax.text(use) != name or declaration_of(use, name) != fn:
            continue
        read = _form_read(use)
        if read is None:
            return None
        key, outer, z = read
        reads.setdefault(key, []).append((outer, use, z))
    fields: list[_Field] = []
    quote = syntax.quote_of(ctx.source)
    for key, occurrences in reads.items():
        z = occurrences[0][2]
        getter = "getAll" if z.text.startswith("z.array(") else "get"
        value = f"{name}.{getter}({ZodBuilder(TypeScope(), quote).string(key)})"
        spans = tuple((outer.start_byte, outer.end_byte) for outer, _, _ in occurrences)
        fields.append(_Field(key, z, value, spans))
    return fields


def _form_read(use: Node) -> tuple[str, Node, Z] | None:
    """(`key`, the expression to replace, its schema) for `formData.get("key")` and its conversions."""
    member = use.parent
    if member is None or member.type != "member_expression" or member.child_by_field_name("object") != use:
        return None
    method = syntax.text(member.child_by_field_name("property"))
    get_call = member.parent
    if method not in ("get", "getAll") or get_call is None or get_call.type != "call_expression":
        return None
    args = syntax.call_arguments(get_call)
    key = syntax.string_value(args[0]) if len(args) == 1 else None
    if key is None:
        return None
    if method == "getAll":
        return key, get_call, Z("call", "z.array(", ")", (leaf("z.string()"),))
    outer: Node = get_call
    while outer.parent is not None and outer.parent.type in _WRAPPERS:
        outer = outer.parent
    parent = outer.parent
    if parent is not None and parent.type == "as_expression":
        target = syntax.text(parent.named_children[-1])
        if target == "string":
            return key, parent, leaf("z.string()")
        if target == "File":
            return key, parent, leaf("z.instanceof(File)")
    if parent is not None and parent.type == "arguments" and parent.parent is not None:
        conversion = parent.parent
        callee = syntax.text(conversion.child_by_field_name("function"))
        if len(syntax.call_arguments(conversion)) == 1 and callee in ("Number", "String"):
            return key, conversion, leaf("z.coerce.number()" if callee == "Number" else "z.string()")
    return key, get_call, leaf("z.string()")


def _exit_style(ctx: FileContext, fn: Node) -> str:
    """How this file's actions give up: a `return { error: ... }` shape, `throw new Error(...)`, or a default
    result object. A function declared to return nothing (`Promise<void>`) throws."""
    quote = syntax.quote_of(ctx.source)
    message = f"{quote}{INVALID}{quote}"
    declared = fn.child_by_field_name("return_type")
    if declared is not None and any(word in syntax.text(declared) for word in ("void", "never")):
        return f"throw new Error({message})"
    for ret in ctx.captures("(return_statement (object) @obj)").get("obj", []):
        shape = _error_shape(ret, message)
        if shape is not None:
            return f"return {shape}"
    if b"throw new Error(" in ctx.source or declared is not None:
        return f"throw new Error({message})"
    return f"return {{ ok: false, error: {message} }}"


def _error_shape(result: Node, message: str) -> str | None:
    """`{ ok: false, error: 'Could not save' }` -> `{ ok: false, error: 'Invalid input' }`; None unless the
    object is an error result (an `error` key with a string, and otherwise only literal flags)."""
    parts: list[str] = []
    has_error = False
    for pair in result.named_children:
        if pair.type != "pair":
            return None
        key, value = syntax.text(pair.child_by_field_name("key")), pair.child_by_field_name("value")
        if key == "error" and value is not None and value.type in ("string", "template_string"):
            parts.append(f"error: {message}")
            has_error = True
        elif value is not None and value.type in ("true", "false", "null"):
            parts.append(f"{key}: {syntax.text(value)}")
        else:
            return None
    return "{ " + ", ".join(parts) + " }" if has_error else None


# -- route handlers ----------------------------------------------------------------------------------------


def body_fix(ctx: FileContext, fn: Node, handler: str, start: int, end: int) -> Fix | None:
    """Parse `await req.json()` (the source at [start, end)) with a schema of what the handler reads."""
    source = ctx.root.descendant_for_byte_range(start, end)
    while source is not None and source.parent is not None and (source.start_byte, source.end_byte) == (
            source.parent.start_byte, source.parent.end_byte):
        source = source.parent
    if source is None or source.type != "await_expression" or not syntax.text(source).endswith(".json()"):
        return None
    base = pascal_case(handler)
    stmt = _statement_of(source)
    if not base or stmt is None:
        return None
    outer, schema = _body_schema(ctx, source)
    if schema is None:
        return None
    parsed = _fresh(ctx, fn, "parsed", "parsedBody", "validated")
    zlocal, import_edit = _zod_local(ctx)
    schema_name = _schema_name(ctx, f"{base}Body")
    quote, semi = syntax.quote_of(ctx.source), ctx.semicolon
    respond = "NextResponse.json" if "NextResponse" in ctx.imports else "Response.json"
    bad = f"return {respond}({{ error: {quote}Invalid request body{quote} }}, {{ status: 400 }})"
    edits = [
        *([import_edit] if import_edit else []),
        _schema_edit(ctx, fn, schema_name, schema, zlocal),
        _insert_before(ctx, stmt, [f"const {parsed} = {schema_name}.safeParse({syntax.text(source)}){semi}",
                                   f"if (!{parsed}.success) {bad}{semi}"]),
        Edit(outer.start_byte, outer.end_byte, f"{parsed}.data"),
    ]
    assert ctx.rule is not None
    return Fix(f"{ctx.rule.fix_title or 'Validate the request with a zod schema'} (`{schema_name}`)",
               tuple(edits), Applicability.UNSAFE)


def _statement_of(node: Node) -> Node | None:
    current: Node | None = node
    while current is not None and current.parent is not None and current.parent.type != "statement_block":
        if current.type in syntax.FUNCTION_TYPES:
            return None
        current = current.parent
    return current if current is not None and current.parent is not None else None


def _body_schema(ctx: FileContext, source: Node) -> tuple[Node, Z | None]:
    """The expression to replace with `parsed.data` and the body's schema (None: nothing to go on)."""
    builder = ZodBuilder(_type_scope(ctx), syntax.quote_of(ctx.source))
    outer = source
    while outer.parent is not None and outer.parent.type == "parenthesized_expression":
        outer = outer.parent
    if outer.parent is not None and outer.parent.type in ("as_expression", "satisfies_expression"):
        typed = builder.of_type(outer.parent.named_children[-1])
        return outer.parent, typed if typed.kind == "object" and typed.fields else None
    declarator = outer.parent
    if declarator is None or declarator.type != "variable_declarator":
        return outer, None
    annotation = declarator.child_by_field_name("type")
    if annotation is not None:
        typed = builder.of_type(annotation)
        return outer, typed if typed.kind == "object" and typed.fields else None
    target = declarator.child_by_field_name("name")
    keys = _read_keys(ctx, declarator, target)
    return outer, obj([(key, unknown()) for key in keys]) if keys else None


def _read_keys(ctx: FileContext, declarator: Node, target: Node | None) -> list[str]:
    """Fields the handler reads from the body: `const { a, b } = ...` or `body.a` / `body?.a`."""
    if target is None:
        return []
    if target.type == "object_pattern":
        keys = []
        for child in target.named_children:
            if child.type == "shorthand_property_identifier_pattern":
                keys.append(syntax.text(child))
            elif child.type == "pair_pattern":
                keys.append(syntax.text(child.child_by_field_name("key")))
            elif child.type == "object_assignment_pattern":
                keys.append(syntax.text(child.child_by_field_name("left")))
            else:
                return []
        return keys
    if target.type != "identifier":
        return []
    scope = syntax.enclosing_function(declarator)
    if scope is None:
        return []
    name, keys = syntax.text(target), []
    for use in ctx.descendants(scope, "identifier"):
        if syntax.text(use) != name or use.start_byte < declarator.end_byte or declaration_of(use) != declarator:
            continue
        member = use.parent
        if member is None or member.type != "member_expression" or member.child_by_field_name("object") != use:
            return []  # the body goes somewhere whole: its keys are not ours to list
        key = syntax.text(member.child_by_field_name("property"))
        if key not in keys:
            keys.append(key)
    return keys
