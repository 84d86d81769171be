"""sql/update-policy-without-with-check: an UPDATE policy that never checks the new row."""

from __future__ import annotations

import re
from collections.abc import Iterator

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._sql import here, migration_schema, only_privileged, policies_touching
from treido_ls.context import FileContext
from treido_ls.model import Applicability, Edit, Fix, Violation
from treido_ls.workspace.schema import Policy

_USING_OPEN = re.compile(rb"\busing\s*\(\s*$", re.IGNORECASE)


@check("sql/update-policy-without-with-check")
def update_policy_without_with_check(ctx: FileContext) -> Iterator[Violation]:
    model = migration_schema(ctx)
    if model is None:
        return
    for table, policy in policies_touching(ctx, model):
        if policy.command != "update" or policy.with_check is not None or only_privileged(policy):
            continue
        if not policy.permissive or not here(ctx, policy.name_provenance):
            continue
        at = policy.name_provenance
        fix = _fix(ctx, policy)
        yield Violation(at.start, at.end, ctx.message(policy=policy.name, table=table.qualified_name),
                        fixes=[fix] if fix is not None else [],
                        data={"table": table.qualified_name, "policy": policy.name})


def _fix(ctx: FileContext, policy: Policy) -> Fix | None:
    """Spell out what Postgres does anyway: WITH CHECK repeats the USING expression."""
    using, statement = policy.using_provenance, policy.provenance
    if using is None or not here(ctx, using) or not statement.start <= using.start <= statement.end:
        return None
    opened = _USING_OPEN.search(ctx.source, statement.start, using.start)
    rest = ctx.source[using.end : statement.end]
    if opened is None or not rest.lstrip().startswith(b")"):
        return None
    close = using.end + (len(rest) - len(rest.lstrip())) + 1
    keyword = opened.start()
    line_start = ctx.source.rfind(b"\n", 0, keyword) + 1
    expression = ctx.source[using.start : using.end].decode("utf-8", "replace")
    if ctx.source[line_start:keyword].strip() == b"":  # `using` starts its line: the check gets its own
        indent = syntax.line_indent(ctx.source, line_start).decode()
        text = f"{syntax.newline_of(ctx.source)}{indent}with check ({expression})"
    else:
        text = f" with check ({expression})"
    return Fix("Add `with check` with the USING expression", (Edit(close, close, text),), Applicability.SAFE)
