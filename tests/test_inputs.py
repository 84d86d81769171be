"""Half-typed and hostile input never makes the engine raise (issue 8): one test per input class.

Each input is linted from bytes (`lint_source`, what the CLI does) and, where editor text differs,
through `Document` (what the server does). For every result: no exception, no `treido/rule-error`,
every finding's range inside the text and not starting inside a syntax error.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tree_sitter import Node

from treido_ls.checks._scope import pattern_bindings
from treido_ls.checks._taint import _pattern_paths
from treido_ls.checks.validation._flow import _url_parts
from treido_ls.documents import Document, TextChange
from treido_ls.linter import RULE_ERROR, LintResult, lint, lint_source
from treido_ls.parsing import Lang, parse
from treido_ls.positions import UTF16
from treido_ls.project import Project
from treido_ls.registry import rule_ids

PATH = "app/actions/products.ts"
# A server action with one real finding (the wildcard select), so that each class also shows the
# sound part of a broken file is still linted.
BASE = """"use server";
import { createClient } from "@/lib/supabase/server";

export async function listProducts() {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) throw new Error("Unauthorized");
  const { data, error } = await supabase.from("products").select("*").limit(20);
  if (error) throw new Error("Could not load products");
  return data;
}
"""
DEEP = 5000  # nesting levels: five times Python's default recursion limit


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("inputs")
    (root / "package.json").write_text(json.dumps({"dependencies": {"next": "16.0.0"}}))
    return Project(root, rule_ids())


def _inside_error(root: Node, offset: int) -> bool:
    """The token at `offset` is one tree-sitter could not place (ERROR, MISSING or an ERROR's own token).

    A whole-file ERROR can still hold complete, correctly parsed functions: those are sound."""
    node = root.descendant_for_byte_range(offset, offset + 1)
    if node is None:
        return False
    return node.is_error or node.is_missing or (node.parent is not None and node.parent.is_error)


def assert_sound(result: LintResult, source: bytes) -> None:
    assert not result.crashed_rules
    assert all(f.rule_id != RULE_ERROR for f in result.findings)
    root = None
    for finding in result.findings:
        assert 0 <= finding.start <= finding.end <= len(source), finding
        for fix in finding.fixes:
            for edit in fix.edits:
                assert 0 <= edit.start <= edit.end <= len(source), fix
        if root is None:
            root = parse(Lang.TYPESCRIPT, source).root_node
        if root.has_error:
            assert not _inside_error(root, finding.start), finding


def lint_both(project: Project, source: bytes, path: str = PATH) -> LintResult:
    """The CLI's way (fresh parse of bytes) and the server's way (a Document edited into shape)."""
    result = lint_source(project, path, source)
    assert_sound(result, source)
    doc = Document("file:///" + path, "/" + path, Lang.TYPESCRIPT, 1, b"")
    doc.apply([TextChange(source.decode("utf-8", "surrogatepass"))], UTF16)
    assert doc.tree is not None
    from_doc = lint(path, doc.source, doc.tree, Lang.TYPESCRIPT, doc.index, project)
    assert_sound(from_doc, doc.source)
    return result


def rules(result: LintResult) -> list[str]:
    return [f.rule_id for f in result.findings]


def test_the_base_text_has_its_finding(project: Project) -> None:
    assert rules(lint_both(project, BASE.encode())) == ["supabase/wildcard-select"]


BROKEN = {
    "unbalanced-open": BASE + "export function half() {\n  if (ready) {\n    const x = [1, 2\n",
    "unbalanced-close": BASE + "}}\n)]\nexport const y = 1;\n",
    "unterminated-string": BASE + "const label = 'abc\nconst other = \"def\n",
    "unterminated-template": BASE + "const t = `order ${id\n",
    "unterminated-template-before": "const t = `order ${id}\n" + BASE,
    "unterminated-comment": BASE + "/* never closed\nexport const z = 1;\n",
    "unterminated-regex": BASE + "const r = /abc[\n",
    "nul-bytes": BASE.replace("Unauthorized", "Unauth\x00orized") + "\x00\x00const\x00 a = 1;\x00\n",
    "lone-surrogate": BASE + 'const s = "\ud800";\n',
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_text_never_raises(project: Project, name: str) -> None:
    source = BROKEN[name].encode("utf-8", "surrogatepass")
    lint_both(project, source)


def test_the_sound_part_of_a_broken_file_is_linted(project: Project) -> None:
    """Garbage after a complete function: the function's finding is still reported."""
    found = lint_both(project, (BASE + "export function half() {\n  if (ready) {\n").encode())
    assert "supabase/wildcard-select" in rules(found)


@pytest.mark.parametrize("text", ["", "\n", "// only a comment\n", "/* block */\n/** doc */\n// end",
                                  "\r\n" * 50, "\r" * 20, "\ufeff", "#!/usr/bin/env node\n"])
def test_trivial_files(project: Project, text: str) -> None:
    assert rules(lint_both(project, text.encode())) == []


def test_crlf_file_has_the_same_findings(project: Project) -> None:
    crlf = lint_both(project, BASE.replace("\n", "\r\n").encode())
    assert rules(crlf) == ["supabase/wildcard-select"]


def test_invalid_utf8_bytes(project: Project) -> None:
    """Files on disk need not be UTF-8; the engine works on bytes."""
    source = BASE.encode().replace(b"Unauthorized", b"Unauth\xff\xfeorized") + b"const x = '\xc3';\n\x80\n"
    result = lint_source(project, PATH, source)
    assert_sound(result, source)
    assert "supabase/wildcard-select" in rules(result)


def test_minified_single_line(project: Project) -> None:
    """About 200 KB on one line, the shape of bundler output."""
    statement = "var a{i}=function(b){{return b.map(function(c){{return c+{i}}}).filter(Boolean)}};"
    line = "".join(statement.format(i=i) for i in range(2600))
    assert len(line) > 200_000 and "\n" not in line
    source = (BASE.replace("\n", " ") + line).encode()
    result = lint_source(project, PATH, source)
    assert_sound(result, source)
    assert "supabase/wildcard-select" in rules(result)


def _deep(kind: str) -> str:
    return {
        "parens": "(" * DEEP + "x" + ")" * DEEP,
        "arrays": "[" * DEEP + "x" + "]" * DEEP,
        "objects": "{a:" * DEEP + "x" + "}" * DEEP,
        "ternaries": "x ? x : " * DEEP + "x",
        "sums": "x" + " + x" * DEEP,
        "templates": "`${" * DEEP + "x" + "}`" * DEEP,
        "members": "x" + ".a" * DEEP,
        "unclosed": "[" * DEEP,
    }[kind]


@pytest.mark.parametrize("kind", ["parens", "arrays", "objects", "ternaries", "sums", "templates", "members",
                                  "unclosed"])
def test_deeply_nested_expressions(project: Project, kind: str) -> None:
    """Values that flow into a database write and a response: the taint helpers walk all of it."""
    expr = _deep(kind)
    source = (BASE + "export async function save(formData: FormData) {\n"
              "  const supabase = await createClient();\n"
              f"  const v = {expr};\n"
              f"  await supabase.from('products').insert({expr});\n"
              f"  await fetch(`https://api.example.com/${{v}}` + {expr});\n"
              "  return Response.json({ v });\n}\n").encode()
    assert_sound(lint_source(project, PATH, source), source)


@pytest.mark.parametrize("kind", ["object", "array"])
def test_deeply_nested_binding_patterns(project: Project, kind: str) -> None:
    pattern = ("{ a: " * DEEP + "leaf" + " }" * DEEP) if kind == "object" else ("[" * DEEP + "leaf" + "]" * DEEP)
    source = (BASE + "export async function save(formData: FormData) {\n"
              f"  const {pattern} = Object.fromEntries(formData);\n"
              "  try { await write(leaf) } catch (" + pattern + ") { return leaf }\n"
              "}\n"
              f"export async function POST(request: Request, {pattern}: any) {{\n"
              f"  const {pattern} = await request.json();\n"
              "  return Response.json(leaf);\n}\n").encode()
    assert_sound(lint_source(project, "app/api/items/route.ts", source), source)


# -- the helpers that used to recurse once per nesting level ----------------------------------------


def _first(source: str, node_type: str) -> Node:
    tree = parse(Lang.TYPESCRIPT, source.encode())
    nodes = [tree.root_node]
    while nodes:
        node = nodes.pop()
        if node.type == node_type:
            return node
        nodes.extend(reversed(node.children))
    raise AssertionError(node_type)


def test_pattern_bindings_is_iterative() -> None:
    pattern = _first("const { a: " + "{ b: " * DEEP + "leaf" + " }" * DEEP + ", c } = x;", "object_pattern")
    assert pattern_bindings(pattern) == {"leaf": "b", "c": "c"}
    flat = _first("const { a: { b }, c: [d, ...e], f = 1 } = x;", "object_pattern")
    assert pattern_bindings(flat) == {"b": "b", "d": None, "e": None, "f": "f"}


def test_taint_pattern_paths_are_iterative() -> None:
    pattern = _first("const " + "[" * DEEP + "leaf" + "]" * DEEP + " = x;", "array_pattern")
    [(name, path)] = _pattern_paths(pattern)
    assert name == "leaf" and len(path) == DEEP and all(step == "[]" for step, _ in path)
    flat = _first("const { a: { b }, c: [d], e } = x;", "object_pattern")
    assert [(n, [step for step, _ in p]) for n, p in _pattern_paths(flat)] == [
        ("b", ["a", "b"]), ("d", ["c", "[]"]), ("e", ["e"])]


def test_url_parts_are_iterative() -> None:
    chain = _first("u(" + " + ".join(["'/a'", "id"] * DEEP) + ")", "arguments").named_children[0]
    parts = _url_parts(chain)
    assert len(parts) == 2 * DEEP and parts[0] == "/a" and not isinstance(parts[1], str)
    url = _first("u(new URL(`${origin}/orders/` + id))", "arguments").named_children[0]
    assert [p if isinstance(p, str) else p.text for p in _url_parts(url)] == [b"origin", "/orders/", b"id"]


def test_taint_occurrences_are_iterative(project: Project) -> None:
    """A deep array literal reaching an insert: every level visited, no RecursionError."""
    expr = "[" * DEEP + "body.name" + "]" * DEEP
    source = ("export async function POST(request: Request) {\n  const body = await request.json();\n"
              f"  await supabase.from('t').insert({{ a: {expr}, b: `x${{body.id}}` }});\n}}\n").encode()
    assert_sound(lint_source(project, "app/api/t/route.ts", source), source)


# -- the same inputs through the CLI ------------------------------------------------------------------


def test_cli_on_hostile_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from treido_ls import cli

    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"next": "16.0.0"}}))
    app = tmp_path / "app" / "actions"
    app.mkdir(parents=True)
    (app / "products.ts").write_text(BASE)
    (app / "invalid-utf8.ts").write_bytes(BASE.encode().replace(b"Unauthorized", b"Un\xff\xfeauthorized"))
    (app / "nul.ts").write_bytes(b"\x00" * 10 + BASE.encode() + b"\x00")
    (app / "empty.ts").write_bytes(b"")
    (app / "comments.ts").write_text("// nothing\n/* here */\n")
    (app / "crlf.ts").write_bytes(b"\r\n" * 10)
    (app / "broken.ts").write_text(BASE + "function half() {\n  const s = `unterminated ${x\n")
    (app / "deep.ts").write_text("export const v = " + "(" * DEEP + "1" + ")" * DEEP + ";\n")
    big = "export const filler = [" + "0, " * (5 * 1024 * 1024 // 3) + "];\n"
    (app / "huge.ts").write_text(big)
    code = cli.main(["check", "--no-cache", "--format", "json", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0  # the wildcard selects are warnings
    files = {Path(item["filePath"]).name: item for item in json.loads(out)}
    assert "huge.ts" not in files
    assert "huge.ts: skipped" in err and "maxFileSize" in err
    assert {"products.ts", "invalid-utf8.ts", "nul.ts", "empty.ts", "broken.ts", "deep.ts"} <= set(files)
    assert "rule-error" not in out and "Traceback" not in err
    assert files["products.ts"]["warningCount"] == 1 and files["broken.ts"]["warningCount"] == 1


def test_long_chains_of_same_file_helpers(project: Project) -> None:
    """f0 calls f1 calls ... f1500: the call-graph walks of the cache rules must not recurse per helper."""
    count = 1500
    helpers = "".join(f"async function f{i}(x: any) {{ return f{i + 1}(x) }}\n" for i in range(count))
    source = ("import { cookies } from 'next/headers'\nimport { cacheLife, cacheTag } from 'next/cache'\n" + helpers
              + f"async function f{count}(x: any) {{\n  cacheTag('t'); cacheLife('hours');\n"
              + "  return (await cookies()).get(x)\n}\n"
              + "export async function load(id: string) {\n  'use cache'\n  return f0(id)\n}\n").encode()
    result = lint_source(project, "lib/load.ts", source)
    assert_sound(result, source)
    assert "next/use-cache-missing-tag-or-life" not in rules(result)  # the tag is found 1500 calls down


def test_queries_are_bounded_by_the_match_limit(project: Project, caplog: pytest.LogCaptureFixture) -> None:
    """Thousands of open calls keep one partial match per level; past MATCH_LIMIT they are dropped (logged)."""
    import logging

    from treido_ls.context import MATCH_LIMIT, FileContext
    from treido_ls.positions import LineIndex

    depth = MATCH_LIMIT * 2
    source = ("f(" * depth + "x" + ")" * depth).encode()
    ctx = FileContext("a.ts", source, parse(Lang.TYPESCRIPT, source), Lang.TYPESCRIPT, LineIndex(source), project)
    with caplog.at_level(logging.INFO, logger="treido_ls.context"):
        found = ctx.captures("(call_expression arguments: (arguments (identifier) @x)) @call")
    assert len(found["call"]) == 1  # the innermost call, the only real match
    assert any("match limit" in record.getMessage() for record in caplog.records)
