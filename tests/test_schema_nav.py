"""Schema in the editor: the table or column at an offset, its facts and where they were defined."""

from __future__ import annotations

from pathlib import Path

from treido_ls.context import FileContext
from treido_ls.parsing import Lang, parse
from treido_ls.positions import LineIndex
from treido_ls.project import Project
from treido_ls.registry import rule_ids
from treido_ls.schema_nav import SchemaTarget, locate, markdown

INIT = """create table public.notes (
  id uuid primary key default gen_random_uuid(),
  body text not null,
  title text,
  owner_id uuid not null
);

create table public.tags (
  id bigint primary key,
  note_id uuid references public.notes (id),
  label text
);
alter table public.tags enable row level security;
"""
RLS = "alter table public.notes enable row level security;\n"
GENERATED = """export type Database = {
  public: {
    Tables: {
      notes: {
        Row: {
          id: string
          body: string
          title: string | null
          owner_id: string
        }
      }
    }
  }
}
"""


def project(tmp_path: Path, generated: bool = False, rls: bool = True) -> Project:
    folder = tmp_path / "supabase" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20240101000000_init.sql").write_text(INIT)
    if rls:
        (folder / "20240102000000_rls.sql").write_text(RLS)
    (tmp_path / "package.json").write_text('{"dependencies": {"next": "16.0.0"}}')
    if generated:
        (tmp_path / "types").mkdir()
        (tmp_path / "types" / "database.types.ts").write_text(GENERATED)
    return Project(tmp_path, rule_ids())


def at(proj: Project, code: str, needle: str, shift: int = 1) -> SchemaTarget | None:
    source = code.encode()
    ctx = FileContext("app/page.ts", source, parse(Lang.TYPESCRIPT, source), Lang.TYPESCRIPT, LineIndex(source), proj)
    return locate(ctx, source.index(needle.encode()) + shift)


def line_of(proj: Project):  # type: ignore[no-untyped-def]
    return lambda prov: (proj.root / prov.path).read_bytes()[: prov.start].count(b"\n")


QUERY = "const { data } = await supabase.from('notes').select('id, body, t:title, tags(label)').eq('owner_id', u)\n"


def test_table_in_from_has_rls_and_its_create_statement(tmp_path: Path) -> None:
    proj = project(tmp_path)
    target = at(proj, QUERY, "notes'")
    assert target is not None and target.kind == "table" and target.table == "notes"
    assert target.rls_enabled is True and target.rls_provenance is not None
    assert target.rls_provenance.path.endswith("20240102000000_rls.sql")
    assert target.definition is not None and target.definition.path.endswith("20240101000000_init.sql")
    assert INIT.encode()[target.definition.start :].startswith(b"create table public.notes")
    text = markdown(target, line_of(proj))
    assert "RLS on `public.notes`: enabled" in text and "20240101000000_init.sql:1" in text
    assert "20240102000000_rls.sql:1" in text


def test_columns_in_select_alias_embed_filter(tmp_path: Path) -> None:
    proj = project(tmp_path)
    body = at(proj, QUERY, "body")
    assert body is not None and (body.kind, body.column, body.type, body.nullable) == ("column", "body", "text", False)
    assert body.definition is not None and INIT.encode()[body.definition.start :].startswith(b"body text not null")
    title = at(proj, QUERY, "title")
    assert title is not None and title.column == "title" and title.nullable is True
    label = at(proj, QUERY, "label")  # inside the embedded `tags(...)`: a column of tags
    assert label is not None and label.table == "tags" and label.column == "label"
    tags = at(proj, QUERY, "tags(")  # the embedded relation itself
    assert tags is not None and (tags.kind, tags.table, tags.rls_enabled) == ("table", "tags", True)
    owner = at(proj, QUERY, "owner_id")
    assert owner is not None and owner.column == "owner_id"
    text = markdown(owner, line_of(proj))
    assert "`public.notes.owner_id`: `uuid`, not null" in text and "20240101000000_init.sql:5" in text


def test_order_and_write_keys(tmp_path: Path) -> None:
    proj = project(tmp_path)
    code = ("await supabase.from('notes').insert({ body: b, 'title': t, owner_id })\n"
            "await supabase.from('notes').select('id').order('title', { ascending: false })\n")
    assert (t := at(proj, code, "body:")) is not None and t.column == "body"
    assert (t := at(proj, code, "'title':")) is not None and t.column == "title"
    assert (t := at(proj, code, "owner_id })")) is not None and t.column == "owner_id"
    assert (t := at(proj, code, "title', {")) is not None and t.column == "title"


def test_rls_disabled_is_shown(tmp_path: Path) -> None:
    proj = project(tmp_path, rls=False)
    target = at(proj, QUERY, "notes'")
    assert target is not None and target.rls_enabled is False
    assert "**disabled**" in markdown(target, line_of(proj))


def test_generated_types_win_for_the_type_and_are_a_definition(tmp_path: Path) -> None:
    proj = project(tmp_path, generated=True)
    title = at(proj, QUERY, "title")
    assert title is not None and (title.type, title.nullable) == ("string", True)
    assert [p.path for p in title.locations] == ["supabase/migrations/20240101000000_init.sql",
                                                 "types/database.types.ts"]
    assert "types/database.types.ts:8" in markdown(title, line_of(proj))


def test_utf8_offsets_after_emoji(tmp_path: Path) -> None:
    proj = project(tmp_path)
    code = "// 🚀 notes 📝\nawait supabase.from('notes').select('id, body').eq('owner_id', u)\n"
    target = at(proj, code, "body")
    assert target is not None and target.column == "body"
    assert code.encode()[target.start : target.end] == b"body"


def test_near_misses(tmp_path: Path) -> None:
    proj = project(tmp_path)
    code = ("await supabase.from('notes').select('id, nope')\n"
            "await supabase.storage.from('notes').upload('body', f)\n"
            "const parts = Array.from('notes')\n"
            "await supabase.from('missing').select('id')\n"
            "await supabase.from(table).select('body')\n")
    assert at(proj, code, "nope") is None  # unknown column: the unknown-column finding's hover covers it
    assert at(proj, code, "notes').upload") is None  # a storage bucket
    assert at(proj, code, "notes')\nawait supabase.from('missing')") is None  # Array.from
    assert at(proj, code, "missing") is None  # unknown table
    assert at(proj, code, "body')\n") is None  # table not literal
    assert at(proj, code, "await", 0) is None  # not in a string
    assert at(proj, "await supabase.from('notes').select('id, body.count()')", "count") is None  # an aggregate
