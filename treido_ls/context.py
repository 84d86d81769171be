"""FileContext: what kind of file a check looks at, and its file-level facts, computed once.

Kinds (the `contexts` of a rule file): `typescript` (every script file), `sql`, `server-action`
(module-level 'use server'), `route-handler`, `page`, `layout`, `server-component` (files under
app/ that are not client modules), `client` ('use client'), `cache-module` ('use cache' at the
top), `middleware` (middleware.ts / proxy.ts), `edge-function` (supabase/functions/**),
`migration` (the migrations folder's .sql files). Globs in config `project.fileKinds` add kinds.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from tree_sitter import Node, Query, QueryCursor, Tree

from treido_ls import syntax
from treido_ls.parsing import Lang, language
from treido_ls.positions import LineIndex

if TYPE_CHECKING:
    from treido_ls.project import Project
    from treido_ls.ruledoc import RuleDoc

log = logging.getLogger(__name__)

_QUERIES: dict[tuple[Lang, str], Query] = {}


def compiled_query(lang: Lang, pattern: str) -> Query:
    """Compile a query once per grammar and pattern (compiling costs milliseconds)."""
    key = (lang, pattern)
    query = _QUERIES.get(key)
    if query is None:
        query = _QUERIES[key] = Query(language(lang), pattern)
    return query

# In-progress matches a query may hold at once. tree-sitter 0.26 has no query timeout; without a
# limit, deeply nested text (thousands of open calls) keeps one state per level for every
# pattern. Ordinary code stays far below this; past it the oldest partial matches are dropped.
MATCH_LIMIT = 1024


def _cursor(lang: Lang, pattern: str) -> QueryCursor:
    return QueryCursor(compiled_query(lang, pattern), match_limit=MATCH_LIMIT)


def _note_limit(cursor: QueryCursor, path: str, pattern: str) -> None:
    if cursor.did_exceed_match_limit:
        log.info("query hit the match limit on %s (some matches may be missing): %s", path, pattern[:80])


_STATEMENTS = "[(import_statement) (lexical_declaration) (expression_statement) (return_statement)] @stmt"
_ROUTE = re.compile(r"(^|/)(src/)?app/(.+/)?route\.(ts|js|tsx|jsx|mjs)$")
_PAGES_API = re.compile(r"(^|/)(src/)?pages/api/.+\.(ts|js|tsx|jsx|mjs)$")
_APP_FILE = re.compile(r"(^|/)(src/)?app/(.+/)?(?P<name>page|layout|template|default|loading|error|not-found)\."
                       r"(tsx|jsx|ts|js)$")
_UNDER_APP = re.compile(r"(^|/)(src/)?app/")
_MIDDLEWARE = re.compile(r"^(src/)?(middleware|proxy)\.(ts|js|mjs)$")
_EDGE_FUNCTION = re.compile(r"(^|/)supabase/functions/")


@dataclass(frozen=True, slots=True)
class ImportBinding:
    """`local` was imported as `name` ('default', '*' or an export name) from `module`."""

    local: str
    module: str
    name: str
    node: Node


@dataclass(slots=True)
class FunctionInfo:
    name: str
    node: Node  # the function node (declaration, expression or arrow)
    name_node: Node
    body: Node | None
    exported: bool
    is_async: bool
    directives: tuple[str, ...] = ()


@dataclass
class FileContext:
    path: str  # relative to the project root, POSIX separators
    source: bytes
    tree: Tree
    lang: Lang
    index: LineIndex
    project: Project
    options: dict[str, Any] = field(default_factory=dict)
    rule: RuleDoc | None = None  # the rule being run, set by the linter
    _captures: dict[str, dict[str, list[Node]]] = field(default_factory=dict, repr=False)
    _matches: dict[str, list[dict[str, list[Node]]]] = field(default_factory=dict, repr=False)
    _by_type: dict[str, tuple[list[Node], list[int]]] = field(default_factory=dict, repr=False)
    # File-level facts that several rules need, computed by the first one (keys name the helper).
    shared: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def root(self) -> Node:
        return self.tree.root_node

    def message(self, **args: object) -> str:
        """The current rule's message template, filled in."""
        assert self.rule is not None
        return self.rule.message.format(**args)

    def captures(self, pattern: str) -> dict[str, list[Node]]:
        """Query results for the whole file, computed once per pattern and shared by all rules.

        Each query walks the whole tree, so a check asking again per function would be quadratic."""
        cached = self._captures.get(pattern)
        if cached is None:
            cursor = _cursor(self.lang, pattern)
            cached = self._captures[pattern] = cursor.captures(self.root)
            _note_limit(cursor, self.path, pattern)
        return {name: list(nodes) for name, nodes in cached.items()}

    def matches(self, pattern: str) -> list[dict[str, list[Node]]]:
        cached = self._matches.get(pattern)
        if cached is None:
            cursor = _cursor(self.lang, pattern)
            cached = self._matches[pattern] = [found for _, found in cursor.matches(self.root)]
            _note_limit(cursor, self.path, pattern)
        return [dict(found) for found in cached]

    def text(self, node: Node | None) -> str:
        return syntax.text(node)

    @cached_property
    def directives(self) -> tuple[str, ...]:
        """Module-level directive prologue: leading string statements."""
        if not self.lang.is_script:
            return ()
        return _directive_prologue(self.root)

    @cached_property
    def kinds(self) -> frozenset[str]:
        extra = self.project.kind_globs(self.path)
        if self.lang is Lang.SQL and self.project.is_migration(self.path):
            extra |= {"migration"}
        return frozenset(classify(self.path, self.lang, self.directives, extra))

    def is_kind(self, *kinds: str) -> bool:
        return any(kind in self.kinds for kind in kinds)

    @cached_property
    def imports(self) -> dict[str, ImportBinding]:
        if not self.lang.is_script:
            return {}
        return _collect_imports(self.root)

    def imported_from(self, local: str, *modules: str) -> bool:
        binding = self.imports.get(local)
        return binding is not None and binding.module in modules

    @cached_property
    def functions(self) -> list[FunctionInfo]:
        """Top-level functions (declared, or assigned to a const), exported or not."""
        if not self.lang.is_script:
            return []
        return _collect_functions(self.root)

    def descendants(self, node: Node, node_type: str) -> list[Node]:
        """Nodes of one type inside `node`, in pre-order, from one whole-file query kept per type.

        The same as walking `node` for that type, without visiting every node again in Python."""
        found = self._by_type.get(node_type)
        if found is None:
            nodes = self.captures(f"({node_type}) @n").get("n", [])
            nodes.sort(key=lambda n: (n.start_byte, -n.end_byte))
            found = self._by_type[node_type] = (nodes, [n.start_byte for n in nodes])
        nodes, starts = found
        first = bisect_left(starts, node.start_byte)
        return [n for n in nodes[first:bisect_right(starts, node.end_byte)]
                if n.end_byte <= node.end_byte and n != node]

    @cached_property
    def semicolon(self) -> str:
        """The file's statement style for inserted code: `;` unless most statements end without one."""
        stmts = self.captures(_STATEMENTS).get("stmt", [])
        with_semi = sum(1 for stmt in stmts if stmt.text is not None and stmt.text.rstrip().endswith(b";"))
        return ";" if with_semi * 2 >= len(stmts) else ""

    def exported_functions(self) -> list[FunctionInfo]:
        return [fn for fn in self.functions if fn.exported]


def classify(path: str, lang: Lang, directives: tuple[str, ...], extra: frozenset[str]) -> set[str]:
    kinds = set(extra)
    posix = PurePosixPath(path).as_posix()
    if lang is Lang.SQL:
        kinds.add("sql")
        return kinds
    kinds.add("typescript")
    if "use client" in directives:
        kinds.add("client")
    if "use server" in directives:
        kinds.add("server-action")
    if "use cache" in directives or any(d.startswith("use cache:") for d in directives):
        kinds.add("cache-module")
    if _ROUTE.search(posix) or _PAGES_API.search(posix):
        kinds.add("route-handler")
    if (match := _APP_FILE.search(posix)) is not None and match.group("name") in ("page", "layout"):
        kinds.add(match.group("name"))
    if _UNDER_APP.search(posix) and "client" not in kinds:
        kinds.add("server-component")
    if _MIDDLEWARE.search(posix):
        kinds.add("middleware")
    if _EDGE_FUNCTION.search(posix):
        kinds.add("edge-function")
    return kinds


def _directive_prologue(body: Node) -> tuple[str, ...]:
    found: list[str] = []
    for child in body.named_children:
        if child.type in ("comment", "hash_bang_line"):
            continue
        if child.type != "expression_statement" or not child.named_children:
            break
        value = syntax.string_value(child.named_children[0])
        if value is None or child.named_children[0].type != "string":
            break
        found.append(value)
    return tuple(found)


def function_directives(fn: Node) -> tuple[str, ...]:
    body = fn.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return ()
    return _directive_prologue(body)


def _collect_imports(root: Node) -> dict[str, ImportBinding]:
    bindings: dict[str, ImportBinding] = {}
    for stmt in root.named_children:
        if stmt.type != "import_statement":
            continue
        source = syntax.string_value(stmt.child_by_field_name("source"))
        if source is None:
            continue
        for clause in stmt.named_children:
            if clause.type == "import_clause":
                _bindings_of_clause(clause, source, bindings)
    return bindings


def _bindings_of_clause(clause: Node, module: str, out: dict[str, ImportBinding]) -> None:
    for part in clause.named_children:
        if part.type == "identifier":
            out[syntax.text(part)] = ImportBinding(syntax.text(part), module, "default", part)
        elif part.type == "namespace_import":
            ident = next((c for c in part.named_children if c.type == "identifier"), None)
            if ident is not None:
                out[syntax.text(ident)] = ImportBinding(syntax.text(ident), module, "*", ident)
        elif part.type == "named_imports":
            for spec in part.named_children:
                if spec.type != "import_specifier":
                    continue
                name = spec.child_by_field_name("name")
                alias = spec.child_by_field_name("alias") or name
                if name is not None and alias is not None:
                    local = syntax.text(alias)
                    out[local] = ImportBinding(local, module, syntax.text(name), alias)


def _collect_functions(root: Node) -> list[FunctionInfo]:
    functions: list[FunctionInfo] = []
    exported_names: set[str] = set()
    for stmt in root.named_children:
        exported = stmt.type == "export_statement"
        inner = stmt.child_by_field_name("declaration") if exported else stmt
        if exported and inner is None:
            value = stmt.child_by_field_name("value")
            if value is not None and value.type in syntax.FUNCTION_TYPES:
                functions.append(_function_info("default", value, value, True))
            exported_names.update(_export_clause_names(stmt))
            continue
        if inner is None:
            continue
        if inner.type in ("function_declaration", "generator_function_declaration"):
            name = inner.child_by_field_name("name")
            if name is not None:
                functions.append(_function_info(syntax.text(name), inner, name, exported))
        elif inner.type in ("lexical_declaration", "variable_declaration"):
            for declarator in inner.named_children:
                if declarator.type != "variable_declarator":
                    continue
                name = declarator.child_by_field_name("name")
                value = syntax.unwrap(declarator.child_by_field_name("value"))
                if name is not None and value is not None and value.type in syntax.FUNCTION_TYPES:
                    functions.append(_function_info(syntax.text(name), value, name, exported))
    for fn in functions:
        if fn.name in exported_names:
            fn.exported = True
    return functions


def _export_clause_names(stmt: Node) -> set[str]:
    names: set[str] = set()
    for clause in stmt.named_children:
        if clause.type != "export_clause" or stmt.child_by_field_name("source") is not None:
            continue
        for spec in clause.named_children:
            name = spec.child_by_field_name("name")
            if spec.type == "export_specifier" and name is not None:
                names.add(syntax.text(name))
    return names


def _function_info(name: str, fn: Node, name_node: Node, exported: bool) -> FunctionInfo:
    is_async = any(child.type == "async" for child in fn.children)
    return FunctionInfo(name, fn, name_node, fn.child_by_field_name("body"), exported, is_async,
                        function_directives(fn))
