"""Fix recipes beyond what the rule files show: zod schema generation, CRLF files, the second actions
(updateTag, all columns), the cases where no fix is offered, and the stripe migration file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from treido_ls.fixes import apply_edits, fixes_to_apply
from treido_ls.fixes_zod import TypeScope, ZodBuilder, pascal_case, render
from treido_ls.linter import lint_source
from treido_ls.model import Finding
from treido_ls.parsing import Lang, lang_for_path, parse
from treido_ls.project import Project
from treido_ls.registry import rule_ids

PACKAGE = {"name": "fixture", "dependencies": {"next": "16.0.0", "zod": "^4.1.0"}}


def lint(root: Path, path: str, code: str, files: dict[str, str] | None = None) -> tuple[bytes, list[Finding]]:
    (root / "package.json").write_text(json.dumps(PACKAGE))
    for rel, text in {**(files or {}), path: code}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(text.encode())
    source = code.encode()
    return source, lint_source(Project(root, rule_ids()), path, source).findings


def of_rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule]


def apply_first(source: bytes, findings: list[Finding], rule: str) -> bytes:
    fixes = fixes_to_apply(of_rule(findings, rule), include_unsafe=True)
    return apply_edits(source, [e for fix in fixes for e in fix.edits])


def parses(path: str, text: bytes) -> bool:
    lang = lang_for_path(path)
    assert lang is not None
    return not parse(lang, text).root_node.has_error


# -- zod schema generation ---------------------------------------------------------------------------------


def schema_of(code: str, type_text: str) -> str:
    """Render the zod schema of `type_text` with `code`'s declarations in scope."""
    source = f"{code}\ntype __Probe = {type_text};\n".encode()
    root = parse(Lang.TYPESCRIPT, source).root_node
    probe = root.named_children[-1].child_by_field_name("value")
    return render(ZodBuilder(TypeScope.of(root)).of_type(probe), "", "  ")


@pytest.mark.parametrize(("type_text", "expected"), [
    ("string", "z.string()"),
    ("number", "z.number()"),
    ("boolean", "z.boolean()"),
    ("'a' | 'b'", 'z.enum(["a", "b"])'),
    ("1 | 2", "z.union([z.literal(1), z.literal(2)])"),
    ("string | number", "z.union([z.string(), z.number()])"),
    ("string | null", "z.string().nullable()"),
    ("string | null | undefined", "z.string().nullable().optional()"),
    ("true | false", "z.boolean()"),
    ("string[]", "z.array(z.string())"),
    ("Array<number>", "z.array(z.number())"),
    ("readonly string[]", "z.array(z.string())"),
    ("[string, number]", "z.tuple([z.string(), z.number()])"),
    ("Record<string, number>", "z.record(z.string(), z.number())"),
    ("Date", "z.coerce.date()"),
    ("File", "z.instanceof(File)"),
    ("unknown", "z.unknown()"),
    ("Promise<string>", "z.unknown()"),
    ("Stripe.Customer", "z.unknown()"),
])
def test_types_map_to_the_common_zod_subset(type_text: str, expected: str) -> None:
    assert schema_of("", type_text) == expected


def test_object_types_render_one_field_a_line_with_todos_for_unknowns() -> None:
    assert schema_of("", "{ a: string; b?: number; 'two words': unknown; c: any[] }") == (
        "z.object({\n"
        "  a: z.string(),\n"
        "  b: z.number().optional(),\n"
        '  "two words": z.unknown(), // TODO: describe\n'
        "  c: z.array(z.unknown()), // TODO: describe\n"
        "})"
    )


def test_interfaces_extend_and_aliases_resolve_in_the_same_file() -> None:
    code = "interface Base { id: string }\ninterface Item extends Base { qty: number }\ntype Alias = Item[];"
    assert schema_of(code, "Alias") == "z.array(z.object({\n  id: z.string(),\n  qty: z.number(),\n}))"


def test_recursive_and_generic_types_are_left_to_the_author() -> None:
    assert schema_of("type Tree = { children: Tree[] };", "Tree") == (
        "z.object({\n  children: z.array(z.unknown()), // TODO: describe\n})")
    assert schema_of("type Box<T> = { value: T };", "Box<string>") == "z.unknown()"
    assert schema_of("interface A extends Missing { x: string }", "A") == "z.unknown()"


def test_pascal_case_names_the_schema() -> None:
    assert pascal_case("updateQuantity") == "UpdateQuantity"
    assert pascal_case("POST") == "Post"
    assert pascal_case("add_item") == "AddItem"


# -- server actions and route handlers ---------------------------------------------------------------------

ACTION = (
    '"use server";\r\n'
    'import * as z from "zod";\r\n'
    'import { createClient } from "@/lib/supabase/server";\r\n'
    "\r\n"
    "export async function rename(listId: string, title: string) {\r\n"
    "  const parsed = 1;\r\n"
    "  const supabase = await createClient();\r\n"
    '  await supabase.from("lists").update({ title }).eq("id", listId).select("id");\r\n'
    "  return parsed;\r\n"
    "}\r\n"
)


def test_action_fix_keeps_crlf_reuses_the_zod_namespace_and_avoids_taken_names(tmp_path: Path) -> None:
    path = "app/actions/lists.ts"
    source, findings = lint(tmp_path, path, ACTION)
    assert of_rule(findings, "validation/unvalidated-action-input")
    fixed = apply_first(source, findings, "validation/unvalidated-action-input")
    assert parses(path, fixed)
    assert b"\n" not in fixed.replace(b"\r\n", b"")  # every line ending stays CRLF
    text = fixed.decode()
    assert text.count("from \"zod\"") == 1
    assert "const RenameSchema = z.object({\r\n  listId: z.string(),\r\n  title: z.string(),\r\n});" in text
    assert "const parsedInput = RenameSchema.safeParse({ listId, title });" in text
    assert ".update({ title: parsedInput.data.title }).eq(\"id\", parsedInput.data.listId)" in text
    _, after = lint(tmp_path, path, text)
    assert not of_rule(after, "validation/unvalidated-action-input")


def test_form_data_fields_and_the_previous_state(tmp_path: Path) -> None:
    code = (
        "'use server'\n"
        "import { createClient } from '@/lib/supabase/server'\n"
        "\n"
        "export async function addTodo(_prev: unknown, formData: FormData) {\n"
        "  const supabase = await createClient()\n"
        "  const tags = formData.getAll('tags')\n"
        "  const { error } = await supabase.from('todos').insert({ title: formData.get('title') as string, tags })\n"
        "  if (error) return { error: 'Could not add' }\n"
        "  return { error: null }\n"
        "}\n"
    )
    source, findings = lint(tmp_path, "app/actions/todos.ts", code)
    fixed = apply_first(source, findings, "validation/unvalidated-action-input").decode()
    assert "const AddTodoSchema = z.object({\n  tags: z.array(z.string()),\n  title: z.string(),\n})" in fixed
    assert "tags: formData.getAll('tags')" in fixed and "title: formData.get('title') }" in fixed
    assert "if (!parsed.success) return { error: 'Invalid input' }\n" in fixed
    assert "insert({ title: parsed.data.title, tags })" in fixed and "const tags = parsed.data.tags" in fixed
    assert "import { z } from 'zod'\nimport { createClient }" in fixed


def test_no_action_fix_for_destructured_parameters_or_form_data_passed_on(tmp_path: Path) -> None:
    code = (
        '"use server";\n'
        'import { createClient } from "@/lib/supabase/server";\n'
        "export async function a({ id }: { id: string }) {\n"
        "  const supabase = await createClient();\n"
        '  await supabase.from("t").delete().eq("id", id);\n'
        "}\n"
        "export async function b(formData: FormData) {\n"
        "  const supabase = await createClient();\n"
        '  await supabase.from("t").insert(Object.fromEntries(formData));\n'
        "}\n"
    )
    _, findings = lint(tmp_path, "app/actions/t.ts", code)
    flagged = of_rule(findings, "validation/unvalidated-action-input")
    assert flagged and all(not f.fixes for f in flagged)


def test_route_handler_fix_keeps_crlf_and_answers_400(tmp_path: Path) -> None:
    code = (
        'import { createClient } from "@/lib/supabase/server";\r\n'
        "\r\n"
        "export async function PUT(req: Request) {\r\n"
        "  const supabase = await createClient();\r\n"
        "  const body: { name: string } = await req.json();\r\n"
        '  await supabase.from("t").update({ name: body.name }).eq("id", 1);\r\n'
        '  return Response.json({ ok: true });\r\n'
        "}\r\n"
    )
    path = "app/api/t/route.ts"
    source, findings = lint(tmp_path, path, code)
    fixed = apply_first(source, findings, "validation/unvalidated-request-body")
    assert parses(path, fixed) and b"\n" not in fixed.replace(b"\r\n", b"")
    text = fixed.decode()
    assert "const PutBodySchema = z.object({\r\n  name: z.string(),\r\n});" in text
    assert ('  const parsed = PutBodySchema.safeParse(await req.json());\r\n  if (!parsed.success) return '
            'Response.json({ error: "Invalid request body" }, { status: 400 });\r\n'
            "  const body: { name: string } = parsed.data;") in text


def test_no_body_fix_when_the_body_goes_on_whole(tmp_path: Path) -> None:
    code = (
        'import { createClient } from "@/lib/supabase/server";\n'
        "export async function POST(req: Request) {\n"
        "  const supabase = await createClient();\n"
        "  const body = await req.json();\n"
        '  await supabase.from("t").insert(body);\n'
        '  return Response.json({ ok: true });\n'
        "}\n"
    )
    _, findings = lint(tmp_path, "app/api/t/route.ts", code)
    flagged = of_rule(findings, "validation/unvalidated-request-body")
    assert flagged and not flagged[0].fixes


# -- wildcard select ---------------------------------------------------------------------------------------

MIGRATION = {"supabase/migrations/20250101000000_init.sql":
             "create table public.posts (id uuid primary key, title text not null, body text, author_id uuid);\n"}


def test_wildcard_fix_needs_a_known_schema(tmp_path: Path) -> None:
    code = "export async function f(s: any) {\n  return s.from('posts').select('*').limit(5);\n}\n"
    _, findings = lint(tmp_path, "lib/posts.ts", code)
    assert of_rule(findings, "supabase/wildcard-select")[0].fixes == []


def test_wildcard_offers_the_fields_read_first_then_every_column(tmp_path: Path) -> None:
    code = (
        "export async function titles(s: any) {\r\n"
        "  const { data } = await s.from('posts').select('*').limit(5);\r\n"
        "  return data?.map((post: { title: string }) => post.title) ?? [];\r\n"
        "}\r\n"
        "export async function one(s: any) {\r\n"
        "  const { data } = await s.from('posts').select('id, *').single();\r\n"
        "  return data;\r\n"
        "}\r\n"
    )
    source, findings = lint(tmp_path, "lib/posts.ts", code, MIGRATION)
    first, second = of_rule(findings, "supabase/wildcard-select")
    assert [f.title.split(" (")[0] for f in first.fixes] == [
        "Select only the fields this function reads",
        "Replace the wildcard with explicit columns: every column of `posts`",
    ]
    assert apply_edits(source, first.fixes[0].edits).count(b"select('title')") == 1
    assert apply_edits(source, first.fixes[1].edits).count(b"select('id, title, body, author_id')") == 1
    assert len(second.fixes) == 1  # the rows leave the function: every column, minus the one listed
    assert b"select('id, title, body, author_id').single()" in apply_edits(source, second.fixes[0].edits)


# -- revalidateTag / updateTag -----------------------------------------------------------------------------


def test_update_tag_is_offered_in_server_actions_and_imported_once(tmp_path: Path) -> None:
    code = (
        "'use server'\r\n"
        "import { revalidateTag } from 'next/cache'\r\n"
        "export async function a() { revalidateTag('x') }\r\n"
    )
    source, findings = lint(tmp_path, "app/actions/cache.ts", code)
    (finding,) = of_rule(findings, "next/revalidate-tag-missing-profile")
    assert [f.title.split(" (")[0] for f in finding.fixes] == ["Add the 'max' profile", "Use `updateTag(tag)` instead"]
    assert apply_edits(source, finding.fixes[1].edits) == (
        b"'use server'\r\nimport { revalidateTag, updateTag } from 'next/cache'\r\n"
        b"export async function a() { updateTag('x') }\r\n")


def test_update_tag_reuses_an_import_and_a_namespace(tmp_path: Path) -> None:
    code = (
        'import * as cache from "next/cache";\n'
        "export async function a() {\n"
        '  "use server";\n'
        '  cache.revalidateTag("x");\n'
        "}\n"
    )
    source, findings = lint(tmp_path, "app/page.ts", code)
    (finding,) = of_rule(findings, "next/revalidate-tag-missing-profile")
    assert apply_edits(source, finding.fixes[1].edits).endswith(b'  cache.updateTag("x");\n}\n')


def test_no_update_tag_outside_server_actions(tmp_path: Path) -> None:
    code = 'import { revalidateTag } from "next/cache";\nexport async function GET() { revalidateTag("x"); }\n'
    _, findings = lint(tmp_path, "app/api/x/route.ts", code)
    (finding,) = of_rule(findings, "next/revalidate-tag-missing-profile")
    assert len(finding.fixes) == 1


# -- stripe idempotency ------------------------------------------------------------------------------------

WEBHOOK = (
    "import Stripe from 'stripe'\r\n"
    "import { createAdminClient } from '@/lib/supabase/admin'\r\n"
    "const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!)\r\n"
    "export async function POST(req: Request) {\r\n"
    "\tconst supabase = createAdminClient()\r\n"
    "\tconst event = stripe.webhooks.constructEvent(await req.text(), req.headers.get('stripe-signature')!, 's')\r\n"
    "\tif (event.type === 'invoice.paid') {\r\n"
    "\t\tawait supabase.from('credits').insert({ amount: 10 })\r\n"
    "\t}\r\n"
    "\treturn new Response('ok')\r\n"
    "}\r\n"
)


def test_idempotency_fix_in_a_crlf_tab_file_with_a_new_migration(tmp_path: Path) -> None:
    path = "app/api/webhooks/stripe/route.ts"
    source, findings = lint(tmp_path, path, WEBHOOK)
    (finding,) = of_rule(findings, "stripe/webhook-not-idempotent")
    (fix,) = finding.fixes
    fixed = apply_edits(source, fix.edits)
    assert parses(path, fixed) and b"\n" not in fixed.replace(b"\r\n", b"")
    assert (b"\tconst { error: duplicate } = await supabase.from('processed_events')"
            b".insert({ id: event.id, type: event.type })\r\n\tif (duplicate) {\r\n"
            b"\t\tif (duplicate.code === '23505') return Response.json({ received: true })\r\n"
            b"\t\tthrow duplicate\r\n\t}\r\n\tif (event.type") in fixed
    (migration,) = fix.file_edits
    assert migration.path.startswith("supabase/migrations/") and migration.path.endswith("_processed_events.sql")
    assert "create table if not exists public.processed_events" in migration.text
    _, after = lint(tmp_path, path, fixed.decode())
    assert not of_rule(after, "stripe/webhook-not-idempotent")


def test_idempotency_fix_uses_the_configured_table_and_its_existing_migration(tmp_path: Path) -> None:
    files = {
        "treido.json": json.dumps({"project": {"processedEventsTable": "stripe_events"}}),
        "supabase/migrations/20250101000000_events.sql": "create table public.stripe_events (id text primary key, "
                                                         "type text not null);\n",
    }
    source, findings = lint(tmp_path, "app/api/webhooks/stripe/route.ts", WEBHOOK, files)
    (fix,) = of_rule(findings, "stripe/webhook-not-idempotent")[0].fixes
    assert fix.file_edits == ()
    assert b"supabase.from('stripe_events')" in apply_edits(source, fix.edits)


def test_no_idempotency_fix_without_a_client_in_scope(tmp_path: Path) -> None:
    code = WEBHOOK.replace("\tconst supabase = createAdminClient()\r\n", "").replace(
        "await supabase.from", "await createAdminClient().from")
    _, findings = lint(tmp_path, "app/api/webhooks/stripe/route.ts", code)
    (finding,) = of_rule(findings, "stripe/webhook-not-idempotent")
    assert finding.fixes == []


def test_idempotency_fix_calls_a_factory_the_handler_uses_later(tmp_path: Path) -> None:
    code = WEBHOOK.replace("\tconst supabase = createAdminClient()\r\n", "").replace(
        "\tif (event.type === 'invoice.paid') {\r\n", "\tif (event.type === 'invoice.paid') {\r\n"
        "\t\tconst supabase = createAdminClient()\r\n")
    source, findings = lint(tmp_path, "app/api/webhooks/stripe/route.ts", code)
    (fix,) = of_rule(findings, "stripe/webhook-not-idempotent")[0].fixes
    assert b"await createAdminClient().from('processed_events')" in apply_edits(source, fix.edits)


def test_an_interface_imported_from_a_project_file_is_read(tmp_path: Path) -> None:
    types = "export interface ReviewInput {\n  productId: string;\n  rating: 1 | 2 | 3;\n  visitedAt?: Date;\n}\n"
    code = (
        '"use server";\n'
        'import { createClient } from "@/lib/supabase/server";\n'
        'import type { ReviewInput } from "./review-types";\n'
        "\n"
        "export async function postReview(input: ReviewInput) {\n"
        "  const supabase = await createClient();\n"
        '  await supabase.from("reviews").insert({ product_id: input.productId, rating: input.rating });\n'
        "}\n"
    )
    source, findings = lint(tmp_path, "app/actions/reviews.ts", code, {"app/actions/review-types.ts": types})
    fixed = apply_first(source, findings, "validation/unvalidated-action-input").decode()
    assert (
        "const PostReviewSchema = z.object({\n"
        "  productId: z.string(),\n"
        "  rating: z.union([z.literal(1), z.literal(2), z.literal(3)]),\n"
        "  visitedAt: z.coerce.date().optional(),\n"
        "});\n"
    ) in fixed
    assert "const parsed = PostReviewSchema.safeParse(input);" in fixed
    assert "insert({ product_id: parsed.data.productId, rating: parsed.data.rating })" in fixed


RESULT_EXIT = "return { ok: false, error: 'Invalid input' }"
THROW_EXIT = "throw new Error('Invalid input')"


@pytest.mark.parametrize(("extra", "signature", "expected"), [
    ("", "", RESULT_EXIT),
    ("export async function other() { return { ok: false, error: 'No' } }\n", "", RESULT_EXIT),
    ("export async function other() { return { error: 'No' } }\n", ": Promise<void>", THROW_EXIT),
    ("export async function other() { throw new Error('No') }\n", "", THROW_EXIT),
])
def test_the_failure_exit_follows_the_file(tmp_path: Path, extra: str, signature: str, expected: str) -> None:
    code = (
        "'use server'\n"
        "import { createClient } from '@/lib/supabase/server'\n"
        f"{extra}"
        f"export async function remove(id: string){signature} {{\n"
        "  const supabase = await createClient()\n"
        "  await supabase.from('t').delete().eq('id', id)\n"
        "}\n"
    )
    source, findings = lint(tmp_path, "app/actions/t.ts", code)
    fixed = apply_first(source, findings, "validation/unvalidated-action-input").decode()
    assert f"  if (!parsed.success) {expected}\n" in fixed
