"""Code actions without a client: the suppression comment takes the form the spot needs."""

from __future__ import annotations

from treido_ls.code_actions import fix_all, ignore_edit, quick_fixes
from treido_ls.fixes import apply_edits
from treido_ls.model import Applicability, Edit, Finding, Fix, Severity
from treido_ls.parsing import Lang, parse
from treido_ls.positions import LineIndex


def finding_at(source: bytes, needle: bytes, rule: str = "supabase/wildcard-select",
               fixes: list[Fix] | None = None) -> Finding:
    start = source.index(needle)
    return Finding(rule, Severity.WARNING, start, start + len(needle), "msg", fixes or [])


def ignore(source: bytes, needle: bytes, lang: Lang) -> bytes:
    tree = parse(lang, source)
    edit = ignore_edit(finding_at(source, needle), source, tree, lang, LineIndex(source))
    fixed = apply_edits(source, [edit])
    assert not parse(lang, fixed).root_node.has_error
    return fixed


def test_typescript_line_gets_a_line_comment_with_its_indentation() -> None:
    source = b"function f() {\n\tconst q = s.from('t').select('*');\n}\n"
    assert ignore(source, b"'*'", Lang.TYPESCRIPT) == (
        b"function f() {\n\t// treido-ignore-next-line supabase/wildcard-select\n"
        b"\tconst q = s.from('t').select('*');\n}\n")


def test_jsx_child_line_gets_a_jsx_comment() -> None:
    source = b"const v = (\n  <ul>\n    <li>{s.from('t').select('*')}</li>\n  </ul>\n);\n"
    fixed = ignore(source, b"'*'", Lang.TSX)
    assert b"    {/* treido-ignore-next-line supabase/wildcard-select */}\n    <li>" in fixed


def test_jsx_root_element_line_keeps_a_line_comment() -> None:
    source = b"const v = (\n  <b>{s.from('t').select('*')}</b>\n);\n"
    fixed = ignore(source, b"'*'", Lang.TSX)
    assert b"  // treido-ignore-next-line supabase/wildcard-select\n  <b>" in fixed


def test_sql_gets_a_dash_comment_and_crlf_files_stay_crlf() -> None:
    source = b"create table t (id int);\r\ncreate policy p on t using (true);\r\n"
    fixed = ignore(source, b"create policy", Lang.SQL)
    assert fixed == (b"create table t (id int);\r\n-- treido-ignore-next-line supabase/wildcard-select\r\n"
                     b"create policy p on t using (true);\r\n")


def test_only_safe_fixes_are_preferred_and_in_fix_all() -> None:
    source = b"a; b;\n"
    safe = Fix("safe", (Edit(0, 1, "x"),), Applicability.SAFE)
    unsafe = Fix("unsafe", (Edit(3, 4, "y"),), Applicability.UNSAFE)
    findings = [finding_at(source, b"a", fixes=[safe]), finding_at(source, b"b", fixes=[unsafe])]
    actions = quick_fixes(findings, source, parse(Lang.TYPESCRIPT, source), Lang.TYPESCRIPT, LineIndex(source))
    preferred = {a.title: a.preferred for a in actions if a.title in ("safe", "unsafe")}
    assert preferred == {"safe": True, "unsafe": False}
    everything = fix_all(findings)
    assert everything is not None and apply_edits(source, everything.edits) == b"x; b;\n"
