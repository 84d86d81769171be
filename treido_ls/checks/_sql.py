"""Shared helpers of the SQL rules: the folded schema for a migration, and policy expressions.

Rules speak about the final state of the migration set (`ctx.project.schema`) but report only in
the file being checked: a fact is reported by the check of the file its provenance points into, at
that range. Policy expressions are re-parsed from their provenance range (wrapped as
`select <expr>;`), which also works for policies created inside `DO $$ ... $$` bodies, where the
file's own tree has only a string.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from tree_sitter import Node, Tree

from treido_ls.context import FileContext
from treido_ls.parsing import Lang, parse
from treido_ls.workspace import git_state
from treido_ls.workspace.schema import Policy, Provenance, SchemaModel, Table
from treido_ls.workspace.sql_facts import ident, split_name

# Roles that bypass RLS (or own the tables): policies only for them expose nothing to API users.
PRIVILEGED_ROLES = frozenset({"service_role", "postgres", "supabase_admin"})
EXPOSED_SCHEMAS = frozenset({"public"})
WRITE_COMMANDS = frozenset({"insert", "update", "delete", "all"})
_PREFIX = b"select "
_WRAPPERS = frozenset({"a_expr", "a_expr_prec", "c_expr"})
_TIMESTAMP = re.compile(r"^(\d{14})_")
_PLAIN_IDENT = re.compile(r"^[a-z_][a-z0-9_$]*$")
# Postgres' reserved key words: as a table name they need double quotes (`public."order"`).
_RESERVED = frozenset({
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast", "check",
    "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role", "current_time",
    "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except",
    "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into",
    "lateral", "leading", "limit", "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or",
    "order", "placing", "primary", "references", "returning", "select", "session_user", "some", "symmetric",
    "system_user", "table", "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "when",
    "where", "window", "with"
})


def migration_schema(ctx: FileContext) -> SchemaModel | None:
    """The folded schema when `ctx` is a migration (None otherwise), with this buffer's text in it.

    The server feeds edited migrations to the schema before linting; doing it here too (a no-op
    when the content is known) keeps provenance ranges in step with `ctx.source` in every caller."""
    if not ctx.project.is_migration(ctx.path):
        return None
    if "migration_schema" not in ctx.shared:  # once per lint, not once per SQL rule
        ctx.project.update_migration(ctx.path, ctx.source)
        ctx.shared["migration_schema"] = ctx.project.schema
    model: SchemaModel = ctx.shared["migration_schema"]
    return model


_POLICY_INDEX: dict[int, tuple[SchemaModel, dict[str, list[tuple[Table, Policy]]]]] = {}


def policies_touching(ctx: FileContext, model: SchemaModel) -> list[tuple[Table, Policy]]:
    """The model's policies with any part (statement, USING, WITH CHECK) in this file.

    Indexed once per folded model: each migration's check would otherwise walk every policy of the
    project, which is quadratic over a 1,000-migration history."""
    entry = _POLICY_INDEX.get(id(model))
    if entry is None or entry[0] is not model:
        index: dict[str, list[tuple[Table, Policy]]] = {}
        for table, policy in model.policies():
            paths = {prov.path for prov in (policy.provenance, policy.using_provenance, policy.with_check_provenance)
                     if prov is not None}
            for path in paths:
                index.setdefault(path, []).append((table, policy))
        _POLICY_INDEX.clear()
        _POLICY_INDEX[id(model)] = entry = (model, index)
    return entry[1].get(ctx.path, [])


def here(ctx: FileContext, prov: Provenance | None) -> bool:
    return prov is not None and prov.path == ctx.path


def is_committed(ctx: FileContext) -> bool:
    """The migration is in git's HEAD (or git cannot tell, which counts as committed)."""
    return git_state.is_committed(ctx.project.root, ctx.project.migrations_dir, ctx.path)


def only_privileged(policy: Policy) -> bool:
    return bool(policy.roles) and all(role in PRIVILEGED_ROLES for role in policy.roles)


def quote_ident(name: str) -> str:
    if _PLAIN_IDENT.match(name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def qualified(table: Table) -> str:
    return f"{quote_ident(table.schema)}.{quote_ident(table.name)}"


def statement_end(source: bytes, end: int) -> int:
    """Just after the `;` that closes a statement ending at `end` (or `end` when there is none)."""
    rest = source[end : end + 256]
    stripped = rest.lstrip(b" \t")
    return end + (len(rest) - len(stripped)) + 1 if stripped.startswith(b";") else end


def latest_stamp(existing: list[str]) -> str | None:
    """The largest `YYYYMMDDHHMMSS_` prefix among migration paths."""
    return max((m.group(1) for p in existing if (m := _TIMESTAMP.match(p.rsplit("/", 1)[-1]))), default=None)


def new_migration_stamp(existing: list[str], now: datetime | None = None) -> str:
    """A UTC timestamp `YYYYMMDDHHMMSS` that sorts after every existing migration."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    latest = latest_stamp(existing)
    if latest is not None:
        after = datetime.strptime(latest, "%Y%m%d%H%M%S").replace(tzinfo=UTC) + timedelta(seconds=1)
        stamp = max(stamp, after)
    return stamp.strftime("%Y%m%d%H%M%S")


# --- policy expressions ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expr:
    """A policy expression re-parsed on its own; `offset` maps its nodes back to file bytes."""

    root: Node
    offset: int

    def span(self, node: Node) -> tuple[int, int]:
        return node.start_byte + self.offset, node.end_byte + self.offset


@lru_cache(maxsize=1024)
def _parse_expression(text: bytes) -> Tree:
    return parse(Lang.SQL, _PREFIX + text + b";")


def expression(ctx: FileContext, prov: Provenance | None) -> Expr | None:
    """The expression at `prov` (in this file), or None when it does not parse on its own."""
    if not here(ctx, prov):
        return None
    assert prov is not None
    tree = _parse_expression(ctx.source[prov.start : prov.end])
    if tree.root_node.has_error:
        return None
    target = _first(tree.root_node, "target_el")
    if target is None or not target.named_children:
        return None
    return Expr(target.named_children[0], prov.start - len(_PREFIX))


def _first(node: Node, type_: str) -> Node | None:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == type_:
            return current
        stack.extend(reversed(current.children))
    return None


def _descendants(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def unwrap(node: Node) -> Node:
    """Skip the grammar's single-child wrappers and parentheses around an expression."""
    while node.type in _WRAPPERS and len(node.named_children) == 1:
        node = node.named_children[0]
    return node


def call_name(node: Node) -> str | None:
    """`schema.name` of a function call without arguments, e.g. `auth.uid`, else None."""
    node = unwrap(node)
    if node.type == "func_expr" and len(node.named_children) == 1:
        node = node.named_children[0]
    if node.type != "func_application":
        return None
    kinds = [c.type for c in node.children]
    if kinds != ["func_name", "(", ")"]:
        return None
    name = node.children[0].text or b""
    return ".".join(ident(part) for part in split_name(name.decode("utf-8", "replace")))


def auth_calls(expr: Expr, names: frozenset[str]) -> Iterator[tuple[Node, str, bool]]:
    """(call node, name, wrapped) for each call of `names` in the expression; wrapped means
    `(select auth.uid())`, a scalar subquery Postgres evaluates once per statement."""
    for node in _descendants(expr.root):
        if node.type != "func_application":
            continue
        name = call_name(node)
        if name in names:
            yield node, name, _in_scalar_subquery(node, expr.root)


def _in_scalar_subquery(node: Node, root: Node) -> bool:
    current = node.parent
    while current is not None and current != root:
        if current.type == "simple_select":
            return not any(c.type == "from_clause" for c in current.children)
        current = current.parent
    return False


def auth_subject(node: Node, names: frozenset[str]) -> bool:
    """`auth.uid()` or `(select auth.uid())`."""
    node = unwrap(node)
    if call_name(node) in names:
        return True
    if node.type != "select_with_parens":
        return False
    select = _first(node, "simple_select")
    if select is None or any(c.type == "from_clause" for c in select.children):
        return False
    targets = [n for n in _descendants(select) if n.type == "target_el"]
    return len(targets) == 1 and bool(targets[0].named_children) and call_name(targets[0].named_children[0]) in names


def null_tests_in_disjunction(expr: Expr, names: frozenset[str]) -> Iterator[Node]:
    """`auth.uid() is null` operands of an OR anywhere in the expression."""
    for node in _descendants(expr.root):
        if node.type != "a_expr" or not any(c.type == "kw_or" for c in node.children):
            continue
        for operand in node.named_children:
            test = unwrap(operand)
            kinds = [c.type for c in test.children]
            if kinds in (["a_expr", "kw_is", "kw_null"], ["a_expr", "kw_isnull"]) and auth_subject(
                test.children[0], names
            ):
                yield test


def is_true(text: str | None) -> bool:
    """The expression is the constant `true` (in any parentheses or case)."""
    if text is None:
        return False
    value = text.strip()
    while value.startswith("(") and value.endswith(")"):
        value = value[1:-1].strip()
    return value.lower() == "true"
