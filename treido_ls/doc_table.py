"""The README's rule table, generated from the rule files (`--write README.md` updates it)."""

from __future__ import annotations

import sys
from pathlib import Path

from treido_ls.registry import load_rule_docs

START, END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"


def rules_table() -> str:
    rows = ["| rule | severity | fix | what it flags |", "|---|---|---|---|"]
    for rule_id, doc in sorted(load_rule_docs().items()):
        fix = doc.applicability.value if doc.fix != "none" and doc.applicability else "-"
        link = f"[`{rule_id}`](rules/{rule_id}.md)"
        rows.append(f"| {link} | {doc.severity.label} | {fix} | {doc.title} |")
    return "\n".join(rows)


def with_table(readme: str) -> str:
    before, _, rest = readme.partition(START)
    _, _, after = rest.partition(END)
    return f"{before}{START}\n{rules_table()}\n{END}{after}"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        target = Path(sys.argv[2])
        target.write_text(with_table(target.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(rules_table())
