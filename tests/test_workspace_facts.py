"""Project facts the schema-aware and cache-tag rules rely on: columns, generated types, cache tags."""

from __future__ import annotations

import os
from pathlib import Path

from treido_ls.linter import lint_source
from treido_ls.project import Project
from treido_ls.registry import rule_ids
from treido_ls.workspace.tags import CacheTagIndex, scan_tags

PACKAGE = '{"dependencies": {"next": "16.0.0"}}'


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def project(root: Path) -> Project:
    return Project(root, rule_ids())


def findings(root: Path, rel: str, rule: str) -> list[tuple[str, str]]:
    source = (root / rel).read_bytes()
    result = lint_source(project(root), rel, source)
    return [(source[f.start : f.end].decode(), f.message) for f in result.findings if f.rule_id == rule]


# -- columns: generated types and migrations --------------------------------------------------------

PROFILES_SQL = "create table public.profiles (id uuid primary key, full_name text);\n"
PROFILES_TYPES = """export type Database = {
  public: { Tables: { profiles: { Row: { id: string; display_name: string | null } } } };
};
"""


def test_generated_types_override_migrations(tmp_path: Path) -> None:
    write(tmp_path, {
        "package.json": PACKAGE,
        "supabase/migrations/20250101000000_profiles.sql": PROFILES_SQL,
        "types/database.types.ts": PROFILES_TYPES,
        "lib/profiles.ts": 'export const q = (s: any) => s.from("profiles").select("id, full_name, display_name");\n',
    })
    proj = project(tmp_path)
    columns = proj.columns_of("profiles")
    assert columns is not None and columns.source == "generated"
    assert columns.names == {"id", "display_name"}
    assert [text for text, _ in findings(tmp_path, "lib/profiles.ts", "supabase/unknown-column")] == ["full_name"]


def test_migrations_are_the_fallback_and_unknown_tables_are_none(tmp_path: Path) -> None:
    write(tmp_path, {"supabase/migrations/20250101000000_profiles.sql": PROFILES_SQL})
    proj = project(tmp_path)
    assert proj.generated_types_path is None and proj.generated_types == {}
    columns = proj.columns_of("profiles")
    assert columns is not None and columns.source == "migrations" and "full_name" in columns
    assert proj.columns_of("nope") is None
    assert proj.columns_of("profiles", schema="private") is None


def test_configured_generated_types_file_wins_over_the_usual_places(tmp_path: Path) -> None:
    write(tmp_path, {
        "treido.json": '{"project": {"generatedTypes": "src/db/schema.ts"}}',
        "types/database.types.ts": PROFILES_TYPES,
        "src/db/schema.ts": PROFILES_TYPES.replace("display_name", "nickname"),
    })
    proj = project(tmp_path)
    assert proj.generated_types_path == "src/db/schema.ts"
    columns = proj.columns_of("profiles")
    assert columns is not None and "nickname" in columns


def test_generated_types_candidates_in_order_and_reread_on_change(tmp_path: Path) -> None:
    write(tmp_path, {"lib/database.types.ts": PROFILES_TYPES, "supabase/types.ts": "export {};\n"})
    proj = project(tmp_path)
    assert proj.generated_types_path == "lib/database.types.ts"
    assert ("public", "profiles") in proj.generated_types
    target = tmp_path / "lib/database.types.ts"
    target.write_text(PROFILES_TYPES.replace("profiles", "accounts"), encoding="utf-8")
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert ("public", "accounts") in proj.generated_types


def test_column_added_by_alter_table_is_known(tmp_path: Path) -> None:
    write(tmp_path, {
        "supabase/migrations/20250101000000_products.sql": "create table public.products (id bigint primary key);\n",
        "supabase/migrations/20250102000000_stock.sql": "alter table public.products add column stock int default 0;\n",
        "lib/stock.ts": 'export const q = (s: any) => s.from("products").select("id, stock").gt("stock", 0);\n',
    })
    columns = project(tmp_path).columns_of("products")
    assert columns is not None and "stock" in columns
    assert findings(tmp_path, "lib/stock.ts", "supabase/unknown-column") == []


def test_renamed_column_is_unknown_under_its_old_name(tmp_path: Path) -> None:
    write(tmp_path, {
        "supabase/migrations/20250101000000_orders.sql": "create table orders (id uuid primary key, total int);\n",
        "supabase/migrations/20250102000000_rename.sql": "alter table orders rename column total to total_cents;\n",
        "lib/orders.ts": 'export const q = (s: any) => s.from("orders").update({ total: 1 }).eq("id", "x");\n',
    })
    found = findings(tmp_path, "lib/orders.ts", "supabase/unknown-column")
    assert [text for text, _ in found] == ["total"]
    assert "did you mean `total_cents`?" in found[0][1]


def test_embedded_select_items_are_checked_against_their_own_table(tmp_path: Path) -> None:
    write(tmp_path, {
        "supabase/migrations/20250101000000_shop.sql": (
            "create table public.orders (id uuid primary key, note text);\n"
            "create table public.items (id uuid primary key, order_id uuid references public.orders, name text);\n"
        ),
        "lib/orders.ts": (
            'export const q = (s: any) => s.from("orders")\n'
            '  .select(`id, note, lines:items!inner(id, name, note), order_id(whatever), count(), nme:id.count()`);\n'
        ),
    })
    found = findings(tmp_path, "lib/orders.ts", "supabase/unknown-column")
    assert [(text, "`items`" in message) for text, message in found] == [("note", True)]


def test_schema_drift_only_on_the_generated_types_file(tmp_path: Path) -> None:
    write(tmp_path, {
        "supabase/migrations/20250101000000_profiles.sql": PROFILES_SQL,
        "types/database.types.ts": PROFILES_TYPES,
        "lib/copy.ts": PROFILES_TYPES,
    })
    drift = findings(tmp_path, "types/database.types.ts", "supabase/schema-drift")
    assert [text for text, _ in drift] == ["profiles"]
    assert "`display_name`" in drift[0][1] and "`full_name`" in drift[0][1]
    assert findings(tmp_path, "lib/copy.ts", "supabase/schema-drift") == []


# -- cache tags -------------------------------------------------------------------------------------

CACHED = """import { cacheTag } from "next/cache";
export async function product(id: string) {
  "use cache";
  cacheTag(`product:${id}`, "catalog");
  return id;
}
"""
REVALIDATE = """import { revalidateTag } from "next/cache";
export async function touch(id: string) {
  revalidateTag(`product:${id}`, "max");
  revalidateTag("product:123", "max");
  revalidateTag("catalog", "max");
}
"""


def test_tag_patterns_match_literals_and_templates(tmp_path: Path) -> None:
    write(tmp_path, {"lib/product.ts": CACHED, "app/actions.ts": REVALIDATE})
    index = CacheTagIndex(tmp_path)
    declared = index.declared()
    assert {(use.tag, use.pattern) for use in declared.uses} == {("product:*", True), ("catalog", False)}
    assert declared.declares("product:123") and declared.declares("catalog")
    assert declared.declares("product:*", pattern=True)
    assert not declared.declares("products") and not declared.declares("catalog:1")
    assert [(use.tag, use.pattern) for use in index.revalidations()] == [
        ("product:*", True), ("product:123", False), ("catalog", False),
    ]


def test_open_buffers_override_disk(tmp_path: Path) -> None:
    write(tmp_path, {"lib/product.ts": CACHED, "app/actions.ts": REVALIDATE})
    index = CacheTagIndex(tmp_path)
    assert index.declared().declares("catalog")
    index.update_buffer(tmp_path / "lib/product.ts", CACHED.replace('"catalog"', '"catalogue"'))
    assert not index.declared().declares("catalog") and index.declared().declares("catalogue")
    index.forget_buffer(tmp_path / "lib/product.ts")
    assert index.declared().declares("catalog")


def test_disk_changes_and_new_files_are_seen(tmp_path: Path) -> None:
    write(tmp_path, {"lib/product.ts": CACHED})
    index = CacheTagIndex(tmp_path)
    assert not index.declared().declares("orders")
    write(tmp_path, {"lib/orders.ts": 'import { cacheTag } from "next/cache";\ncacheTag("orders");\n'})
    index.invalidate(tmp_path / "lib/orders.ts")
    assert index.declared().declares("orders")


def test_files_without_tag_apis_are_not_parsed_and_comments_do_not_count(tmp_path: Path) -> None:
    assert scan_tags(tmp_path / "a.ts", b"export const x = 1;\n").uses == ()
    commented = b'// cacheTag("ghost")\nconst s = "revalidateTag(\'ghost\')";\n'
    assert scan_tags(tmp_path / "b.ts", commented).uses == ()


def test_fetch_and_unstable_cache_tags_and_dynamic_declarations(tmp_path: Path) -> None:
    fetch = b'export const r = () => fetch("/x", { next: { tags: ["fx"] } });\n'
    assert [use.tag for use in scan_tags(tmp_path / "a.ts", fetch).declarations] == ["fx"]
    cached = b'import { unstable_cache } from "next/cache";\nconst s = unstable_cache(f, ["k"], { tags: ["s"] });\n'
    assert [use.tag for use in scan_tags(tmp_path / "b.ts", cached).declarations] == ["s"]
    dynamic = b'import { cacheTag } from "next/cache";\nexport function t(tag: string) { cacheTag(tag); }\n'
    assert scan_tags(tmp_path / "c.ts", dynamic).dynamic
    unrelated = b'const options = { tags: ["not-a-cache-tag"] };\n'
    assert scan_tags(tmp_path / "d.ts", unrelated).uses == ()


def test_unknown_cache_tag_uses_the_linted_text_and_the_project(tmp_path: Path) -> None:
    write(tmp_path, {
        "package.json": PACKAGE,
        "lib/product.ts": CACHED,
        "app/actions.ts": REVALIDATE.replace('"catalog", "max"', '"catalgo", "max"'),
    })
    found = findings(tmp_path, "app/actions.ts", "next/unknown-cache-tag")
    assert [text for text, _ in found] == ['"catalgo"']
    proj = project(tmp_path)
    own = b'import { cacheTag, updateTag } from "next/cache";\ncacheTag("mine");\nupdateTag("mine");\n'
    assert [f for f in lint_source(proj, "app/own.ts", own).findings if f.rule_id == "next/unknown-cache-tag"] == []
