"""Schema model: migrations -> effects -> folded model, incremental builder, generated types."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from treido_ls.workspace.schema import (
    SchemaBuilder,
    SchemaModel,
    build_schema,
    canonical_type,
    fold,
    parse_generated_database,
    parse_generated_types,
    parse_migration,
)
from treido_ls.workspace.sql_facts import CreatePolicy, CreateTable, split_name


def model_of(*sources: str) -> SchemaModel:
    files = [(f"supabase/migrations/2024010100000{i}_m.sql", s.encode()) for i, s in enumerate(sources)]
    return build_schema(files)


def sliced(source: str | bytes, start: int, end: int) -> str:
    data = source.encode() if isinstance(source, str) else source
    return data[start:end].decode()


# ---------------------------------------------------------------------------------------------
# Tables and columns


def test_create_table_columns_keys_and_nullability() -> None:
    sql = """
    create table public.profiles (
      id uuid primary key default gen_random_uuid(),
      "Display Name" text not null,
      Bio varchar(280),
      n bigint generated always as identity,
      serial_col bigserial,
      email text,
      unique (email),
      constraint profiles_name_key unique ("Display Name", bio)
    );
    """
    model = model_of(sql)
    table = model.table("profiles")
    assert table is not None and table.kind == "table" and not table.external
    assert list(table.columns) == ["id", "Display Name", "bio", "n", "serial_col", "email"]
    cols = table.columns
    assert (cols["id"].type, cols["id"].nullable, cols["id"].has_default) == ("uuid", False, True)
    assert cols["Display Name"].nullable is False and not cols["Display Name"].has_default
    assert cols["bio"].type == "varchar(280)" and cols["bio"].nullable
    assert cols["n"].nullable is False and cols["n"].has_default
    assert cols["serial_col"].has_default and not cols["serial_col"].nullable
    assert table.primary_key == ("id",)
    assert table.unique == [("email",), ("Display Name", "bio")]
    assert sliced(sql, table.created.start, table.created.end).startswith("create table public.profiles")
    assert sliced(sql, table.created.start, table.created.end).endswith(")")
    assert sliced(sql, cols["bio"].provenance.start, cols["bio"].provenance.end) == "Bio varchar(280)"
    assert model.has_column("profiles", "bio") and not model.has_column("profiles", "Bio")
    assert table.rls_enabled is False and table.rls_provenance is None


def test_table_level_primary_key_makes_columns_not_null() -> None:
    model = model_of("create table t (a int, b int, primary key (a, b));")
    table = model.table("t")
    assert table is not None
    assert table.primary_key == ("a", "b")
    assert not table.columns["a"].nullable and not table.columns["b"].nullable


def test_alter_table_add_drop_rename_column() -> None:
    model = model_of(
        "create table orders (id int primary key, note text, total int);",
        """
        alter table orders add column status text not null default 'new', drop column note;
        alter table orders rename column total to amount_cents;
        alter table if exists public.orders add column if not exists status text;
        alter table orders alter column amount_cents set not null, alter column status drop default;
        """,
    )
    table = model.table("orders")
    assert table is not None
    assert list(table.columns) == ["id", "amount_cents", "status"]
    assert table.columns["status"].nullable is False
    assert table.columns["status"].has_default is False
    assert table.columns["amount_cents"].nullable is False


def test_rename_and_drop_column_update_keys() -> None:
    model = model_of(
        "create table t (a int, b int, c int, unique (b), unique (c, a));",
        "alter table t rename column b to bb; alter table t drop column a;",
    )
    table = model.table("t")
    assert table is not None
    assert table.unique == [("bb",)]


def test_add_and_drop_constraints() -> None:
    model = model_of(
        "create table t (id int, code text);",
        "alter table t add primary key (id), add constraint t_code_uq unique (code);",
    )
    table = model.table("t")
    assert table is not None and table.primary_key == ("id",) and table.unique == [("code",)]
    assert table.columns["id"].nullable is False
    model2 = model_of(
        "create table t (id int, code text);",
        "alter table t add primary key (id), add constraint t_code_uq unique (code);",
        "alter table t drop constraint t_pkey; alter table t drop constraint if exists t_code_uq;",
    )
    table2 = model2.table("t")
    assert table2 is not None and table2.primary_key == () and table2.unique == []


def test_rename_table_and_set_schema_and_drop() -> None:
    model = model_of(
        "create table old_name (id int); create table gone (id int); create table moving (id int);",
        "alter table old_name rename to new_name; drop table if exists gone cascade;",
        "alter table moving set schema private;",
    )
    assert model.table("old_name") is None
    assert model.table("gone") is None
    renamed = model.table("new_name")
    assert renamed is not None and renamed.name == "new_name" and "id" in renamed.columns
    assert model.table("moving", schema="private") is not None
    assert model.table("moving") is None


def test_create_table_if_not_exists_keeps_the_first_definition() -> None:
    model = model_of("create table t (a int);", "create table if not exists t (a int, b int);")
    table = model.table("t")
    assert table is not None and list(table.columns) == ["a"]


def test_like_and_inherits_copy_columns() -> None:
    model = model_of("create table base (id int not null, name text);", "create table child (like base, x int);")
    table = model.table("child")
    assert table is not None and list(table.columns) == ["id", "name", "x"] and table.columns_complete


def test_quoted_and_case_folded_names() -> None:
    assert split_name('Public."My Table"') == ["public", "My Table"]
    assert split_name('"a""b".C') == ['a"b', "c"]
    model = model_of('create table "Users" (ID int); create table Items (x int);')
    assert model.table("Users") is not None and model.table("users") is None
    assert model.table("items") is not None
    users = model.table("Users")
    assert users is not None and list(users.columns) == ["id"]


def test_temporary_tables_are_ignored() -> None:
    assert model_of("create temp table scratch (a int);").table("scratch") is None


def test_add_column_with_inline_primary_key_and_unique() -> None:
    model = model_of(
        "create table t (a int);", "alter table t add column id bigint primary key, add column c text unique;"
    )
    table = model.table("t")
    assert table is not None and table.primary_key == ("id",) and table.unique == [("c",)]
    assert table.columns["id"].nullable is False


def test_pg_dump_style_migration() -> None:
    # `supabase db pull` output: everything quoted, constraints and grants as separate statements.
    sql = """SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE IF NOT EXISTS "public"."profiles" (
    "id" "uuid" NOT NULL,
    "tags" "text"[],
    "created_at" timestamp with time zone DEFAULT "now"() NOT NULL
);
ALTER TABLE "public"."profiles" OWNER TO "postgres";
ALTER TABLE ONLY "public"."profiles"
    ADD CONSTRAINT "profiles_pkey" PRIMARY KEY ("id");
CREATE POLICY "Profiles are public" ON "public"."profiles" FOR SELECT USING (true);
ALTER TABLE "public"."profiles" ENABLE ROW LEVEL SECURITY;
CREATE OR REPLACE FUNCTION "public"."touch"("p_id" "uuid") RETURNS "trigger"
    LANGUAGE "plpgsql" SECURITY DEFINER
    SET "search_path" TO ''
    AS $$ begin return new; end; $$;
CREATE OR REPLACE VIEW "public"."v" WITH ("security_invoker"='on') AS
 SELECT "profiles"."id" FROM "public"."profiles";
REVOKE ALL ON FUNCTION "public"."touch"("p_id" "uuid") FROM PUBLIC;
GRANT ALL ON FUNCTION "public"."touch"("p_id" "uuid") TO "anon";
ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" GRANT ALL ON FUNCTIONS TO "anon";
RESET ALL;
"""
    facts = parse_migration("dump.sql", sql.encode())
    assert facts.errors == [] and facts.skipped == []
    model = model_of(sql)
    table = model.table("profiles")
    assert table is not None
    assert [(c.name, c.type, c.nullable, c.has_default) for c in table.columns.values()] == [
        ("id", "uuid", False, False),
        ("tags", "text[]", True, False),
        ("created_at", "timestamp with time zone", False, True),
    ]
    assert table.primary_key == ("id",) and table.rls_enabled and table.policy("Profiles are public")
    fn = model.function_map[("public", "touch", ("uuid",))]
    assert fn.returns_trigger and fn.language == "plpgsql" and fn.search_path == "''"
    assert fn.search_path_provenance is not None
    sp = fn.search_path_provenance
    assert sliced(sql, sp.start, sp.end) == "SET \"search_path\" TO ''"
    assert fn.can_execute("anon") and "public" not in fn.execute_roles
    view = model.table("v")
    assert view is not None and view.security_invoker is True and list(view.columns) == ["id"]


def test_placeholder_is_adopted_by_a_later_create() -> None:
    model = model_of(
        "create policy p on public.late for select using (true); alter table public.late enable row level security;",
        "create table if not exists public.late (id int);",
    )
    table = model.table("late")
    assert table is not None and not table.external and table.rls_enabled and table.policy("p") is not None
    assert list(table.columns) == ["id"]


# ---------------------------------------------------------------------------------------------
# Row level security and policies


def test_rls_enabled_in_a_later_migration() -> None:
    first = "create table public.notes (id int, owner uuid);"
    second = "-- later\nalter table public.notes enable row level security;"
    builder = SchemaBuilder()
    builder.update("m/20240101_a.sql", first.encode())
    assert builder.model.table("notes") is not None
    table0 = builder.model.table("notes")
    assert table0 is not None and table0.rls_enabled is False
    builder.update("m/20240102_b.sql", second.encode())
    table = builder.model.table("notes")
    assert table is not None and table.rls_enabled
    assert table.created.path == "m/20240101_a.sql"
    assert table.rls_provenance is not None and table.rls_provenance.path == "m/20240102_b.sql"
    prov = table.rls_provenance
    assert sliced(second, prov.start, prov.end) == "alter table public.notes enable row level security"


def test_disable_and_force_rls() -> None:
    model = model_of(
        "create table t (id int); alter table t enable row level security;",
        "alter table t force row level security; alter table t disable row level security;",
    )
    table = model.table("t")
    assert table is not None and table.rls_enabled is False and table.rls_forced


def test_policies_with_using_and_with_check_ranges() -> None:
    sql = (
        "create table public.posts (id int, author uuid);\n"
        'create policy "Authors update own posts" on public.posts as permissive for update\n'
        "  to authenticated, anon\n"
        "  using ( (select auth.uid()) = author )\n"
        "  with check (author = auth.uid());\n"
        "create policy read_all on posts as restrictive for select using (true);\n"
        "create policy p_all on posts with check (true);\n"
    )
    model = model_of(sql)
    table = model.table("posts")
    assert table is not None
    update = table.policy("Authors update own posts")
    assert update is not None
    assert update.command == "update" and update.permissive
    assert update.roles == ("authenticated", "anon")
    assert update.using == "(select auth.uid()) = author"
    assert update.using_provenance is not None and update.with_check_provenance is not None
    using = update.using_provenance
    assert sliced(sql, using.start, using.end) == "(select auth.uid()) = author"
    check = update.with_check_provenance
    assert sliced(sql, check.start, check.end) == "author = auth.uid()"
    name = update.name_provenance
    assert sliced(sql, name.start, name.end) == '"Authors update own posts"'
    stmt = sliced(sql, update.provenance.start, update.provenance.end)
    assert stmt.startswith("create policy") and stmt.endswith("(author = auth.uid())")
    read_all = table.policy("read_all")
    assert read_all is not None
    assert (read_all.command, read_all.permissive, read_all.roles) == ("select", False, ("public",))
    p_all = table.policy("p_all")
    assert p_all is not None and p_all.command == "all" and p_all.using is None
    assert p_all.with_check == "true"
    assert [p.name for _, p in model.policies()] == ["Authors update own posts", "read_all", "p_all"]


def test_alter_rename_and_drop_policy() -> None:
    second = "alter policy p on t to authenticated using (owner = auth.uid());"
    model = model_of(
        "create table t (owner uuid); create policy p on t for select using (true);",
        second,
        "alter policy p on t rename to q;",
    )
    table = model.table("t")
    assert table is not None and table.policy("p") is None
    q = table.policy("q")
    assert q is not None and q.roles == ("authenticated",) and q.using == "owner = auth.uid()"
    assert q.using_provenance is not None and q.using_provenance.path.endswith("1_m.sql")
    assert sliced(second, q.using_provenance.start, q.using_provenance.end) == "owner = auth.uid()"
    dropped = model_of(
        "create table t (owner uuid); create policy p on t for select using (true);",
        'drop policy if exists "p" on public.t;',
    ).table("t")
    assert dropped is not None and dropped.policies == []


def test_policy_on_unknown_table_creates_an_external_placeholder() -> None:
    model = model_of("create policy avatars on storage.objects for select using (bucket_id = 'a');")
    table = model.table("objects", schema="storage")
    assert table is not None and table.external and not table.columns_complete
    assert table.policy("avatars") is not None
    assert model.tables() == []
    assert model.tables(include_external=True) == [table]


# ---------------------------------------------------------------------------------------------
# Functions and privileges


def test_security_definer_with_and_without_search_path() -> None:
    sql = """
    create or replace function public.handle_new_user() returns trigger
    language plpgsql security definer set search_path = ''
    as $$ begin insert into public.profiles (id) values (new.id); return new; end; $$;

    create function public.get_secret(p_id uuid, n int default 1) returns text
    language sql security definer as $$ select 'x' $$;

    create function public.plain(x integer) returns int language sql as 'select 1';
    """
    model = model_of(sql)
    trigger_fn = model.find_functions("handle_new_user")[0]
    assert trigger_fn.security_definer and trigger_fn.search_path_set and trigger_fn.search_path == "''"
    assert trigger_fn.returns_trigger and trigger_fn.language == "plpgsql"
    assert trigger_fn.security_provenance is not None
    sec = trigger_fn.security_provenance
    assert sliced(sql, sec.start, sec.end) == "security definer"
    name = trigger_fn.name_provenance
    assert sliced(sql, name.start, name.end) == "public.handle_new_user"
    secret = model.function_map[("public", "get_secret", ("uuid", "integer"))]
    assert secret.security_definer and not secret.search_path_set and not secret.returns_trigger
    plain = model.find_functions("plain")[0]
    assert not plain.security_definer and plain.argtypes == ("integer",)
    assert {f.name for f in model.functions()} == {"handle_new_user", "get_secret", "plain"}


def test_alter_function_set_search_path_and_security() -> None:
    second = "alter function public.get_secret(uuid, int4) set search_path = public, pg_temp;"
    model = model_of(
        "create function get_secret(p uuid, n integer) returns text language sql as 'select 1';",
        second + "\nalter function get_secret security definer;",
    )
    fn = model.find_functions("get_secret")[0]
    assert fn.search_path == "public, pg_temp" and fn.security_definer
    assert fn.search_path_provenance is not None
    sp = fn.search_path_provenance
    assert sliced(second, sp.start, sp.end) == "set search_path = public, pg_temp"
    reset = model_of(
        "create function f() returns int language sql set search_path = '' as 'select 1';",
        "alter function f() reset search_path;",
    )
    assert not reset.find_functions("f")[0].search_path_set


def test_revoke_from_public_alone_leaves_anon() -> None:
    create = "create function public.f(x int) returns int language sql security definer as 'select 1';"
    only_public = model_of(create, "revoke execute on function public.f(integer) from public;")
    fn = only_public.find_functions("f")[0]
    assert "public" not in fn.execute_roles
    assert fn.can_execute("anon") and fn.can_execute("authenticated")
    both = model_of(create, "revoke all on function f(int) from public, anon;")
    fn2 = both.find_functions("f")[0]
    assert not fn2.can_execute("anon") and fn2.can_execute("authenticated")
    regrant = model_of(
        create, "revoke execute on function f from public, anon;", "grant execute on function f to anon;"
    )
    assert regrant.find_functions("f")[0].can_execute("anon")


def test_function_outside_public_schema_is_only_granted_to_public() -> None:
    model = model_of(
        "create function private.f() returns int language sql as 'select 1';"
        "revoke execute on function private.f() from public;"
    )
    fn = model.find_functions("f", schema="private")[0]
    assert not fn.can_execute("anon") and fn.execute_roles == frozenset()


def test_default_privileges_and_all_functions_in_schema() -> None:
    model = model_of(
        "alter default privileges in schema public revoke execute on functions from anon, authenticated;"
        "alter default privileges revoke execute on functions from public;",
        "create function a() returns int language sql as 'select 1';",
    )
    assert model.find_functions("a")[0].execute_roles == frozenset({"service_role"})
    model2 = model_of(
        "create function a() returns int language sql as 'select 1';"
        "create function b(int) returns int language sql as 'select 1';",
        "revoke all on all functions in schema public from anon, public;",
    )
    assert all(not f.can_execute("anon") for f in model2.functions())


def test_create_or_replace_keeps_grants() -> None:
    model = model_of(
        "create function f() returns int language sql as 'select 1';revoke execute on function f() from public, anon;",
        "create or replace function f() returns int language sql security definer as 'select 2';",
    )
    fn = model.find_functions("f")[0]
    assert fn.security_definer and not fn.can_execute("anon")


def test_drop_and_rename_function() -> None:
    model = model_of(
        "create function f(int) returns int language sql as 'select 1';"
        "create function f(text) returns int language sql as 'select 1';"
        "create function g() returns int language sql as 'select 1';",
        "drop function f(integer); alter function g() rename to h;",
    )
    assert [f.argtypes for f in model.find_functions("f")] == [("text",)]
    assert model.find_functions("g") == [] and len(model.find_functions("h")) == 1


def test_canonical_types() -> None:
    assert canonical_type("INT4") == "integer"
    assert canonical_type("varchar(20)") == "character varying"
    assert canonical_type("timestamptz") == "timestamp with time zone"
    assert canonical_type("public.status[]") == "status[]"
    assert canonical_type("double  precision") == "double precision"


def test_table_grants() -> None:
    model = model_of(
        "create table t (id int); create table u (id int);",
        "revoke all on table t from anon; grant select on t to anon;"
        "revoke insert, update on all tables in schema public from authenticated;",
    )
    t, u = model.table("t"), model.table("u")
    assert t is not None and u is not None
    assert t.privileges("anon") == frozenset({"select"})
    assert "insert" not in u.privileges("authenticated") and "select" in u.privileges("authenticated")


# ---------------------------------------------------------------------------------------------
# Views


def test_views_security_invoker_and_sources() -> None:
    sql = """
    create table public.profiles (id uuid primary key, name text);
    create view public.safe with (security_invoker = on) as select id, name from profiles;
    create view public.unsafe as select * from public.profiles;
    create or replace view public.user_emails as
      with recent as (select id from profiles)
      select u.id, u.email as mail, p.name from auth.users u join recent r on r.id = u.id
      join public.profiles p on p.id = u.id;
    create materialized view stats as select count(*) from profiles;
    """
    model = model_of(sql)
    safe, unsafe, emails = model.table("safe"), model.table("unsafe"), model.table("user_emails")
    assert safe is not None and unsafe is not None and emails is not None
    assert safe.kind == "view" and safe.security_invoker is True
    assert unsafe.security_invoker is None
    assert list(safe.columns) == ["id", "name"]
    assert list(unsafe.columns) == ["id", "name"] and unsafe.columns_complete
    assert list(emails.columns) == ["id", "mail", "name"]
    ref = emails.selects_from("auth", "users")
    assert ref is not None and sliced(sql, ref.provenance.start, ref.provenance.end) == "auth.users"
    assert [r.relation for r in emails.view_sources] == [("public", "profiles"), ("auth", "users")]
    stats = model.table("stats")
    assert stats is not None and stats.kind == "matview" and list(stats.columns) == ["count"]
    assert {v.name for v in model.views()} == {"safe", "unsafe", "user_emails", "stats"}
    assert {t.name for t in model.tables()} == {"profiles"}


def test_alter_view_set_security_invoker_and_replace_resets_it() -> None:
    model = model_of(
        "create table t (id int); create view v as select id from t;",
        "alter view v set (security_invoker = true);",
    )
    view = model.table("v")
    assert view is not None and view.security_invoker is True
    assert view.security_invoker_provenance is not None
    assert view.security_invoker_provenance.path.endswith("1_m.sql")
    replaced = model_of(
        "create table t (id int); create view v with (security_invoker) as select id from t;",
        "create or replace view v as select id from t;",
    ).table("v")
    assert replaced is not None and replaced.security_invoker is None
    off = model_of(
        "create table t (id int); create view v with (security_invoker = on) as select id from t;",
        "alter view v set (security_invoker = off);",
    ).table("v")
    assert off is not None and off.security_invoker is False


def test_renamed_table_keeps_view_sources_pointing_at_it() -> None:
    model = model_of("create table a (id int); create view v as select id from a;", "alter table a rename to b;")
    view = model.table("v")
    assert view is not None and [r.relation for r in view.view_sources] == [("public", "b")]


# ---------------------------------------------------------------------------------------------
# DO blocks


def test_ddl_inside_do_block_with_original_offsets() -> None:
    sql = """-- guarded DDL
do $body$
declare
  v int;
begin
  if not exists (select 1 from pg_tables where tablename = 'audit') then
    create table public.audit (id bigint primary key, payload jsonb);
    alter table public.audit enable row level security;
  end if;
  begin
    create policy "audit read" on public.audit for select to authenticated using (true);
  exception when duplicate_object then null;
  end;
  execute 'alter table public.audit add column note text';
  execute format('alter table %I add column dynamic text', 'audit');
end
$body$;
"""
    facts = parse_migration("m.sql", sql.encode())
    assert facts.errors == [] and facts.skipped == []
    create = next(e for e in facts.effects if isinstance(e, CreateTable))
    assert sliced(sql, create.provenance.start, create.provenance.end) == (
        "create table public.audit (id bigint primary key, payload jsonb)"
    )
    policy = next(e for e in facts.effects if isinstance(e, CreatePolicy)).policy
    assert policy.using_provenance is not None
    assert sliced(sql, policy.using_provenance.start, policy.using_provenance.end) == "true"
    model = model_of(sql)
    table = model.table("audit")
    assert table is not None and table.rls_enabled and table.policy("audit read") is not None
    assert list(table.columns) == ["id", "payload", "note"]
    assert table.rls_provenance is not None
    rls = table.rls_provenance
    assert sliced(sql, rls.start, rls.end) == "alter table public.audit enable row level security"


def test_do_block_in_single_quotes_and_other_languages() -> None:
    model = model_of(
        "do 'begin create table q (a int); end';do language plpython3u $$ print('create table nope (a int)') $$;"
    )
    assert model.table("q") is not None and model.table("nope") is None


# ---------------------------------------------------------------------------------------------
# Robustness and incremental folding


BROKEN = [
    "create table (",
    "create table t (id int,, name text); alter table t enable row level security;",
    "create policy on t using (;",
    "create function f( returns int as $$ $$",
    "do $$ begin create table x (a int; end $$;",
    "alter table t add column",
    "grant execute on function to anon;",
    "create view v as select from where;",
    "\x00\xff garbage ;;; ) (",
    "create table ok (id int);\ncreate table broken (id int\n",
]


def test_broken_sql_does_not_raise_and_keeps_the_good_statements() -> None:
    for sql in BROKEN:
        facts = parse_migration("broken.sql", sql.encode("utf-8", "surrogateescape"))
        assert isinstance(facts.effects, list)
    facts = parse_migration("x.sql", b"create table ok (id int);\ncreate policy p on ok using (;\n")
    assert facts.errors and any(isinstance(e, CreateTable) for e in facts.effects)
    model = model_of(*BROKEN)
    assert isinstance(model, SchemaModel)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    parse_migration("fuzz.sql", data)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=list("create table policy ( ) ; , . ' \" $ do begin end alter x int"), max_size=200))
def test_sql_like_text_never_raises(text: str) -> None:
    model_of(text)


def test_fold_does_not_mutate_its_base() -> None:
    base = model_of(
        "create table t (id int, a text); create policy p on t using (true);"
        "create function f() returns int language sql as 'select 1';"
    )
    snapshot = copy.deepcopy(base)
    facts = parse_migration(
        "later.sql",
        b"alter table t add column b int, drop column a; alter table t enable row level security;"
        b"drop policy p on t; alter policy p on t using (false); revoke execute on function f() from anon;"
        b"alter table t rename to u; alter default privileges revoke execute on functions from public;",
    )
    after = fold(base, facts)
    assert base == snapshot
    assert after != base and after.table("u") is not None


MIGRATIONS = {
    "m/20240101_a.sql": "create table t (id int primary key, a text);",
    "m/20240102_b.sql": "alter table t enable row level security; create policy p on t using (true);",
    "m/20240103_c.sql": "alter table t add column b int; create view v as select * from t;",
    "m/20240104_d.sql": "create function f() returns int language sql security definer as 'select 1';",
    "m/20240105_e.sql": "revoke execute on function f() from public, anon; alter table t rename column a to aa;",
}
EDITS = [
    "alter table t add column z text;",
    "alter table t disable row level security;",
    "drop table t;",
    "",
    "create table t2 (x int); alter function f() set search_path = '';",
    "broken (",
]


def full(files: dict[str, str]) -> SchemaModel:
    return build_schema([(p, s.encode()) for p, s in files.items()])


def test_incremental_update_equals_full_refold_hand_cases() -> None:
    builder = SchemaBuilder()
    for path, sql in reversed(MIGRATIONS.items()):  # arrival order must not matter
        builder.update(path, sql.encode())
    assert builder.paths == sorted(MIGRATIONS)
    assert builder.model == full(MIGRATIONS)
    current = dict(MIGRATIONS)
    for path in MIGRATIONS:
        current[path] = current[path] + "\nalter table t add column extra int;"
        assert builder.update(path, current[path].encode())
        assert builder.model == full(current)
    assert not builder.update("m/20240101_a.sql", current["m/20240101_a.sql"].encode())
    builder.remove("m/20240102_b.sql")
    del current["m/20240102_b.sql"]
    assert builder.model == full(current)
    table = builder.model.table("t")
    assert table is not None and not table.rls_enabled


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([*sorted(MIGRATIONS), "m/20240106_f.sql"]), st.sampled_from(EDITS), st.booleans()),
        max_size=8,
    )
)
def test_incremental_update_equals_full_refold(ops: list[tuple[str, str, bool]]) -> None:
    builder = SchemaBuilder()
    current = dict(MIGRATIONS)
    for path, sql in current.items():
        builder.update(path, sql.encode())
    _ = builder.model
    for path, edit, remove in ops:
        if remove and path in current:
            builder.remove(path)
            del current[path]
        else:
            current[path] = current.get(path, "") + "\n" + edit
            builder.update(path, current[path].encode())
        assert builder.model == full(current)


def test_model_before_a_file() -> None:
    builder = SchemaBuilder()
    for path, sql in MIGRATIONS.items():
        builder.update(path, sql.encode())
    before = builder.model_before("m/20240102_b.sql")
    table = before.table("t")
    assert table is not None and not table.rls_enabled and table.policies == []


def test_thousand_migrations_fold_and_refold_the_newest() -> None:
    """Correctness at scale; the timing is measured in benchmarks/, never asserted here."""
    files = []
    for i in range(1000):
        sql = (
            f"create table public.t{i} (id uuid primary key default gen_random_uuid(), "
            f"user_id uuid not null, name text, created_at timestamptz default now());\n"
            f"alter table public.t{i} enable row level security;\n"
            f'create policy "own {i}" on public.t{i} for all to authenticated '
            f"using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);\n"
            f"create or replace function public.f{i}(p uuid) returns int language plpgsql security definer "
            f"set search_path = '' as $$ begin return 1; end $$;\n"
            f"revoke execute on function public.f{i}(uuid) from public, anon;\n"
        )
        files.append((f"m/{20240000000000 + i}_m{i}.sql", sql.encode()))
    builder = SchemaBuilder()
    for path, source in files:
        builder.update(path, source)
    model = builder.model
    assert len(model.tables()) == 1000 and len(model.functions()) == 1000
    path, source = files[-1]
    builder.update(path, source + b"\nalter table public.t0 add column z int;")
    assert builder.model.has_column("t0", "z")


# ---------------------------------------------------------------------------------------------
# Generated types


TYPES_TS = """export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]

export type Database = {
  // Allows to automatically instantiate createClient with right options
  __InternalSupabase: {
    PostgrestVersion: "12.2.3"
  }
  public: {
    Tables: {
      profiles: {
        Row: {
          id: string
          "display name": string | null
          settings: Json | null
          status: Database["public"]["Enums"]["status"]
          tags: string[]
        }
        Insert: {
          id: string
          "display name"?: string | null
          settings?: Json | null
          status?: Database["public"]["Enums"]["status"]
          tags?: string[]
        }
        Update: {
          id?: string
        }
        Relationships: [
          {
            foreignKeyName: "profiles_id_fkey"
            columns: ["id"]
            isOneToOne: true
            referencedRelation: "users"
            referencedColumns: ["id"]
          },
        ]
      }
    }
    Views: {
      profile_names: {
        Row: {
          name: string | null
        }
        Relationships: []
      }
    }
    Functions: {
      get_secret: { Args: { p_id: string }; Returns: string }
    }
    Enums: {
      status: "active" | "banned"
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
  private: {
    Tables: {
      [_ in never]: never
    }
  }
}
"""


def test_generated_types_tables_views_and_nullability() -> None:
    source = TYPES_TS.encode()
    tables = parse_generated_types(source)
    assert set(tables) == {("public", "profiles"), ("public", "profile_names")}
    profiles = tables[("public", "profiles")]
    assert profiles.kind == "table"
    assert list(profiles.columns) == ["id", "display name", "settings", "status", "tags"]
    cols = profiles.columns
    assert (cols["id"].type, cols["id"].nullable) == ("string", False)
    assert (cols["display name"].type, cols["display name"].nullable) == ("string", True)
    assert (cols["settings"].type, cols["settings"].nullable) == ("Json", True)
    assert cols["status"].type == 'Database["public"]["Enums"]["status"]' and not cols["status"].nullable
    assert cols["tags"].type == "string[]"
    assert sliced(source, cols["settings"].start, cols["settings"].end) == "settings: Json | null"
    assert cols["id"].insert_optional is False and cols["settings"].insert_optional is True
    view = tables[("public", "profile_names")]
    assert view.kind == "view" and view.columns["name"].nullable and view.columns["name"].insert_optional is None
    db = parse_generated_database(source)
    assert db.enums[("public", "status")] == ("active", "banned")
    assert db.functions[("public", "get_secret")] == {"p_id": "string"}


def test_generated_types_interface_form_and_garbage() -> None:
    legacy = (
        b"export interface Database {\n  public: {\n    Tables: {\n      a: { Row: { id: number } }\n    }\n  }\n}\n"
    )
    tables = parse_generated_types(legacy)
    assert tables[("public", "a")].columns["id"].type == "number"
    assert parse_generated_types(b"export const x = 1") == {}
    truncated = parse_generated_types(b"export type Database = { public: { Tables: { a: { Row: { id: string")
    assert isinstance(truncated, dict)  # partial files (mid-regeneration) must not raise
