"""Deterministic generator of a realistic Next.js + Supabase + Stripe app, for benchmarks.

    python benchmarks/generate_app.py OUT --files 1300 --migrations 1000 --seed 7

The same seed gives byte-identical output, so numbers can be compared across machines without
fetching anyone's code. Files mix correct code and the anti-patterns the rules look for, at
roughly the rate real apps have them.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from pathlib import Path

ENTITIES = ["product", "order", "invoice", "review", "coupon", "address", "cart", "wishlist", "ticket",
            "payout", "shipment", "category", "profile", "message", "subscription", "refund"]
COLUMNS = ["title", "status", "amount_cents", "currency", "note", "quantity", "slug", "priority", "region",
           "description", "sku", "rating", "starts_at", "ends_at", "visibility", "label"]


class AppWriter:
    def __init__(self, out: Path, seed: int) -> None:
        self.out = out
        self.rng = random.Random(seed)
        self.files = 0
        self.tables: dict[str, list[str]] = {}  # what the migrations create, for the generated types

    def write(self, rel: str, text: str) -> None:
        target = self.out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        self.files += 1

    def columns(self, count: int) -> list[str]:
        return self.rng.sample(COLUMNS, count)


def scaffold(app: AppWriter) -> None:
    app.write("package.json", json.dumps({
        "name": "generated-shop", "private": True,
        "dependencies": {"next": "16.0.3", "react": "19.2.0", "@supabase/ssr": "0.7.0",
                         "@supabase/supabase-js": "2.81.0", "stripe": "19.1.0", "zod": "^4.1.0"},
    }, indent=2) + "\n")
    app.write("tsconfig.json", json.dumps({"compilerOptions": {"strict": True, "baseUrl": ".",
                                                               "paths": {"@/*": ["./*"]}}}, indent=2) + "\n")
    app.write("lib/supabase/server.ts", """import { createServerClient } from '@supabase/ssr';
import { cookies } from 'next/headers';

export async function createClient() {
  const cookieStore = await cookies();
  return createServerClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!, {
    cookies: {
      getAll: () => cookieStore.getAll(),
      setAll: (items) => items.forEach(({ name, value, options }) => cookieStore.set(name, value, options)),
    },
  });
}
""")
    app.write("lib/supabase/admin.ts", """import { createClient } from '@supabase/supabase-js';

export function createAdminClient() {
  return createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!);
}
""")
    app.write("lib/auth.ts", """import { redirect } from 'next/navigation';
import { createClient } from '@/lib/supabase/server';

export async function requireUser() {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) redirect('/login');
  return user;
}
""")


def action_function(app: AppWriter, entity: str, index: int) -> str:
    rng = app.rng
    cols = ", ".join(["id", *app.columns(3)])
    select = "'*'" if rng.random() < 0.1 else f"'{cols}'"
    guard = "" if rng.random() < 0.08 else (
        "  const { data: { user } } = await supabase.auth.getUser();\n  if (!user) throw new Error('Unauthorized');\n")
    tag = f"revalidateTag('{entity}s')" if rng.random() < 0.1 else f"revalidateTag('{entity}s', 'max')"
    kind = rng.choice(["list", "get", "update"])
    if kind == "list":
        body = (f"  const {{ data, error }} = await supabase.from('{entity}s').select({select}).limit(50);\n"
                "  if (error) return { ok: false as const, error: 'Could not load' };\n"
                "  return { ok: true as const, data };\n")
    elif kind == "get":
        body = (f"  const {{ data, error }} = await supabase.from('{entity}s').select({select})"
                ".eq('id', id).single();\n"
                "  if (error) return { ok: false as const, error: 'Not found' };\n"
                "  return { ok: true as const, data };\n")
    else:
        col = app.columns(1)[0]
        body = (f"  const parsed = Update{entity.title()}Schema.safeParse({{ id, value }});\n"
                "  if (!parsed.success) return { ok: false as const, error: 'Invalid input' };\n"
                f"  const {{ error }} = await supabase.from('{entity}s').update({{ {col}: parsed.data.value }})"
                ".eq('id', parsed.data.id);\n"
                "  if (error) return { ok: false as const, error: 'Could not save' };\n"
                f"  {tag};\n"
                "  return { ok: true as const };\n")
    return (f"export async function {kind}{entity.title()}{index}(id: string, value: string) {{\n"
            "  const supabase = await createClient();\n" + guard + body + "}\n")


def action_module(app: AppWriter, entity: str, functions: int, start: int) -> str:
    header = (
        "'use server';\n\nimport { revalidateTag } from 'next/cache';\nimport { z } from 'zod';\n"
        "import { createClient } from '@/lib/supabase/server';\n\n"
        f"const Update{entity.title()}Schema = z.object({{ id: z.string().uuid(), value: z.string().max(200) }});\n\n"
    )
    return header + "\n".join(action_function(app, entity, start + i) for i in range(functions))


def route_module(app: AppWriter, entity: str) -> str:
    cols = ", ".join(["id", *app.columns(2)])
    return f"""import {{ NextResponse, type NextRequest }} from 'next/server';
import {{ createClient }} from '@/lib/supabase/server';

export async function GET(request: NextRequest) {{
  const supabase = await createClient();
  const {{ data: {{ user }} }} = await supabase.auth.getUser();
  if (!user) return NextResponse.json({{ error: 'Unauthorized' }}, {{ status: 401 }});
  const page = Number(request.nextUrl.searchParams.get('page') ?? '0');
  const {{ data, error }} = await supabase.from('{entity}s').select('{cols}').range(page * 20, page * 20 + 19);
  if (error) return NextResponse.json({{ error: 'Could not load' }}, {{ status: 500 }});
  return NextResponse.json({{ items: data }});
}}
"""


def component_module(app: AppWriter, entity: str, index: int) -> str:
    return f"""'use client';

import {{ useState }} from 'react';

export function {entity.title()}Card{index}({{ title, count }}: {{ title: string; count: number }}) {{
  const [open, setOpen] = useState(false);
  return (
    <section className="card">
      <button onClick={{() => setOpen(!open)}}>{{title}} · {{count}} 🛒</button>
      {{open ? <p>{{title.toUpperCase()}}</p> : null}}
    </section>
  );
}}
"""


def page_module(app: AppWriter, entity: str) -> str:
    cols = ", ".join(["id", *app.columns(2)])
    return f"""import {{ createClient }} from '@/lib/supabase/server';

export default async function {entity.title()}Page() {{
  const supabase = await createClient();
  const {{ data, error }} = await supabase.from('{entity}s').select('{cols}').limit(20);
  if (error) return <p>Could not load {entity}s.</p>;
  return <ul>{{data.map((row) => <li key={{row.id}}>{{row.id}}</li>)}}</ul>;
}}
"""


def migration(app: AppWriter, index: int) -> str:
    entity = f"{ENTITIES[index % len(ENTITIES)]}s"
    table = entity if index < len(ENTITIES) else f"{entity}_{index}"
    cols = COLUMNS if index < len(ENTITIES) else app.columns(4)
    body = f"create table public.{table} (\n  id uuid primary key default gen_random_uuid(),\n"
    body += "  owner_id uuid not null references auth.users (id),\n"
    body += "".join(f"  {c} text,\n" for c in cols)
    body += "  created_at timestamptz not null default now()\n);\n"
    app.tables[table] = ["id", "owner_id", *cols, "created_at"]
    body += f"alter table public.{table} enable row level security;\n"
    body += (f"create policy \"{table} owner read\" on public.{table} for select to authenticated\n"
             f"  using ((select auth.uid()) = owner_id);\n")
    if app.rng.random() < 0.2:
        body += (f"create or replace function public.count_{table}() returns bigint language sql security definer\n"
                 f"set search_path = '' as $$ select count(*) from public.{table} $$;\n")
    if app.rng.random() < 0.3:
        body += f"alter table public.{table} add column archived_at timestamptz;\n"
        app.tables[table].append("archived_at")
    return body


def generated_types(tables: dict[str, list[str]], target_bytes: int) -> str:
    """Supabase-generated types for the migrations' tables, in order, until about `target_bytes`."""
    parts = ["export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];\n\n",
             "export type Database = {\n  public: {\n    Tables: {\n"]
    size = 0
    for name, columns in tables.items():
        if size >= target_bytes:
            break
        row = "".join(f"          {c}: string{' | null' if c not in ('id', 'owner_id') else ''};\n" for c in columns)
        optional = "".join(f"          {c}?: string | null;\n" for c in columns)
        block = (f"      {name}: {{\n        Row: {{\n{row}        }};\n"
                 f"        Insert: {{\n{optional}        }};\n"
                 f"        Update: {{\n{optional}        }};\n"
                 "        Relationships: [];\n      };\n")
        parts.append(block)
        size += len(block)
    parts.append("    };\n    Views: {};\n    Functions: {};\n    Enums: {};\n  };\n};\n")
    return "".join(parts)


def generate(out: Path, files: int, migrations: int, seed: int) -> int:
    app = AppWriter(out, seed)
    scaffold(app)
    for index in range(migrations):
        app.write(f"supabase/migrations/2025{index // 100:04d}{index % 100:02d}0000_m{index:04d}.sql",
                  migration(app, index))
    app.write("types/database.types.ts", generated_types(app.tables, 100_000))
    makers: list[tuple[float, Callable[[int], None]]] = [
        (0.35, lambda i: app.write(f"app/actions/{ENTITIES[i % 16]}-{i}.ts",
                                   action_module(app, ENTITIES[i % 16], app.rng.randint(2, 6), i * 10))),
        (0.15, lambda i: app.write(f"app/api/{ENTITIES[i % 16]}s/{i}/route.ts", route_module(app, ENTITIES[i % 16]))),
        (0.35, lambda i: app.write(f"components/{ENTITIES[i % 16]}-card-{i}.tsx",
                                   component_module(app, ENTITIES[i % 16], i))),
        (0.15, lambda i: app.write(f"app/(shop)/{ENTITIES[i % 16]}s-{i}/page.tsx", page_module(app, ENTITIES[i % 16]))),
    ]
    index = 0
    while app.files < files + migrations:
        roll, acc = app.rng.random(), 0.0
        for weight, make in makers:
            acc += weight
            if roll < acc:
                make(index)
                break
        index += 1
    return app.files


def big_action_file(lines: int, seed: int = 1) -> str:
    """A server-action module of about `lines` lines, for keystroke latency."""
    app = AppWriter(Path("/nonexistent"), seed)
    text = action_module(app, "order", 1, 0)
    index = 1
    while text.count("\n") < lines:
        text += "\n" + action_function(app, ENTITIES[index % 16], index)
        index += 1
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=1300, help="TypeScript files (besides migrations)")
    parser.add_argument("--migrations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    written = generate(args.out, args.files, args.migrations, args.seed)
    print(f"wrote {written} files to {args.out}")


if __name__ == "__main__":
    main()
