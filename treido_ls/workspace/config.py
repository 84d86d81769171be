"""Project configuration: `treido.json` / `treido.jsonc`, closest to the file wins.

The config file alone decides which rules run, so the editor and the CLI agree. Loading never
fails on bad content: every unknown key, wrong type or bad value becomes a `ConfigProblem` with
the byte range of the offending key or value, that part falls back to its default, and everything
valid is kept. The key tables below feed both the loader and `json_schema`, so they cannot drift.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from pathspec import GitIgnoreSpec

from treido_ls.model import SEVERITY_WORDS, Severity
from treido_ls.workspace.jsonc import JsoncError, JsonMember, JsonNode, parse
from treido_ls.workspace.names import CONFIG_NAMES

__all__ = [
    "CONFIG_NAMES",
    "FILE_KINDS",
    "Config",
    "ConfigProblem",
    "ConfigReadError",
    "Override",
    "ProjectSettings",
    "RuleSetting",
    "find_config",
    "json_schema",
    "load_config",
]

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
_FILE_KIND_DESCRIPTIONS = {
    "server-action": "Files whose exports are server actions ('use server').",
    "route-handler": "Route handlers (app/**/route.ts).",
    "page": "Pages (app/**/page.tsx).",
    "layout": "Layouts (app/**/layout.tsx).",
    "middleware": "Middleware or proxy (middleware.ts / proxy.ts).",
    "edge-function": "Supabase Edge Functions (supabase/functions/**).",
    "migration": "SQL migrations.",
    "client": "Client components and modules that ship to the browser ('use client').",
}
FILE_KINDS = tuple(_FILE_KIND_DESCRIPTIONS)


class ConfigReadError(Exception):
    """The config file exists but could not be read (the message comes from the OSError)."""


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """Something wrong in the config file, as a byte range in it."""

    message: str
    start: int
    end: int


@dataclass(slots=True)
class RuleSetting:
    """A rule's configured severity (None = off) and options."""

    severity: Severity | None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ProjectSettings:
    """Project-specific names; the analysis also recognises these by behaviour, so all are optional."""

    server_client_factories: list[str] = field(default_factory=list)
    admin_clients: list[str] = field(default_factory=list)
    auth_guards: list[str] = field(default_factory=list)
    admin_guards: list[str] = field(default_factory=list)
    webhook_verifiers: list[str] = field(default_factory=list)
    validators: list[str] = field(default_factory=list)
    public_actions: list[str] = field(default_factory=list)
    migrations_dir: str = "supabase/migrations"
    generated_types: str | None = None
    file_kinds: dict[str, list[str]] = field(default_factory=dict)
    processed_events_table: str = "processed_events"


@dataclass(slots=True)
class Override:
    """Rule settings for the files matching `files` (gitignore-style globs relative to the root)."""

    files: list[str]
    rules: dict[str, RuleSetting] = field(default_factory=dict)

    def matches(self, rel_path: str) -> bool:
        return _matches(self.files, rel_path)


@dataclass(slots=True)
class Config:
    """A loaded config; `problems` are byte ranges in `source`, the text it was loaded from."""

    path: Path | None
    root: Path
    rules: dict[str, RuleSetting] = field(default_factory=dict)
    overrides: list[Override] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    project: ProjectSettings = field(default_factory=ProjectSettings)
    require_suppression_reason: bool = False
    baseline: str | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    problems: list[ConfigProblem] = field(default_factory=list)
    source: bytes = b""

    @classmethod
    def default(cls, root: Path) -> Config:
        """What applies when there is no config file."""
        return cls(path=None, root=root)

    def rule_setting(self, rule_id: str, rel_path: str) -> RuleSetting | None:
        """The setting for `rule_id` in `rel_path` (relative to root); None when not configured.
        Overrides apply in file order, the last matching one wins."""
        setting = self.rules.get(rule_id)
        for override in self.overrides:
            if rule_id in override.rules and override.matches(rel_path):
                setting = override.rules[rule_id]
        return setting

    def is_excluded(self, rel_path: str) -> bool:
        return _matches(self.exclude, rel_path)

    def relative_path(self, path: Path) -> str | None:
        """`path` relative to the root in the form the globs expect; None when outside the root."""
        try:
            return path.absolute().relative_to(self.root.absolute()).as_posix()
        except ValueError:
            return None


# -- glob matching ---------------------------------------------------------------------------------


def _normalize(rel_path: str) -> str:
    rel = rel_path.replace("\\", "/")
    while rel.startswith("./"):
        rel = rel[2:]
    return rel


def _glob_error(pattern: str) -> str | None:
    """Why `pattern` is not a usable gitignore-style glob, or None."""
    if not pattern.strip():
        return "an empty glob matches nothing"
    if pattern.startswith("#"):
        return 'a glob starting with "#" is a comment and matches nothing (write "\\#")'
    try:
        GitIgnoreSpec.from_lines([pattern])
    except (ValueError, re.error) as exc:
        return f"invalid glob: {exc}"
    return None


@functools.lru_cache(maxsize=512)
def _spec(patterns: tuple[str, ...]) -> GitIgnoreSpec:
    # Invalid globs were reported at load time; skipping them keeps matching total.
    return GitIgnoreSpec.from_lines([p for p in patterns if _glob_error(p) is None])


def _matches(patterns: list[str], rel_path: str) -> bool:
    return bool(patterns) and bool(_spec(tuple(patterns)).match_file(_normalize(rel_path)))


# -- finding the file ------------------------------------------------------------------------------


def find_config(start: Path, stop: Path | None = None) -> Path | None:
    """The config closest to `start` (a file or folder), walking up to `stop` (inclusive) or the
    filesystem root. In one folder `treido.json` wins over `treido.jsonc`."""
    here = start.absolute()
    if not here.is_dir():
        here = here.parent
    stop_at = stop.absolute() if stop is not None else None
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        if folder == stop_at:
            break
    return None


# -- key tables (shared by the loader and the schema) ----------------------------------------------

_ValueKind = Literal["names", "string", "optional-string", "file-kinds"]


@dataclass(frozen=True, slots=True)
class _Key:
    attr: str
    kind: _ValueKind
    description: str


_NAMES_NOTE = (" Plain function names; they are also recognised by what they do, so list only helpers the "
               "analysis cannot see through.")

_PROJECT_KEYS: dict[str, _Key] = {
    "serverClientFactories": _Key("server_client_factories", "names",
                                  "Functions returning a request-scoped Supabase server client "
                                  "(createServerClient from @supabase/ssr with cookies)." + _NAMES_NOTE),
    "adminClients": _Key("admin_clients", "names",
                         "Functions returning a Supabase client built with the service role key, which "
                         "bypasses RLS." + _NAMES_NOTE),
    "authGuards": _Key("auth_guards", "names",
                       "Helpers that verify the user (auth.getUser() / auth.getClaims()) and stop when "
                       "there is none." + _NAMES_NOTE),
    "adminGuards": _Key("admin_guards", "names",
                        "Helpers that check the signed-in user has an admin role." + _NAMES_NOTE),
    "webhookVerifiers": _Key("webhook_verifiers", "names",
                             "Helpers that verify a webhook signature (for example Stripe's "
                             "webhooks.constructEvent)." + _NAMES_NOTE),
    "validators": _Key("validators", "names",
                       "Functions that validate untrusted input (for example a zod schema's parse)."
                       + _NAMES_NOTE),
    "publicActions": _Key("public_actions", "names",
                          "Server actions that are public on purpose: no auth guard is required in them."),
    "migrationsDir": _Key("migrations_dir", "string",
                          "Folder of Supabase SQL migrations, relative to this file."),
    "generatedTypes": _Key("generated_types", "optional-string",
                           "Supabase generated types file (supabase gen types), relative to this file; "
                           "null to look for database.types.ts."),
    "fileKinds": _Key("file_kinds", "file-kinds",
                      "Globs that assign a file kind, taking precedence over the built-in detection."),
    "processedEventsTable": _Key("processed_events_table", "string",
                                 "Table recording handled webhook event ids, used to check idempotency."),
}

_TOP_DESCRIPTIONS = {
    "$schema": "JSON Schema for this file, for editors.",
    "rules": "Rule severities by rule id: \"off\", \"hint\", \"info\", \"warning\", \"error\", or "
             "[severity, {options}]. A rule not listed runs at its default severity.",
    "overrides": "Rule settings for some files; applied in order, a later matching override wins.",
    "exclude": "Gitignore-style globs, relative to this file, of files never read.",
    "project": "Names and paths specific to this project.",
    "requireSuppressionReason": "Report treido-ignore comments that give no reason after \"--\".",
    "baseline": "Baseline file of accepted findings, relative to this file (used by treido-ls check).",
    "maxFileSize": "Files larger than this many bytes are skipped with a notice (default 2 MB).",
}


# -- loading ---------------------------------------------------------------------------------------


def load_config(path: Path, known_rule_ids: Collection[str], source: bytes | None = None) -> Config:
    """Load `path` (or `source`, its unsaved text). Bad content becomes `problems`, never an error;
    an unreadable file raises ConfigReadError."""
    if source is None:
        try:
            source = path.read_bytes()
        except OSError as exc:
            raise ConfigReadError(f"cannot read {path}: {exc.strerror or exc}") from exc
    config = Config(path=path.absolute(), root=path.absolute().parent, source=source)
    try:
        tree = parse(source)
    except JsoncError as exc:
        config.problems.append(ConfigProblem(exc.message, exc.start, exc.end))
        return config
    _Loader(config, known_rule_ids).load(tree)
    config.problems.sort(key=lambda p: (p.start, p.end))
    return config


_KIND_NAMES = {"object": "an object", "array": "an array", "string": "a string", "number": "a number",
               "bool": "a boolean", "null": "null"}


def _did_you_mean(word: str, candidates: Collection[str]) -> str:
    suffix_hits = [c for c in candidates if "/" not in word and c.endswith("/" + word)]
    close = suffix_hits if len(suffix_hits) == 1 else difflib.get_close_matches(word, candidates, n=1)
    return f'; did you mean "{close[0]}"?' if close else ""


class _Loader:
    """Fills a Config from a parsed tree, recording a problem for each part it has to drop."""

    def __init__(self, config: Config, known_rule_ids: Collection[str]) -> None:
        self.config = config
        self.known = frozenset(known_rule_ids)

    def problem(self, message: str, start: int, end: int) -> None:
        self.config.problems.append(ConfigProblem(message, start, end))

    def expect(self, node: JsonNode, kind: str, what: str, expected: str | None = None) -> bool:
        if node.kind == kind:
            return True
        self.problem(f"{what} must be {expected or _KIND_NAMES[kind]}, not {_KIND_NAMES[node.kind]}",
                     node.start, node.end)
        return False

    def members(self, node: JsonNode, known: Collection[str] | None, where: str,
                noun: str = "key") -> list[JsonMember]:
        """The members that count: the last of each key, and (when `known` is given) known keys only."""
        last = {m.key: m for m in node.members}
        kept = []
        for m in node.members:
            if last[m.key] is not m:
                self.problem(f'duplicate key "{m.key}" is ignored: a later one replaces it',
                             m.key_start, m.key_end)
            elif known is not None and m.key not in known:
                self.problem(f'unknown {noun} "{m.key}" in {where}{_did_you_mean(m.key, known)}',
                             m.key_start, m.key_end)
            else:
                kept.append(m)
        return kept

    def load(self, tree: JsonNode) -> None:
        if not self.expect(tree, "object", "the configuration"):
            return
        config = self.config
        for m in self.members(tree, _TOP_DESCRIPTIONS, "the configuration"):
            node = m.value
            if m.key == "$schema":
                self.expect(node, "string", '"$schema"')
            elif m.key == "rules":
                config.rules = self.rules(node)
            elif m.key == "overrides":
                config.overrides = self.overrides(node)
            elif m.key == "exclude":
                config.exclude = self.globs(node, '"exclude"')
            elif m.key == "project":
                config.project = self.project(node)
            elif m.key == "requireSuppressionReason":
                if self.expect(node, "bool", '"requireSuppressionReason"'):
                    config.require_suppression_reason = node.value
            elif m.key == "baseline":
                config.baseline = self.optional_string(node, '"baseline"', None)
            elif m.key == "maxFileSize":
                if self.expect(node, "number", '"maxFileSize"') and isinstance(node.value, int) and node.value > 0:
                    config.max_file_size = node.value
                elif node.kind == "number":
                    self.problem('"maxFileSize" must be a positive whole number of bytes', node.start, node.end)

    # -- rules ---------------------------------------------------------------------------------

    def rules(self, node: JsonNode) -> dict[str, RuleSetting]:
        if not self.expect(node, "object", '"rules"'):
            return {}
        rules: dict[str, RuleSetting] = {}
        for m in self.members(node, None, '"rules"'):
            if m.key not in self.known:
                self.problem(f'unknown rule "{m.key}"{_did_you_mean(m.key, self.known)}',
                             m.key_start, m.key_end)
                continue
            setting = self.rule_value(m.value, m.key)
            if setting is not None:
                rules[m.key] = setting
        return rules

    def rule_value(self, node: JsonNode, rule_id: str) -> RuleSetting | None:
        """The setting, or None when the value is invalid (the rule then keeps its default)."""
        if node.kind == "string":
            return self.severity(node)
        if node.kind != "array":
            self.problem(f'the setting of "{rule_id}" must be a severity or [severity, {{options}}]',
                         node.start, node.end)
            return None
        if not node.items:
            self.problem("expected [severity] or [severity, {options}]", node.start, node.end)
            return None
        for extra in node.items[2:]:
            self.problem("unexpected element: expected [severity, {options}]", extra.start, extra.end)
        head = node.items[0]
        setting = self.severity(head) if self.expect(head, "string", "the severity") else None
        if setting is not None and len(node.items) > 1:
            options = node.items[1]
            if self.expect(options, "object", "rule options"):
                setting.options = dict(options.value)
        return setting

    def severity(self, node: JsonNode) -> RuleSetting | None:
        # Exact words only, as the schema says, so the editor and the loader agree.
        word = node.value
        if word in SEVERITY_WORDS:
            return RuleSetting(Severity.parse(word))
        self.problem(f'unknown severity "{word}": use one of {", ".join(SEVERITY_WORDS)}'
                     f"{_did_you_mean(word.lower(), SEVERITY_WORDS)}", node.start, node.end)
        return None

    def overrides(self, node: JsonNode) -> list[Override]:
        if not self.expect(node, "array", '"overrides"'):
            return []
        result = []
        for item in node.items:
            override = self.override(item)
            if override is not None:
                result.append(override)
        return result

    def override(self, node: JsonNode) -> Override | None:
        if not self.expect(node, "object", "an override"):
            return None
        members = {m.key: m for m in self.members(node, ("files", "rules"), "an override")}
        if "files" not in members:
            self.problem('an override needs "files": [globs]', node.start, node.end)
            return None
        files_node = members["files"].value
        files = self.globs(files_node, '"files"')
        if not files:
            if files_node.kind == "array" and not files_node.items:
                self.problem('"files" needs at least one glob', files_node.start, files_node.end)
            return None
        rules = self.rules(members["rules"].value) if "rules" in members else {}
        return Override(files=files, rules=rules)

    # -- values --------------------------------------------------------------------------------

    def string_items(self, node: JsonNode, what: str) -> list[JsonNode]:
        """The string elements of an array; other elements are reported and dropped."""
        if not self.expect(node, "array", what):
            return []
        return [item for item in node.items if self.expect(item, "string", f"each of {what}")]

    def strings(self, node: JsonNode, what: str) -> list[str]:
        return [item.value for item in self.string_items(node, what)]

    def globs(self, node: JsonNode, what: str) -> list[str]:
        kept = []
        for item in self.string_items(node, what):
            error = _glob_error(item.value)
            if error is None:
                kept.append(item.value)
            else:
                self.problem(error, item.start, item.end)
        return kept

    def optional_string(self, node: JsonNode, what: str, default: str | None) -> str | None:
        if node.kind == "null":
            return None
        return node.value if self.expect(node, "string", what, "a string or null") else default

    def required_string(self, node: JsonNode, what: str, default: str) -> str:
        if not self.expect(node, "string", what):
            return default
        if not node.value.strip():
            self.problem(f"{what} must not be empty", node.start, node.end)
            return default
        return str(node.value)

    def project(self, node: JsonNode) -> ProjectSettings:
        settings = ProjectSettings()
        if not self.expect(node, "object", '"project"'):
            return settings
        defaults = {f.name: getattr(settings, f.name) for f in fields(settings)}
        for m in self.members(node, _PROJECT_KEYS, '"project"'):
            key = _PROJECT_KEYS[m.key]
            what = f'"{m.key}"'
            value: Any
            if key.kind == "names":
                value = self.strings(m.value, what)
            elif key.kind == "string":
                value = self.required_string(m.value, what, defaults[key.attr])
            elif key.kind == "optional-string":
                value = self.optional_string(m.value, what, defaults[key.attr])
            else:
                value = self.file_kinds(m.value)
            setattr(settings, key.attr, value)
        return settings

    def file_kinds(self, node: JsonNode) -> dict[str, list[str]]:
        if not self.expect(node, "object", '"fileKinds"'):
            return {}
        return {m.key: self.globs(m.value, f'"{m.key}"')
                for m in self.members(node, FILE_KINDS, '"fileKinds"', noun="file kind")}


# -- schema ----------------------------------------------------------------------------------------


def json_schema(known_rule_ids: Collection[str],
                descriptions: Mapping[str, str] | None = None) -> dict[str, Any]:
    """JSON Schema (draft-07) of the config file, for editor completion and validation.
    `descriptions` optionally maps rule ids to a one-line summary shown on hover."""
    described = descriptions or {}
    rule_props = {
        rule_id: {"allOf": [{"$ref": "#/definitions/ruleValue"}],
                  "description": described.get(rule_id, f"Severity and options of {rule_id}.")}
        for rule_id in sorted(known_rule_ids)
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "treido-ls configuration",
        "description": "Configuration of treido-ls (treido.json or treido.jsonc; comments allowed).",
        "type": "object",
        "additionalProperties": False,
        "definitions": _schema_definitions(rule_props),
        "properties": _schema_properties(),
    }


def _schema_definitions(rule_props: dict[str, Any]) -> dict[str, Any]:
    severity = {"$ref": "#/definitions/severity"}
    return {
        "severity": {"type": "string", "enum": list(SEVERITY_WORDS),
                     "description": "\"off\" disables the rule; \"warn\" and \"information\" are "
                                    "aliases of \"warning\" and \"info\"."},
        "ruleValue": {
            "description": "A severity, or [severity, {options}].",
            "anyOf": [severity,
                      {"type": "array", "items": [severity, {"type": "object",
                                                             "description": "Rule options."}],
                       "minItems": 1, "maxItems": 2, "additionalItems": False}],
        },
        "rules": {"type": "object", "description": _TOP_DESCRIPTIONS["rules"],
                  "properties": rule_props, "additionalProperties": False},
        "globs": {"type": "array", "items": {"type": "string", "minLength": 1},
                  "description": "Gitignore-style globs relative to this file."},
    }


def _schema_properties() -> dict[str, Any]:
    def described(key: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {**schema, "description": _TOP_DESCRIPTIONS[key]}

    override = {
        "type": "object", "required": ["files"], "additionalProperties": False,
        "properties": {
            "files": {"allOf": [{"$ref": "#/definitions/globs"}], "minItems": 1,
                      "description": "Gitignore-style globs, relative to this file, of the files "
                                     "this override applies to."},
            "rules": {"allOf": [{"$ref": "#/definitions/rules"}],
                      "description": "Rule settings for these files."},
        },
    }
    return {
        "$schema": described("$schema", {"type": "string"}),
        "rules": described("rules", {"allOf": [{"$ref": "#/definitions/rules"}]}),
        "overrides": described("overrides", {"type": "array", "items": override}),
        "exclude": described("exclude", {"allOf": [{"$ref": "#/definitions/globs"}]}),
        "project": described("project", {"type": "object", "additionalProperties": False,
                                          "properties": _project_schema()}),
        "requireSuppressionReason": described("requireSuppressionReason",
                                               {"type": "boolean", "default": False}),
        "baseline": described("baseline", {"type": ["string", "null"], "default": None}),
        "maxFileSize": described("maxFileSize", {"type": "integer", "minimum": 1,
                                                 "default": DEFAULT_MAX_FILE_SIZE}),
    }


def _project_schema() -> dict[str, Any]:
    defaults = ProjectSettings()
    props: dict[str, Any] = {}
    for name, key in _PROJECT_KEYS.items():
        schema: dict[str, Any]
        if key.kind == "names":
            schema = {"type": "array", "items": {"type": "string"}, "default": []}
        elif key.kind == "string":
            schema = {"type": "string", "minLength": 1, "default": getattr(defaults, key.attr)}
        elif key.kind == "optional-string":
            schema = {"type": ["string", "null"], "default": getattr(defaults, key.attr)}
        else:
            schema = {"type": "object", "additionalProperties": False, "properties": {
                kind: {"allOf": [{"$ref": "#/definitions/globs"}], "description": text}
                for kind, text in _FILE_KIND_DESCRIPTIONS.items()}}
        props[name] = {**schema, "description": key.description}
    return props
