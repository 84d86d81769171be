"""The schema model: migrations replayed in filename order into tables, policies and functions.

`parse_migration` (sql_facts.py) turns each file into effects; `fold` applies one file's effects to
a model and returns a new model, leaving the input untouched (copy-on-write per table), so
`SchemaBuilder` can keep a checkpoint after every file and refold only from the file that changed.

Privilege assumptions (documented because rules depend on them):
- Postgres grants EXECUTE on every new function to PUBLIC, unless changed by
  `ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC` (global form only).
- Supabase's default privileges (for role postgres, schema public) also grant EXECUTE on new
  functions and ALL on new tables to anon, authenticated and service_role, directly. So
  `REVOKE EXECUTE ... FROM PUBLIC` alone leaves anon able to call the function; revoking from
  anon (or changing the default privileges in schema public) is needed.
- ALTER DEFAULT PRIVILEGES FOR ROLE x is applied only when x is postgres (migrations run as
  postgres); a per-schema REVOKE cannot remove a global default (Postgres semantics).
- CREATE OR REPLACE FUNCTION keeps the existing grants; CREATE OR REPLACE VIEW replaces the view's
  options (so `security_invoker` must be restated).
Relations that statements refer to but no migration created (auth.users, storage.objects, or DDL
run through dynamic EXECUTE) appear as `external` tables with `columns_complete = False`.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from treido_ls.workspace.generated_types import (
    GeneratedColumn,
    GeneratedDatabase,
    GeneratedTable,
    parse_generated_database,
    parse_generated_types,
)
from treido_ls.workspace.sql_facts import (
    TABLE_PRIVILEGES,
    AddColumn,
    AddEnumValue,
    AddKey,
    AlterColumn,
    AlterFunction,
    AlterPolicy,
    ColumnSpec,
    CopyColumns,
    CreateEnum,
    CreateFunction,
    CreatePolicy,
    CreateTable,
    CreateView,
    DefaultPrivilege,
    DropColumn,
    DropConstraint,
    DropFunction,
    DropPolicy,
    DropRelation,
    DropType,
    Effect,
    FuncRef,
    FunctionPrivilege,
    KeyKind,
    KeySpec,
    MigrationFacts,
    Policy,
    Provenance,
    QName,
    RelKind,
    RenameColumn,
    RenameFunction,
    RenamePolicy,
    RenameRelation,
    SetFunctionSchema,
    SetRelationSchema,
    SetRelOptions,
    SetRowSecurity,
    SourceRef,
    TablePrivilege,
    ViewTarget,
    canonical_type,
    option_bool,
    parse_migration,
)

__all__ = [
    "Column",
    "Function",
    "FunctionKey",
    "GeneratedColumn",
    "GeneratedDatabase",
    "GeneratedTable",
    "MigrationFacts",
    "Policy",
    "Provenance",
    "QName",
    "SchemaBuilder",
    "SchemaModel",
    "SourceRef",
    "Table",
    "build_schema",
    "canonical_type",
    "fold",
    "parse_generated_database",
    "parse_generated_types",
    "parse_migration",
]

FunctionKey = tuple[str, str, tuple[str, ...]]
"""(schema, name, canonical identity argument types)."""

SUPABASE_API_ROLES = frozenset({"anon", "authenticated", "service_role"})


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # as written, normalized (lower case, single spaces); "" when unknown (views)
    nullable: bool
    has_default: bool
    provenance: Provenance  # the column definition (or the view / CREATE TABLE AS statement)


@dataclass(slots=True)
class Table:
    """A relation: table, view or materialized view."""

    schema: str
    name: str
    kind: RelKind
    created: Provenance
    name_provenance: Provenance
    columns: dict[str, Column] = field(default_factory=dict)
    columns_complete: bool = True
    external: bool = False  # referenced by migrations but not created by one we could read
    primary_key: tuple[str, ...] = ()
    unique: list[tuple[str, ...]] = field(default_factory=list)
    constraints: dict[str, tuple[KeyKind, tuple[str, ...]]] = field(default_factory=dict)
    rls_enabled: bool = False
    rls_forced: bool = False
    rls_provenance: Provenance | None = None  # statement that last enabled/disabled RLS
    policies: list[Policy] = field(default_factory=list)
    options: dict[str, str | None] = field(default_factory=dict)  # reloptions (WITH (...))
    security_invoker_provenance: Provenance | None = None  # where security_invoker was last set
    view_sources: tuple[SourceRef, ...] = ()
    grants: dict[str, frozenset[str]] = field(default_factory=dict)  # role -> table privileges

    @property
    def key(self) -> QName:
        return (self.schema, self.name)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def security_invoker(self) -> bool | None:
        """For views: the `security_invoker` option (None when never set); None for tables."""
        if self.kind == "table" or "security_invoker" not in self.options:
            return None
        return option_bool(self.options["security_invoker"])

    def policy(self, name: str) -> Policy | None:
        for policy in self.policies:
            if policy.name == name:
                return policy
        return None

    def privileges(self, role: str) -> frozenset[str]:
        """Table privileges `role` holds directly or through PUBLIC."""
        return self.grants.get(role, frozenset()) | self.grants.get("public", frozenset())

    def selects_from(self, schema: str, name: str) -> SourceRef | None:
        for ref in self.view_sources:
            if ref.relation == (schema, name):
                return ref
        return None

    def copy(self) -> Table:
        return dataclasses.replace(
            self,
            columns=dict(self.columns),
            unique=list(self.unique),
            constraints=dict(self.constraints),
            policies=list(self.policies),
            options=dict(self.options),
            grants=dict(self.grants),
        )


@dataclass(frozen=True, slots=True)
class Function:
    schema: str
    name: str
    argtypes: tuple[str, ...]
    kind: str  # function | procedure
    language: str
    security_definer: bool
    search_path: str | None  # value of `SET search_path`, None when not configured
    returns: str
    execute_roles: frozenset[str]  # roles granted EXECUTE directly ("public" = PUBLIC)
    provenance: Provenance  # the CREATE [OR REPLACE] FUNCTION statement (the latest one)
    name_provenance: Provenance
    security_provenance: Provenance | None  # `security definer` clause (create or alter)
    search_path_provenance: Provenance | None  # `set search_path ...` clause (create or alter)
    body_provenance: Provenance | None

    @property
    def key(self) -> FunctionKey:
        return (self.schema, self.name, self.argtypes)

    @property
    def signature(self) -> str:
        return f"{self.schema}.{self.name}({', '.join(self.argtypes)})"

    @property
    def search_path_set(self) -> bool:
        return self.search_path is not None

    @property
    def returns_trigger(self) -> bool:
        return self.returns in ("trigger", "event_trigger")

    def can_execute(self, role: str) -> bool:
        return role in self.execute_roles or "public" in self.execute_roles


def _initial_function_defaults() -> dict[str, frozenset[str]]:
    # "" = the global default (PUBLIC); "public" = Supabase's per-schema grants.
    return {"": frozenset({"public"}), "public": SUPABASE_API_ROLES}


def _initial_table_defaults() -> dict[str, dict[str, frozenset[str]]]:
    return {"public": dict.fromkeys(sorted(SUPABASE_API_ROLES), TABLE_PRIVILEGES)}


@dataclass(slots=True)
class SchemaModel:
    """The folded state. Treat as read-only: checkpoints share objects with it."""

    relations: dict[QName, Table] = field(default_factory=dict)
    function_map: dict[FunctionKey, Function] = field(default_factory=dict)
    enums: dict[QName, tuple[str, ...]] = field(default_factory=dict)
    default_function_grants: dict[str, frozenset[str]] = field(default_factory=_initial_function_defaults)
    default_table_grants: dict[str, dict[str, frozenset[str]]] = field(default_factory=_initial_table_defaults)

    def table(self, name: str, schema: str = "public") -> Table | None:
        """Exact (already folded) names, as PostgREST and supabase-js use them."""
        return self.relations.get((schema, name))

    def has_column(self, table: str, column: str, schema: str = "public") -> bool:
        rel = self.relations.get((schema, table))
        return rel is not None and column in rel.columns

    def tables(self, include_views: bool = False, include_external: bool = False) -> list[Table]:
        return [
            t
            for t in self.relations.values()
            if (include_views or t.kind == "table") and (include_external or not t.external)
        ]

    def views(self) -> list[Table]:
        return [t for t in self.relations.values() if t.kind != "table"]

    def functions(self) -> list[Function]:
        return list(self.function_map.values())

    def find_functions(self, name: str, schema: str = "public") -> list[Function]:
        return [f for f in self.function_map.values() if f.schema == schema and f.name == name]

    def policies(self) -> Iterator[tuple[Table, Policy]]:
        for table in self.relations.values():
            for policy in table.policies:
                yield table, policy


# ---------------------------------------------------------------------------------------------
# Folding


def default_constraint_name(table: str, kind: KeyKind, columns: tuple[str, ...]) -> str:
    """The name Postgres gives an unnamed key (used by DROP CONSTRAINT)."""
    if kind == "primary":
        return f"{table}_pkey"
    return f"{table}_{'_'.join(columns)}_key"


class _Fold:
    """Applies effects to a fork of a model; tables are copied the first time they change."""

    def __init__(self, base: SchemaModel) -> None:
        self.model = SchemaModel(
            relations=dict(base.relations),
            function_map=dict(base.function_map),
            enums=dict(base.enums),
            default_function_grants=dict(base.default_function_grants),
            default_table_grants=dict(base.default_table_grants),
        )
        self._owned: set[QName] = set()

    # --- tables

    def put(self, table: Table) -> None:
        self.model.relations[table.key] = table
        self._owned.add(table.key)

    def writable(self, key: QName) -> Table | None:
        table = self.model.relations.get(key)
        if table is None:
            return None
        if key not in self._owned:
            table = table.copy()
            self.put(table)
        return table

    def writable_or_external(self, key: QName, prov: Provenance) -> Table:
        table = self.writable(key)
        if table is None:
            table = Table(key[0], key[1], "table", prov, prov, columns_complete=False, external=True)
            table.grants = self.default_grants(key[0])
            self.put(table)
        return table

    def default_grants(self, schema: str) -> dict[str, frozenset[str]]:
        grants: dict[str, frozenset[str]] = {}
        for scope in ("", schema):
            for role, privs in self.model.default_table_grants.get(scope, {}).items():
                grants[role] = grants.get(role, frozenset()) | privs
        return grants

    def create_table(self, e: CreateTable) -> None:
        existing = self.model.relations.get(e.relation)
        if e.if_not_exists and existing is not None and not existing.external:
            return
        schema, name = e.relation
        table = Table(schema, name, "table", e.provenance, e.name_provenance, columns_complete=e.complete)
        table.grants = self.default_grants(schema)
        if existing is not None and existing.external:
            _adopt(table, existing)
        for spec in e.columns:
            self._add_column_spec(table, spec)
        for key in e.keys:
            _add_key(table, key)
        self.put(table)

    def _add_column_spec(self, table: Table, spec: ColumnSpec | CopyColumns) -> None:
        if isinstance(spec, ColumnSpec):
            table.columns[spec.name] = _column(spec)
            return
        source = self.model.relations.get(spec.relation)
        if source is None or not source.columns_complete:
            table.columns_complete = False
        if source is not None:
            for col in source.columns.values():
                table.columns.setdefault(col.name, col)

    def create_view(self, e: CreateView) -> None:
        existing = self.model.relations.get(e.relation)
        if e.if_not_exists and existing is not None:
            return
        schema, name = e.relation
        view = Table(schema, name, e.kind, e.provenance, e.name_provenance)
        # OR REPLACE keeps privileges; options are replaced by the new WITH (...) list.
        view.grants = dict(existing.grants) if existing is not None else self.default_grants(schema)
        view.options = dict(e.options)
        if "security_invoker" in view.options:
            view.security_invoker_provenance = e.provenance
        view.view_sources = e.sources
        for target in e.targets:
            self._add_view_target(view, target)
        self.put(view)

    def _add_view_target(self, view: Table, target: ViewTarget) -> None:
        if target.name is not None:
            column = Column(target.name, "", True, False, target.provenance)
            view.columns.setdefault(target.name, column)
            return
        source = self.model.relations.get(target.star) if target.star is not None else None
        if source is None or not source.columns_complete:
            view.columns_complete = False
        if source is not None:
            for col in source.columns.values():
                view.columns.setdefault(col.name, col)

    def add_column(self, e: AddColumn) -> None:
        table = self.writable_or_external(e.relation, e.provenance)
        if e.if_not_exists and e.column.name in table.columns:
            return
        table.columns[e.column.name] = _column(e.column)

    def drop_column(self, e: DropColumn) -> None:
        table = self.writable(e.relation)
        if table is None:
            return
        table.columns.pop(e.column, None)
        # Keys that use the column go with it.
        if e.column in table.primary_key:
            table.primary_key = ()
        table.unique = [u for u in table.unique if e.column not in u]
        table.constraints = {n: c for n, c in table.constraints.items() if e.column not in c[1]}

    def rename_column(self, e: RenameColumn) -> None:
        table = self.writable(e.relation)
        if table is None or e.old not in table.columns:
            return

        def swap(cols: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(e.new if c == e.old else c for c in cols)

        table.columns = {
            (e.new if n == e.old else n): (dataclasses.replace(c, name=e.new) if n == e.old else c)
            for n, c in table.columns.items()
        }
        table.primary_key = swap(table.primary_key)
        table.unique = [swap(u) for u in table.unique]
        table.constraints = {n: (k, swap(c)) for n, (k, c) in table.constraints.items()}

    def alter_column(self, e: AlterColumn) -> None:
        table = self.writable(e.relation)
        col = table.columns.get(e.column) if table is not None else None
        if table is None or col is None:
            return
        changes: dict[str, Any] = {}
        if e.nullable is not None:
            changes["nullable"] = e.nullable
        if e.has_default is not None:
            changes["has_default"] = e.has_default
        if e.type is not None:
            changes["type"] = e.type
        table.columns[e.column] = dataclasses.replace(col, **changes)

    def set_row_security(self, e: SetRowSecurity) -> None:
        table = self.writable_or_external(e.relation, e.provenance)
        if e.enabled is not None:
            table.rls_enabled = e.enabled
            table.rls_provenance = e.provenance
        if e.forced is not None:
            table.rls_forced = e.forced

    def add_key(self, e: AddKey) -> None:
        table = self.writable(e.relation)
        if table is not None:
            _add_key(table, e.key)

    def drop_constraint(self, e: DropConstraint) -> None:
        table = self.writable(e.relation)
        if table is None or e.name not in table.constraints:
            return
        kind, cols = table.constraints.pop(e.name)
        if kind == "primary":
            table.primary_key = ()
        elif cols in table.unique:
            table.unique.remove(cols)

    def move_relation(self, old: QName, new: QName) -> None:
        table = self.writable(old)
        if table is None or old == new:
            return
        del self.model.relations[old]
        self._owned.discard(old)
        table.schema, table.name = new
        self.put(table)
        # Views follow the relation (Postgres binds them by OID, not by name).
        for key, view in list(self.model.relations.items()):
            if any(ref.relation == old for ref in view.view_sources):
                view = self.writable(key) or view
                view.view_sources = tuple(
                    SourceRef(new, ref.provenance) if ref.relation == old else ref for ref in view.view_sources
                )

    def rename_relation(self, e: RenameRelation) -> None:
        self.move_relation(e.relation, (e.relation[0], e.new_name))

    def set_relation_schema(self, e: SetRelationSchema) -> None:
        self.move_relation(e.relation, (e.new_schema, e.relation[1]))

    def drop_relation(self, e: DropRelation) -> None:
        self.model.relations.pop(e.relation, None)
        self._owned.discard(e.relation)

    def set_rel_options(self, e: SetRelOptions) -> None:
        table = self.writable(e.relation)
        if table is None:
            return
        for key, value in e.options:
            if e.reset:
                table.options.pop(key, None)
            else:
                table.options[key] = value
            if key == "security_invoker":
                table.security_invoker_provenance = e.provenance

    # --- policies

    def create_policy(self, e: CreatePolicy) -> None:
        table = self.writable_or_external(e.relation, e.provenance)
        table.policies = [p for p in table.policies if p.name != e.policy.name]
        table.policies.append(e.policy)

    def alter_policy(self, e: AlterPolicy) -> None:
        table = self.writable(e.relation)
        policy = table.policy(e.name) if table is not None else None
        if table is None or policy is None:
            return
        changes: dict[str, Any] = {}
        if e.roles is not None:
            changes["roles"] = e.roles
        if e.using is not None:
            changes.update(using=e.using, using_provenance=e.using_provenance)
        if e.with_check is not None:
            changes.update(with_check=e.with_check, with_check_provenance=e.with_check_provenance)
        _replace_policy(table, e.name, dataclasses.replace(policy, **changes))

    def rename_policy(self, e: RenamePolicy) -> None:
        table = self.writable(e.relation)
        policy = table.policy(e.old) if table is not None else None
        if table is not None and policy is not None:
            _replace_policy(table, e.old, dataclasses.replace(policy, name=e.new))

    def drop_policy(self, e: DropPolicy) -> None:
        table = self.writable(e.relation)
        if table is not None:
            table.policies = [p for p in table.policies if p.name != e.name]

    # --- functions

    def function_keys(self, ref: FuncRef) -> list[FunctionKey]:
        if ref.argtypes is not None:
            key = (ref.schema, ref.name, ref.argtypes)
            return [key] if key in self.model.function_map else []
        return [k for k in self.model.function_map if k[0] == ref.schema and k[1] == ref.name]

    def default_execute_roles(self, schema: str) -> frozenset[str]:
        defaults = self.model.default_function_grants
        return defaults.get("", frozenset()) | defaults.get(schema, frozenset())

    def create_function(self, e: CreateFunction) -> None:
        key = (e.schema, e.name, e.argtypes)
        existing = self.model.function_map.get(key)
        roles = existing.execute_roles if existing is not None else self.default_execute_roles(e.schema)
        self.model.function_map[key] = Function(
            e.schema, e.name, e.argtypes, e.kind, e.language, e.security_definer, e.search_path,
            e.returns, roles, e.provenance, e.name_provenance, e.security_provenance,
            e.search_path_provenance, e.body_provenance,
        )  # fmt: skip

    def alter_function(self, e: AlterFunction) -> None:
        for key in self.function_keys(e.function):
            fn = self.model.function_map[key]
            if e.security_definer is not None:
                fn = dataclasses.replace(fn, security_definer=e.security_definer, security_provenance=e.clause)
            if e.search_path_change == "set":
                fn = dataclasses.replace(fn, search_path=e.search_path, search_path_provenance=e.clause)
            elif e.search_path_change == "reset":
                fn = dataclasses.replace(fn, search_path=None, search_path_provenance=None)
            self.model.function_map[key] = fn

    def move_function(self, ref: FuncRef, schema: str, name: str) -> None:
        for key in self.function_keys(ref):
            fn = self.model.function_map.pop(key)
            moved = dataclasses.replace(fn, schema=schema, name=name)
            self.model.function_map[moved.key] = moved

    def rename_function(self, e: RenameFunction) -> None:
        self.move_function(e.function, e.function.schema, e.new_name)

    def set_function_schema(self, e: SetFunctionSchema) -> None:
        self.move_function(e.function, e.new_schema, e.function.name)

    def drop_function(self, e: DropFunction) -> None:
        for key in self.function_keys(e.function):
            del self.model.function_map[key]

    def function_privilege(self, e: FunctionPrivilege) -> None:
        keys = [k for ref in e.functions for k in self.function_keys(ref)]
        keys += [k for k in self.model.function_map if k[0] in e.all_in_schemas]
        roles = frozenset(e.roles)
        for key in keys:
            fn = self.model.function_map[key]
            updated = fn.execute_roles | roles if e.grant else fn.execute_roles - roles
            self.model.function_map[key] = dataclasses.replace(fn, execute_roles=updated)

    # --- privileges

    def table_privilege(self, e: TablePrivilege) -> None:
        keys = [k for k in e.relations if k in self.model.relations]
        keys += [k for k in self.model.relations if k[0] in e.all_in_schemas]
        for key in keys:
            table = self.writable(key)
            if table is not None:
                table.grants = _update_grants(table.grants, e.roles, e.privileges, e.grant)

    def default_privilege(self, e: DefaultPrivilege) -> None:
        scopes = e.schemas or ("",)
        for scope in scopes:
            if e.object_type == "functions":
                current = self.model.default_function_grants.get(scope, frozenset())
                roles = frozenset(e.roles)
                new = current | roles if e.grant else current - roles
                self.model.default_function_grants[scope] = new
            else:
                current_grants = self.model.default_table_grants.get(scope, {})
                updated = _update_grants(current_grants, e.roles, e.privileges, e.grant)
                self.model.default_table_grants[scope] = updated

    # --- types

    def create_enum(self, e: CreateEnum) -> None:
        self.model.enums[e.type] = e.labels

    def add_enum_value(self, e: AddEnumValue) -> None:
        labels = self.model.enums.get(e.type)
        if labels is not None and e.label not in labels:
            self.model.enums[e.type] = (*labels, e.label)

    def drop_type(self, e: DropType) -> None:
        self.model.enums.pop(e.type, None)

    def apply(self, effect: Effect) -> None:
        handler = _DISPATCH.get(type(effect))
        if handler is not None:
            handler(self, effect)


def _adopt(table: Table, placeholder: Table) -> None:
    """A placeholder's policies, RLS state and grants were set on the real table: keep them."""
    table.policies = list(placeholder.policies)
    table.rls_enabled, table.rls_forced = placeholder.rls_enabled, placeholder.rls_forced
    table.rls_provenance = placeholder.rls_provenance
    table.grants = dict(placeholder.grants)


def _column(spec: ColumnSpec) -> Column:
    return Column(spec.name, spec.type, spec.nullable, spec.has_default, spec.provenance)


def _add_key(table: Table, key: KeySpec) -> None:
    name = key.name or default_constraint_name(table.name, key.kind, key.columns)
    table.constraints[name] = (key.kind, key.columns)
    if key.kind == "primary":
        table.primary_key = key.columns
        for col_name in key.columns:  # primary key columns are NOT NULL
            col = table.columns.get(col_name)
            if col is not None and col.nullable:
                table.columns[col_name] = dataclasses.replace(col, nullable=False)
    elif key.columns not in table.unique:
        table.unique.append(key.columns)


def _replace_policy(table: Table, name: str, policy: Policy) -> None:
    table.policies = [policy if p.name == name else p for p in table.policies]


def _update_grants(
    grants: dict[str, frozenset[str]], roles: Iterable[str], privileges: frozenset[str], grant: bool
) -> dict[str, frozenset[str]]:
    out = dict(grants)
    for role in roles:
        current = out.get(role, frozenset())
        updated = current | privileges if grant else current - privileges
        if updated:
            out[role] = updated
        else:
            out.pop(role, None)
    return out


_DISPATCH: dict[type[Effect], Callable[[_Fold, Any], None]] = {
    CreateTable: _Fold.create_table,
    CreateView: _Fold.create_view,
    AddColumn: _Fold.add_column,
    DropColumn: _Fold.drop_column,
    RenameColumn: _Fold.rename_column,
    AlterColumn: _Fold.alter_column,
    SetRowSecurity: _Fold.set_row_security,
    AddKey: _Fold.add_key,
    DropConstraint: _Fold.drop_constraint,
    RenameRelation: _Fold.rename_relation,
    SetRelationSchema: _Fold.set_relation_schema,
    DropRelation: _Fold.drop_relation,
    SetRelOptions: _Fold.set_rel_options,
    CreatePolicy: _Fold.create_policy,
    AlterPolicy: _Fold.alter_policy,
    RenamePolicy: _Fold.rename_policy,
    DropPolicy: _Fold.drop_policy,
    CreateFunction: _Fold.create_function,
    AlterFunction: _Fold.alter_function,
    RenameFunction: _Fold.rename_function,
    SetFunctionSchema: _Fold.set_function_schema,
    DropFunction: _Fold.drop_function,
    FunctionPrivilege: _Fold.function_privilege,
    TablePrivilege: _Fold.table_privilege,
    DefaultPrivilege: _Fold.default_privilege,
    CreateEnum: _Fold.create_enum,
    AddEnumValue: _Fold.add_enum_value,
    DropType: _Fold.drop_type,
}


def fold(base: SchemaModel, facts: MigrationFacts) -> SchemaModel:
    """`base` with one migration applied. `base` is not modified."""
    folder = _Fold(base)
    for effect in facts.effects:
        folder.apply(effect)
    return folder.model


def build_schema(files: Iterable[tuple[str, bytes]]) -> SchemaModel:
    """Fold (path, source) pairs in filename order, from scratch."""
    model = SchemaModel()
    for path, source in sorted(files, key=lambda item: _order_key(item[0])):
        model = fold(model, parse_migration(path, source))
    return model


# ---------------------------------------------------------------------------------------------
# Incremental builder


def _order_key(path: str) -> tuple[str, str]:
    # Supabase applies migrations by their timestamped file name.
    return (os.path.basename(path), path)


def _digest(source: bytes) -> bytes:
    return hashlib.blake2b(source, digest_size=16).digest()


@dataclass(slots=True)
class _Entry:
    digest: bytes
    facts: MigrationFacts


class SchemaBuilder:
    """Migrations by path, each parsed once per content, folded lazily from the first change.

    `_checkpoints[i]` is the model after `_order[i]`; entries from `_valid` on are stale.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._order: list[str] = []
        self._keys: list[tuple[str, str]] = []
        self._checkpoints: list[SchemaModel] = []
        self._valid = 0
        self._empty = SchemaModel()

    def update(self, path: str, source: bytes) -> bool:
        """Add or replace a migration; False when its content did not change."""
        digest = _digest(source)
        entry = self._entries.get(path)
        if entry is not None and entry.digest == digest:
            return False
        self._entries[path] = _Entry(digest, parse_migration(path, source))
        key = _order_key(path)
        index = bisect.bisect_left(self._keys, key)
        if entry is None:
            self._keys.insert(index, key)
            self._order.insert(index, path)
            self._checkpoints.insert(index, self._empty)
        self._valid = min(self._valid, index)
        return True

    def remove(self, path: str) -> bool:
        if self._entries.pop(path, None) is None:
            return False
        index = bisect.bisect_left(self._keys, _order_key(path))
        del self._keys[index], self._order[index], self._checkpoints[index]
        self._valid = min(self._valid, index)
        return True

    def facts(self, path: str) -> MigrationFacts | None:
        entry = self._entries.get(path)
        return entry.facts if entry is not None else None

    @property
    def paths(self) -> list[str]:
        """Migrations in the order they are applied."""
        return list(self._order)

    def model_before(self, path: str) -> SchemaModel:
        """The state a migration starts from (for rules about one file's own statements)."""
        self._refold()
        index = bisect.bisect_left(self._keys, _order_key(path))
        return self._checkpoints[index - 1] if index > 0 else self._empty

    @property
    def model(self) -> SchemaModel:
        self._refold()
        return self._checkpoints[-1] if self._checkpoints else self._empty

    def _refold(self) -> None:
        for index in range(self._valid, len(self._order)):
            base = self._checkpoints[index - 1] if index > 0 else self._empty
            self._checkpoints[index] = fold(base, self._entries[self._order[index]].facts)
        self._valid = len(self._order)
