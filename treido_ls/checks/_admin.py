"""The service-role client: which calls reach it (directly or through project functions, across files), and
which checks clear a path to it (an admin guard, a verified webhook signature, a shared-secret check)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks._auth import abs_path, callee_facts, calls_within, config_hit, project_module
from treido_ls.context import FileContext
from treido_ls.workspace import fnscan
from treido_ls.workspace.symbols import FileSummary, FunctionFacts, SymbolIndex

SERVICE_ROLE = re.compile(r"service[_-]?role|SUPABASE_SECRET_KEY", re.IGNORECASE)
# A shared secret compared in an exiting `if`: a cron secret, an API token, a signature.
_SECRET_ENV = re.compile(r"process\.env\.\w*(SECRET|TOKEN|API_KEY|PASSWORD)\w*|process\.env\[['\"]\w*(SECRET|TOKEN)")
_SECRET_HEADER = re.compile(r"['\"](authorization|x-[\w-]*(secret|token|key|signature)[\w-]*)['\"]", re.IGNORECASE)
_ROLE_WORDS = re.compile(r"\b(role|roles|is_admin|isAdmin|app_metadata|is_staff|isStaff|is_super_admin)\b")
_VERIFIER_NAME = re.compile(r"verify\w*(Signature|Webhook|Event|Cron|Secret)|(Webhook|Signature|Cron|Secret)\w*"
                            r"(Verif|Valid)|^(require|assert|ensure)_?(Admin|Staff|SuperAdmin|Role)", re.IGNORECASE)
_ADMIN_CLIENT_FACTORIES = (("createClient", "@supabase/supabase-js"), ("createServerClient", "@supabase/ssr"))


@dataclass(frozen=True, slots=True)
class Hop:
    """One step on the way to the service-role client, for `relatedInformation`."""

    path: Path
    start: int
    end: int
    message: str


@dataclass(frozen=True, slots=True)
class _Binding:
    module: str
    name: str


@dataclass
class AdminTracer:
    """Follows project functions to the service-role client; memoised for one lint."""

    ctx: FileContext
    memo: dict[tuple[Path, str], list[Hop] | None] = field(default_factory=dict)

    @property
    def symbols(self) -> SymbolIndex:
        return self.ctx.project.symbols

    def path_from_call(self, call: Node) -> list[Hop] | None:
        """The hops from a call in the linted file to the service-role client; [] when the call creates it
        inline; None when it does not lead there."""
        ctx = self.ctx
        if creates_admin_client_inline(ctx, call):
            return []
        if config_hit(ctx, call, ctx.project.config.project.admin_clients):
            return []
        value = self._admin_value_receiver(call)
        if value is not None:
            return [_definition_hop(value, "is the service-role client")]
        facts = callee_facts(ctx, call)
        if facts is None or facts.is_admin_guard or facts.is_webhook_verifier:
            return None
        if facts.is_admin_client and not facts.is_value:
            return [_definition_hop(facts, "creates the service-role client")]
        inner = self._reach(facts.path, facts.name, frozenset())
        if inner is None:
            return None
        return [_definition_hop(facts, "reaches the service-role client"), *inner]

    def _admin_value_receiver(self, call: Node) -> FunctionFacts | None:
        """`supabaseAdmin.from('x')` on a module-level service-role client (imported or of this file)."""
        key = fnscan.callee_key(call)
        if key is None or "." not in key:
            return None
        head = key.partition(".")[0]
        binding = self.ctx.imports.get(head)
        if binding is not None and (binding.name == "*" or not project_module(binding.module)):
            return None
        if binding is None and head not in _module_values(self.ctx):
            return None
        facts = self.symbols.call_facts(abs_path(self.ctx), self.ctx.imports, head)
        return facts if facts is not None and facts.is_admin_client and facts.is_value else None

    def _reach(self, path: Path, name: str, visiting: frozenset[tuple[Path, str]]) -> list[Hop] | None:
        key = (path, name)
        if key in self.memo:
            return self.memo[key]
        if key in visiting:
            return None  # a cycle: the other way round the loop decides
        summary = self.symbols.summary(path)
        local = summary.functions.get(name) if summary is not None else None
        if summary is None or local is None:
            return None
        result: list[Hop] | None = None
        if not (local.verifies_webhook or (local.verifies_user and local.role_check)):
            result = self._reach_calls(path, summary, local.calls, visiting | {key})
        self.memo[key] = result
        return result

    def _reach_calls(self, path: Path, summary: FileSummary, calls: tuple[str, ...],
                     visiting: frozenset[tuple[Path, str]]) -> list[Hop] | None:
        imports = {local: _Binding(*target) for local, target in summary.imports.items()}
        admin_names = self.ctx.project.config.project.admin_clients
        found: list[Hop] | None = None
        for callee in calls:
            if callee.rpartition(".")[2] in admin_names:
                return []
            facts = self.symbols.call_facts(path, imports, callee)
            if facts is None and "." in callee:
                head = self.symbols.call_facts(path, imports, callee.partition(".")[0])
                if head is not None and head.is_admin_client and head.is_value:
                    found = found or [_definition_hop(head, "is the service-role client")]
                continue
            if facts is None:
                if _unreadable_guard_name(self.symbols, path, summary, callee):
                    return None
                continue
            if facts.is_admin_guard or facts.is_webhook_verifier:
                return None  # the function checks first (its order is not known here: precision first)
            if found is not None:
                continue
            if facts.is_admin_client and not facts.is_value:
                found = [_definition_hop(facts, "creates the service-role client")]
            elif (inner := self._reach(facts.path, facts.name, visiting)) is not None:
                found = [_definition_hop(facts, "reaches the service-role client"), *inner]
        return found


def _unreadable_guard_name(symbols: SymbolIndex, path: Path, summary: FileSummary, callee: str) -> bool:
    """A callee imported from a file we cannot read, named like an admin guard or a verifier."""
    imported = summary.imports.get(callee.partition(".")[0])
    if imported is None or (project_module(imported[0]) and symbols.resolve(path, imported[0]) is not None):
        return False
    name = callee.rpartition(".")[2] if "." in callee else imported[1]
    return _VERIFIER_NAME.search(name) is not None


def _definition_hop(facts: FunctionFacts, what: str) -> Hop:
    return Hop(facts.path, facts.start, facts.end, f"`{facts.name}` {what}")


def _module_values(ctx: FileContext) -> set[str]:
    cached = ctx.shared.get("admin:module-values")
    if isinstance(cached, set):
        return cached
    names: set[str] = set()
    for stmt in ctx.root.named_children:
        inner = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else stmt
        if inner is not None and inner.type in ("lexical_declaration", "variable_declaration"):
            names |= {syntax.text(d.child_by_field_name("name")) for d in inner.named_children
                      if d.type == "variable_declarator"}
    ctx.shared["admin:module-values"] = names
    return names


def creates_admin_client_inline(ctx: FileContext, call: Node) -> bool:
    """`createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY!)` written in the linted file."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "identifier":
        return False
    binding = ctx.imports.get(syntax.text(function))
    if binding is None or (binding.name, binding.module) not in _ADMIN_CLIENT_FACTORIES:
        return False
    args = call.child_by_field_name("arguments")
    if args is None:
        return False
    if SERVICE_ROLE.search(syntax.text(args)):
        return True
    names = {syntax.text(n) for n in syntax.walk(args) if n.type == "identifier"}
    enclosing = syntax.enclosing_function(call)
    scopes = [ctx.root] + ([enclosing] if enclosing is not None else [])
    for scope in scopes:
        for declarator in syntax.descendants_of_type(scope, {"variable_declarator"}):
            value = declarator.child_by_field_name("value")
            if syntax.text(declarator.child_by_field_name("name")) in names and value is not None and \
                    SERVICE_ROLE.search(syntax.text(value)):
                return True
    return False


# -- what clears a path ------------------------------------------------------------------------------


def clearing_check_before(ctx: FileContext, fn: Node, at: int) -> bool:
    """An admin guard, webhook verification or shared-secret check in `fn` before byte `at`."""
    for call in calls_within(ctx, fn):
        if call.start_byte >= at:
            break
        if clearing_call(ctx, call):
            return True
    for stmt in fnscan.top_statements(fn):
        if stmt.start_byte >= at:
            break
        if stmt.type == "if_statement" and _exiting_secret_or_role_check(ctx, stmt, fn):
            return True
    return inside_admin_callback(ctx, fn, at)


def clearing_call(ctx: FileContext, call: Node) -> bool:
    settings = ctx.project.config.project
    if config_hit(ctx, call, [*settings.admin_guards, *settings.webhook_verifiers]):
        return True
    if _is_construct_event(call) or syntax.callee_name(call) == "timingSafeEqual":
        return True
    facts = callee_facts(ctx, call)
    if facts is not None:
        return facts.is_admin_guard or facts.is_webhook_verifier
    return _unresolved_verifier(ctx, call)


def _is_construct_event(call: Node) -> bool:
    parts = syntax.member_call_parts(call)
    return parts is not None and parts[1] in ("constructEvent", "constructEventAsync", "verifyHeader",
                                              "verifySignature") and "webhooks" in syntax.text(parts[0])


def _unresolved_verifier(ctx: FileContext, call: Node) -> bool:
    """An import we cannot read (a package, or a file outside the checkout) named like a verifier or an
    admin guard: `verifyWebhookSignature`, `requireAdmin`."""
    key = fnscan.callee_key(call)
    if key is None:
        return False
    binding = ctx.imports.get(key.partition(".")[0])
    if binding is None:
        return False
    if project_module(binding.module) and ctx.project.symbols.resolve(abs_path(ctx), binding.module) is not None:
        return False  # we read it, and it is not one
    name = key.rpartition(".")[2] if "." in key else (binding.name if binding.name != "default" else key)
    return _VERIFIER_NAME.search(name) is not None


def _exiting_secret_or_role_check(ctx: FileContext, stmt: Node, fn: Node) -> bool:
    """`if (auth !== \\`Bearer ${process.env.CRON_SECRET}\\`) return ...` or `if (profile?.role !== 'admin')
    forbidden()`: a check that leaves the function."""
    condition = stmt.child_by_field_name("condition")
    consequence = stmt.child_by_field_name("consequence")
    if condition is None or consequence is None or not fnscan.exits(consequence):
        return False
    text = syntax.text(condition)
    if _ROLE_WORDS.search(text) or _SECRET_ENV.search(text) or _SECRET_HEADER.search(text):
        return True
    idents = {syntax.text(n) for n in syntax.walk(condition) if n.type == "identifier"}
    return any(_secret_value(ctx, fn, name) for name in idents)


def _secret_value(ctx: FileContext, fn: Node, name: str) -> bool:
    """`const secret = process.env.CRON_SECRET` / `const auth = req.headers.get('authorization')`."""
    for scope in (fn, ctx.root):
        for declarator in syntax.descendants_of_type(scope, {"variable_declarator"}):
            if syntax.text(declarator.child_by_field_name("name")) != name:
                continue
            value = syntax.text(declarator.child_by_field_name("value"))
            if _SECRET_ENV.search(value) or _SECRET_HEADER.search(value):
                return True
    return False


def inside_admin_callback(ctx: FileContext, fn: Node, at: int) -> bool:
    """`withAdmin(async () => { ... })`: the code at `at` runs inside a callback an admin guard calls."""
    for call in calls_within(ctx, fn):
        if call.start_byte < at < call.end_byte and clearing_call(ctx, call):
            args = call.child_by_field_name("arguments")
            if args is not None and args.start_byte < at:
                return True
    return False
