"""Generated documentation stays current: the README's rule table matches the rule files."""

from __future__ import annotations

from pathlib import Path

from treido_ls.doc_table import with_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_rule_table_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert text == with_table(text), "README rule table is stale: run `python -m treido_ls.doc_table --write README.md`"


def test_readme_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = text.split("```sh", 1)[1].split("```", 1)[0]
    assert "treido-ls check examples/treido-shop" in first_block
    assert "pytest" in first_block
