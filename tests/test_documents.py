"""Incremental sync: random edit sequences keep our text equal to the client's, and the tree
equal to a fresh parse whenever the fresh parse has no errors."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from treido_ls.documents import Document, TextChange
from treido_ls.parsing import Lang, parse
from treido_ls.positions import UTF8, UTF16, encode_text

SEED = 'const a = "🛒";\r\nexport async function f() {\n  return s.from("t").select("id");\n}\n購物車\n'
PIECES = ["", "a", "🛒", "購", "\r\n", "\n", "{", "}", "'", "`", '"', " ", "select('*')", "é", "x\ny"]


def client_apply(text: str, start: tuple[int, int], end: tuple[int, int], new: str, encoding: str) -> str:
    """What an editor does, computed independently of the server's LineIndex."""
    lines = text.splitlines(keepends=True) or [""]
    if text.endswith(("\n", "\r")):
        lines.append("")

    def to_index(line: int, character: int) -> int:
        if line >= len(lines):
            return len(text)
        base = sum(len(item) for item in lines[:line])
        content = lines[line].rstrip("\r\n")
        units = 0
        for i, ch in enumerate(content):
            width = len(ch.encode("utf-8")) if encoding == UTF8 else len(ch.encode("utf-16-le")) // 2
            if units + width > character:
                return base + i
            units += width
        return base + len(content)

    a, b = sorted((to_index(*start), to_index(*end)))
    return text[:a] + new + text[b:]


positions = st.tuples(st.integers(0, 8), st.integers(0, 40))
edits = st.lists(st.tuples(positions, positions, st.sampled_from(PIECES)), min_size=1, max_size=25)


@settings(max_examples=150, deadline=None)
@given(edits, st.sampled_from([UTF16, UTF8]))
def test_random_edits_keep_text_and_tree(edit_list: list[tuple[tuple[int, int], tuple[int, int], str]],
                                         encoding: str) -> None:
    doc = Document("file:///x.ts", "/x.ts", Lang.TYPESCRIPT, 1, encode_text(SEED))
    expected = SEED
    for start, end, new in edit_list:
        if (start[0], start[1]) > (end[0], end[1]):
            start, end = end, start
        expected = client_apply(expected, start, end, new, encoding)
        doc.apply([TextChange(new, start, end)], encoding)
        assert doc.text == expected
        fresh = parse(Lang.TYPESCRIPT, doc.source)
        if not fresh.root_node.has_error:
            assert str(doc.tree.root_node) == str(fresh.root_node)  # type: ignore[union-attr]


def test_delete_everything_then_insert_at_end() -> None:
    doc = Document("file:///x.ts", "/x.ts", Lang.TYPESCRIPT, 1, encode_text(SEED))
    lines = SEED.count("\n")
    doc.apply([TextChange("", (0, 0), (lines + 5, 0))], UTF16)
    assert doc.text == ""
    doc.apply([TextChange("let x = 1;\n", (3, 0), (3, 0))], UTF16)
    assert doc.text == "let x = 1;\n"
    assert not doc.tree.root_node.has_error  # type: ignore[union-attr]


def test_full_replacement() -> None:
    doc = Document("file:///x.ts", "/x.ts", Lang.TYPESCRIPT, 1, b"a")
    doc.apply([TextChange("const 🛒 = 1")], UTF16)
    assert doc.text == "const 🛒 = 1"


@settings(max_examples=60, deadline=None)
@given(edits)
def test_diagnostics_after_edits_equal_a_fresh_lint(
    edit_list: list[tuple[tuple[int, int], tuple[int, int], str]],
) -> None:
    """What the server publishes for its incremental tree equals what the CLI computes for the text."""
    from pathlib import Path

    from treido_ls.linter import lint, lint_source
    from treido_ls.project import Project
    from treido_ls.registry import rule_ids

    project = Project(Path("/nonexistent-treido-project"), rule_ids(), use_default_config=True)
    seed = "import { revalidateTag } from 'next/cache';\nconst q = s.from('t').select('*');\n" + SEED
    doc = Document("file:///app/x.ts", "/app/x.ts", Lang.TYPESCRIPT, 1, encode_text(seed))
    for start, end, new in edit_list:
        if (start[0], start[1]) > (end[0], end[1]):
            start, end = end, start
        doc.apply([TextChange(new, start, end)], UTF16)
        assert doc.tree is not None
        incremental = lint("app/x.ts", doc.source, doc.tree, Lang.TYPESCRIPT, doc.index, project).findings
        fresh = lint_source(project, "app/x.ts", doc.source).findings
        assert [(f.rule_id, f.start, f.end, f.message) for f in incremental] == \
            [(f.rule_id, f.start, f.end, f.message) for f in fresh]
