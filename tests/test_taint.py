"""Unit tests for checks/_taint.py: which expressions of a function carry untrusted input."""

from __future__ import annotations

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks._taint import FIELD, PARAM, QUERY, ROUTE, Taint, describe
from treido_ls.parsing import Lang, parse

_NOT_VALUES = frozenset({"string_fragment", "property_identifier", "shorthand_property_identifier_pattern"})


def _fn(code: str) -> tuple[Node, bytes]:
    source = code.encode()
    root = parse(Lang.TYPESCRIPT, source).root_node
    fn = next(n for n in syntax.walk(root) if n.type in ("function_declaration", "arrow_function"))
    return fn, source


def _expr(fn: Node, text: str, nth: int = 0) -> Node:
    """The `nth` outermost node whose text is `text` (a call argument, a value, ...)."""
    found = [n for n in syntax.walk(fn) if n.is_named and syntax.text(n) == text and n.type not in _NOT_VALUES]
    outer = [n for n in found if n.parent is None or syntax.text(n.parent) != text]
    return outer[nth]


def _labels(taint: Taint, node: Node) -> set[str]:
    return {source.label for source in taint.sources(node)}


def action(code: str, **kwargs: object) -> tuple[Taint, Node]:
    fn, _ = _fn(code)
    return Taint.for_action(fn, **kwargs), fn  # type: ignore[arg-type]


def handler(code: str) -> tuple[Taint, Node]:
    fn, _ = _fn(code)
    return Taint.for_route_handler(fn), fn


def test_parameters_are_sources_and_flow_through_locals() -> None:
    taint, fn = action("""
async function act(id: string, input: { note: string }) {
  const key = id;
  const { note } = input;
  const row = { id: key, text: `${note.trim()}!` };
  save(row, key, note, 'x', 1);
}""")
    assert _labels(taint, _expr(fn, "row", 1)) == {"parameter `id`", "parameter `input`"}
    assert _labels(taint, _expr(fn, "key", 2)) == {"parameter `id`"}
    assert _labels(taint, _expr(fn, "'x'")) == set()
    assert all(s.kind == PARAM for s in taint.sources(_expr(fn, "note", 1)))


def test_form_fields_are_named() -> None:
    taint, fn = action("""
async function act(formData: FormData) {
  const qty = Number(formData.get('quantity'));
  const all = Object.fromEntries(formData);
  use(qty, all);
}""")
    qty = taint.sources(_expr(fn, "qty", 1))
    assert {s.label for s in qty} == {"form field `quantity`"}
    assert {s.kind for s in qty} == {FIELD}
    assert _labels(taint, _expr(fn, "all", 1)) == {"parameter `formData`"}


def test_schema_parse_ends_taint() -> None:
    taint, fn = action("""
async function act(input: unknown, raw: FormData) {
  const parsed = Schema.safeParse(input);
  if (!parsed.success) return;
  const { productId } = parsed.data;
  const other = z.object({ a: z.string() }).parse(raw);
  const json = JSON.parse(String(raw.get('x')));
  use(productId, other.a, parsed.data.quantity, json);
}""")
    assert _labels(taint, _expr(fn, "productId")) == set()
    assert _labels(taint, _expr(fn, "other.a")) == set()
    assert _labels(taint, _expr(fn, "parsed.data.quantity")) == set()
    assert _labels(taint, _expr(fn, "json", 1)) == {"form field `x`"}  # JSON.parse is not validation


def test_partly_validated_input_keeps_the_raw_part() -> None:
    taint, fn = action("""
async function act(productId: string, rating: unknown) {
  const stars = RatingSchema.parse(rating);
  write({ product_id: productId, rating: stars });
}""")
    arg = _expr(fn, "{ product_id: productId, rating: stars }")
    parts = [(syntax.text(node), {s.label for s in found}) for node, found in taint.occurrences(arg)]
    assert parts == [("productId", {"parameter `productId`"})]


def test_server_data_and_unknown_calls_are_trusted() -> None:
    taint, fn = action("""
async function act(id: string) {
  const { data: { user } } = await supabase.auth.getUser();
  const { data: row } = await supabase.from('t').select('id').eq('id', id).single();
  const helper = normalise(id);
  use(user.id, row.id, helper, id.length, typeof id);
}""")
    for text in ("user.id", "row.id", "helper", "id.length", "typeof id"):
        assert _labels(taint, _expr(fn, text, 1 if text == "helper" else 0)) == set(), text


def test_latest_assignment_wins_and_assertions_vouch_for_values() -> None:
    taint, fn = action("""
async function act(input: unknown) {
  let value = input;
  value = Schema.parse(value);
  assertValid(input);
  use(value, input);
}""", validators=["assertValid"])
    assert _labels(taint, _expr(fn, "value", 3)) == set()
    assert _labels(taint, _expr(fn, "input", 3)) == set()
    # ... but an asserted object still carries the caller's extra keys
    assert {s.label for s in taint.whole(_expr(fn, "input", 3))} == {"parameter `input`"}


def test_loops_and_iteration_callbacks_carry_elements() -> None:
    taint, fn = action("""
async function act(items: Item[]) {
  for (const item of items) { write(item.id); }
  items.forEach((entry) => write(entry.id));
  const label = 'x';
  [1, 2].map((n) => write(n));
}""")
    assert _labels(taint, _expr(fn, "item.id")) == {"parameter `items`"}
    assert _labels(taint, _expr(fn, "entry.id")) == {"parameter `items`"}
    assert _labels(taint, _expr(fn, "n", 1)) == set()


def test_nested_parameters_shadow_outer_names() -> None:
    taint, fn = action("""
async function act(id: string) {
  const rows = list.map((id) => ({ id }));
  use(rows, id);
}""")
    assert _labels(taint, _expr(fn, "{ id }")) == set()
    assert _labels(taint, _expr(fn, "id", 3)) == {"parameter `id`"}


def test_route_handler_body_query_and_params() -> None:
    taint, fn = handler("""
export async function PATCH(req: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const body = await req.json();
  const q = req.nextUrl.searchParams.get('q');
  const { searchParams, origin } = new URL(req.url);
  const next = searchParams.get('next');
  const { id } = await params;
  const sig = req.headers.get('stripe-signature');
  use(body.name, q, next, origin, id, sig);
}""")
    body = taint.sources(_expr(fn, "body.name"))
    assert {(s.label, syntax.text(_at(fn, s.start, s.end))) for s in body} == {
        ("the request body", "await req.json()")}
    assert _labels(taint, _expr(fn, "q", 1)) == {"query parameter `q`"}
    assert _labels(taint, _expr(fn, "next", 1)) == {"query parameter `next`"}
    assert _labels(taint, _expr(fn, "origin")) == set()
    assert {(s.kind, s.label) for s in taint.sources(_expr(fn, "id"))} == {(FIELD, "route parameter `id`")}
    assert _labels(taint, _expr(fn, "sig", 1)) == set()


def test_route_params_object_and_query_string() -> None:
    taint, fn = handler("""
export async function GET(request: Request, context: { params: { slug: string } }) {
  const url = new URL(request.url);
  use(context.params.slug, Object.fromEntries(url.searchParams), context);
}""")
    assert _labels(taint, _expr(fn, "context.params.slug")) == {"route parameter `slug`"}
    assert {s.kind for s in taint.sources(_expr(fn, "Object.fromEntries(url.searchParams)"))} == {QUERY}
    assert {s.kind for s in taint.sources(_expr(fn, "context", 2))} == {ROUTE}


def test_webhook_event_from_constructevent_is_trusted() -> None:
    taint, fn = handler("""
export async function POST(req: Request) {
  const body = await req.text();
  const event = stripe.webhooks.constructEvent(body, sig, secret);
  use(event.data.object.id, body);
}""")
    assert _labels(taint, _expr(fn, "event.data.object.id")) == set()
    assert _labels(taint, _expr(fn, "body", 2)) == {"the request body"}


def test_whole_objects() -> None:
    taint, fn = action("""
async function act(input: Input, formData: FormData) {
  const fields = Object.fromEntries(formData);
  const parsed = Schema.parse(input);
  const picked = [input].map((i) => ({ name: i.name }));
  write({ ...input, user_id: uid });
  write(fields);
  write({ name: input.name, extra: input.extra });
  write(parsed);
  write(picked);
  write(input.profile ?? {});
  write(formData.get('name'));
}""")
    whole = {text: bool(taint.whole(_expr(fn, text))) for text in (
        "{ ...input, user_id: uid }", "{ name: input.name, extra: input.extra }", "input.profile ?? {}",
        "formData.get('name')")}
    assert whole == {"{ ...input, user_id: uid }": True, "{ name: input.name, extra: input.extra }": False,
                     "input.profile ?? {}": True, "formData.get('name')": False}
    assert taint.whole(_expr(fn, "fields", 1))
    assert not taint.whole(_expr(fn, "parsed", 1))
    assert not taint.whole(_expr(fn, "picked", 1))


def test_validation_calls() -> None:
    taint, fn = action("""
async function act(x: unknown) {
  use(S.parse(x), S.safeParseAsync(x), v.parse(S, x), JSON.parse(x), Date.parse(x), qs.parse(x), check(x));
}""", imports={"qs": "qs"}, validators=["check"])
    calls = [n for n in syntax.walk(fn) if n.type == "call_expression" and syntax.text(n) != syntax.text(fn)]
    verdicts = {syntax.text(c): taint.is_validation(c) for c in calls if not syntax.text(c).startswith("use(")}
    assert verdicts == {"S.parse(x)": True, "S.safeParseAsync(x)": True, "v.parse(S, x)": True,
                        "JSON.parse(x)": False, "Date.parse(x)": False, "qs.parse(x)": False, "check(x)": True}


def test_describe() -> None:
    taint, fn = action("async function act(a: string, b: string) { use(`${a}${b}`); }")
    assert describe(taint.sources(_expr(fn, "`${a}${b}`"))) == "parameter `a` and parameter `b`"
    assert describe([]) == "input"


def _at(fn: Node, start: int, end: int) -> Node:
    node = fn.descendant_for_byte_range(start, end)
    assert node is not None
    while node.parent is not None and (node.start_byte, node.end_byte) != (start, end):
        node = node.parent
    return node


def test_permissive_schemas_keep_extra_keys() -> None:
    taint, fn = action("""
async function act(input: unknown) {
  const b = z.object({ meta: z.record(z.string(), z.string()) }).parse(input);
  const c = z.object({ name: z.string() }).passthrough().safeParse(input);
  write(b, c.data);
}""")
    assert not taint.whole(_expr(fn, "b", 1))
    assert taint.whole(_expr(fn, "c.data"))
    assert not taint.sources(_expr(fn, "c.data"))


def test_permissive_schema_declared_in_the_module() -> None:
    source = b"""
const Loose = z.object({ name: z.string() }).loose();
const Strict = z.object({ name: z.string() });
async function act(input: unknown) {
  write(Loose.parse(input), Strict.parse(input));
}"""
    root = parse(Lang.TYPESCRIPT, source).root_node
    fn = next(n for n in syntax.walk(root) if n.type == "function_declaration")
    taint = Taint.for_action(fn)
    assert taint.whole(_expr(fn, "Loose.parse(input)"))
    assert not taint.whole(_expr(fn, "Strict.parse(input)"))
