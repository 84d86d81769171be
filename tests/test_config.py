"""Config loading (treido.json / treido.jsonc) and the position-keeping JSONC parser under it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treido_ls.model import Severity
from treido_ls.workspace.config import (
    CONFIG_NAMES,
    FILE_KINDS,
    Config,
    ConfigReadError,
    Override,
    ProjectSettings,
    RuleSetting,
    find_config,
    json_schema,
    load_config,
)
from treido_ls.workspace.jsonc import MAX_DEPTH, JsoncError, JsonNode, parse

RULES = ("auth/missing-guard", "auth/admin-client-in-client", "stripe/unverified-webhook", "sql/rls-disabled")


def load(source: bytes | str, path: Path = Path("/proj/treido.jsonc")) -> Config:
    raw = source.encode() if isinstance(source, str) else source
    return load_config(path, RULES, raw)


def problem_texts(config: Config) -> list[bytes]:
    return [config.source[p.start:p.end] for p in config.problems]


def parse_error(source: bytes) -> JsoncError:
    with pytest.raises(JsoncError) as info:
        parse(source)
    return info.value


# -- jsonc: valid input ------------------------------------------------------------------------------


def test_comments_and_trailing_commas() -> None:
    src = b"""// leading comment
{
  /* block
     comment */ "a": [1, 2, 3,], // trailing comma in an array
  "b": {"c": null, "d": true, "e": false,}, /* and in an object */
}
// trailing comment"""
    node = parse(src)
    assert node.value == {"a": [1, 2, 3], "b": {"c": None, "d": True, "e": False}}
    assert src[node.start:node.end].startswith(b"{") and src[node.start:node.end].endswith(b"}")
    a = node.member("a")
    assert a is not None
    assert src[a.key_start:a.key_end] == b'"a"'
    assert src[a.value.start:a.value.end] == b"[1, 2, 3,]"
    assert [src[i.start:i.end] for i in a.value.items] == [b"1", b"2", b"3"]


def test_node_kinds_and_numbers() -> None:
    node = parse(b'[0, -1, 2.5, 1e3, -0.5E-2, "s", true, null, {}, []]')
    assert [n.kind for n in node.items] == ["number"] * 5 + ["string", "bool", "null", "object", "array"]
    assert node.value[:5] == [0, -1, 2.5, 1000.0, -0.005]
    assert isinstance(node.value[0], int) and isinstance(node.value[3], float)


def test_bom_crlf_and_non_ascii_offsets_are_bytes() -> None:
    src = '\ufeff{\r\n  // é comment\r\n  "ключ": "värde 😀",\r\n  "x": 1\r\n}'.encode()
    node = parse(src)
    assert node.start == 3  # after the BOM
    assert node.value == {"ключ": "värde 😀", "x": 1}
    key = node.members[0]
    assert src[key.key_start:key.key_end] == '"ключ"'.encode()
    assert src[key.value.start:key.value.end] == '"värde 😀"'.encode()
    x = node.member("x")
    assert x is not None and src[x.value.start:x.value.end] == b"1"


def test_escapes_and_surrogate_pairs() -> None:
    src = rb'["\"\\\/\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00", "\ud800x", "a\u0000b"]'
    assert parse(src).value == json.loads(src)
    assert parse(src).value[2] == "😀"


def test_duplicate_keys_keep_all_members_and_last_value_wins() -> None:
    node = parse(b'{"a": 1, "a": 2}')
    assert node.value == {"a": 2}
    assert [m.value.value for m in node.members] == [1, 2]
    member = node.member("a")
    assert member is not None and member.value.value == 2


def test_depth_limit() -> None:
    ok = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert parse(ok).kind == "array"
    error = parse_error(b"[" * 100_000)
    assert (error.start, error.end) == (MAX_DEPTH, MAX_DEPTH + 1)
    assert "nesting" in error.message


# -- jsonc: errors with exact ranges -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "token", "message"),
    [
        (b'{"a": 1 "b": 2}', b'"b"', "missing ','"),
        (b"[1 2]", b"2", "missing ','"),
        (b'{"a" 1}', b"1", "':'"),
        (b"{a: 1}", b"a", "string key"),
        (b"[True]", b"True", "expected a value"),
        (b"[1,,2]", b",", "expected a value"),
        (b"['a']", b"'", "double quotes"),
        (b'{"a": 01}', b"01", "invalid number"),
        (b'{"a": -}', b"-", "invalid number"),
        (b'{"a": 1.}', b"1.", "invalid number"),
        (b'{"a": 0x1F}', b"0x1F", "invalid number"),
        (b'{"a": "abc\n}', b'"abc', "unterminated string"),
        (b'{"a": "abc', b'"abc', "unterminated string"),
        (b'["a\\qb"]', b"\\q", "invalid escape"),
        (b'["\\u12x4"]', b"\\u12", "\\u escape"),
        (b'["a\tb"]', b"\t", "control character"),
        (b'["\xff"]', b"\xff", "UTF-8"),
        (b"[\xc3\xa9]", b"\xc3\xa9", "expected a value"),
        (b"{} []", b"[", "after the end"),
        (b'{"a": 1', b"{", "never closed"),
        (b"[1, 2", b"[", "never closed"),
        (b"[1] /* open", b"/* open", "block comment"),
        (b'{"a": [1}', b"}", "',' or ']'"),
    ],
)
def test_error_ranges(source: bytes, token: bytes, message: str) -> None:
    error = parse_error(source)
    assert source[error.start:error.end] == token
    assert message in error.message


def test_error_at_end_of_input_is_empty_range() -> None:
    for source in (b"", b"  // nothing\n", b'{"a": '):
        error = parse_error(source)
        assert error.start == error.end == len(source)


# -- jsonc: properties -----------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5),
    max_leaves=25,
)


def check_ranges(src: bytes, node: JsonNode) -> None:
    """Every node's range holds exactly that node; every key range holds exactly the key."""
    assert parse(src[node.start:node.end]).value == node.value
    for m in node.members:
        assert json.loads(src[m.key_start:m.key_end]) == m.key
        check_ranges(src, m.value)
    for item in node.items:
        check_ranges(src, item)


@settings(max_examples=300, deadline=None)
@given(json_values, st.booleans(), st.sampled_from([None, 2, "\t"]))
def test_agrees_with_json_loads(value: Any, ascii_only: bool, indent: int | str | None) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    src = text.encode()
    node = parse(src)
    assert node.value == json.loads(text)
    check_ranges(src, node)
    crlf = src.replace(b"\n", b"\r\n")
    assert parse(b"\xef\xbb\xbf// c\r\n" + crlf).value == node.value


def check_total(src: bytes) -> None:
    """Only JsoncError escapes, with a range inside the source; accepted JSON matches json.loads."""
    try:
        node = parse(src)
    except JsoncError as error:
        assert 0 <= error.start <= error.end <= len(src)
        return
    try:
        expected = json.loads(src)
    except ValueError:
        return  # comments or trailing commas: JSONC only
    assert node.value == expected


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode)
       | st.text(alphabet='{}[],:"\\/*tfnrue0123456789.eE-+ \n\r\tu\'ä', max_size=60).map(str.encode))
def test_never_raises_anything_else(src: bytes) -> None:
    check_total(src)


@settings(max_examples=300, deadline=None)
@given(json_values, st.data())
def test_mutated_json_is_total(value: Any, data: st.DataObject) -> None:
    src = bytearray(json.dumps(value).encode())
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(src)))
        if data.draw(st.booleans()) and at < len(src):
            del src[at]
        else:
            junk = [b",", b"{", b"]", b'"', b"\\", b"/*", b"//", b"\n", b"1"]
            src[at:at] = data.draw(st.sampled_from(junk))
    check_total(bytes(src))


# -- config: valid files ----------------------------------------------------------------------------


def test_valid_config_with_comments_and_trailing_commas() -> None:
    config = load("""{
  "$schema": "./node_modules/treido-ls/schema.json",
  // severities
  "rules": {
    "auth/missing-guard": "error",
    "stripe/unverified-webhook": ["warn", {"allowTest": true}],
    "sql/rls-disabled": "off", /* off entirely */
  },
  "overrides": [{"files": ["scripts/**"], "rules": {"auth/missing-guard": "info"}}],
  "exclude": ["dist/", "**/*.generated.ts"],
  "project": {
    "authGuards": ["requireAuth", "requireUser"],
    "serverClientFactories": ["createClient"],
    "adminClients": ["createAdminClient"],
    "adminGuards": ["requireAdmin"],
    "webhookVerifiers": ["verifyStripe"],
    "validators": ["parseInput"],
    "publicActions": ["subscribeToNewsletter"],
    "migrationsDir": "db/migrations",
    "generatedTypes": "lib/database.types.ts",
    "fileKinds": {"server-action": ["lib/actions/**"], "client": ["components/ui/**"]},
    "processedEventsTable": "stripe_events",
  },
  "requireSuppressionReason": true,
  "baseline": "treido-baseline.json",
}""")
    assert config.problems == []
    assert config.path == Path("/proj/treido.jsonc") and config.root == Path("/proj")
    assert config.rules == {
        "auth/missing-guard": RuleSetting(Severity.ERROR),
        "stripe/unverified-webhook": RuleSetting(Severity.WARNING, {"allowTest": True}),
        "sql/rls-disabled": RuleSetting(None),
    }
    assert config.exclude == ["dist/", "**/*.generated.ts"]
    assert config.require_suppression_reason is True
    assert config.baseline == "treido-baseline.json"
    assert config.project == ProjectSettings(
        server_client_factories=["createClient"], admin_clients=["createAdminClient"],
        auth_guards=["requireAuth", "requireUser"], admin_guards=["requireAdmin"],
        webhook_verifiers=["verifyStripe"], validators=["parseInput"],
        public_actions=["subscribeToNewsletter"], migrations_dir="db/migrations",
        generated_types="lib/database.types.ts",
        file_kinds={"server-action": ["lib/actions/**"], "client": ["components/ui/**"]},
        processed_events_table="stripe_events",
    )
    assert config.overrides == [Override(["scripts/**"], {"auth/missing-guard": RuleSetting(Severity.INFO)})]


@pytest.mark.parametrize("word", ["off", "hint", "info", "information", "warning", "warn", "error"])
def test_every_severity_word(word: str) -> None:
    config = load(f'{{"rules": {{"auth/missing-guard": "{word}"}}}}')
    assert config.problems == []
    assert config.rules["auth/missing-guard"].severity == Severity.parse(word)


def test_defaults() -> None:
    config = Config.default(Path("/proj"))
    assert config.path is None and config.rules == {} and config.problems == []
    assert config.project.migrations_dir == "supabase/migrations"
    assert config.project.processed_events_table == "processed_events"
    assert config.project.generated_types is None
    assert config.rule_setting("auth/missing-guard", "app/page.tsx") is None
    assert not config.is_excluded("app/page.tsx")
    assert load("{}").problems == []


# -- config: problems with exact ranges --------------------------------------------------------------


def test_invalid_json_gives_one_problem_and_defaults() -> None:
    config = load('{"rules": {"auth/missing-guard": "error"} "exclude": []}')
    assert problem_texts(config) == [b'"exclude"']
    assert "missing ','" in config.problems[0].message
    assert config.rules == {} and config.exclude == []


def test_unknown_top_level_key_with_suggestion() -> None:
    config = load('{"rulez": {}, "rules": {"auth/missing-guard": "warn"}}')
    assert problem_texts(config) == [b'"rulez"']
    assert 'did you mean "rules"' in config.problems[0].message
    assert config.rules == {"auth/missing-guard": RuleSetting(Severity.WARNING)}


def test_unknown_rule_ids_with_suggestions() -> None:
    config = load('{"rules": {"auth/missing-gaurd": "error", "missing-guard": "warn", "zzz": "off",'
                  ' "sql/rls-disabled": "error"}}')
    assert problem_texts(config) == [b'"auth/missing-gaurd"', b'"missing-guard"', b'"zzz"']
    assert 'did you mean "auth/missing-guard"' in config.problems[0].message
    assert 'did you mean "auth/missing-guard"' in config.problems[1].message
    assert "did you mean" not in config.problems[2].message
    assert config.rules == {"sql/rls-disabled": RuleSetting(Severity.ERROR)}


def test_bad_rule_values() -> None:
    config = load("""{"rules": {
        "auth/missing-guard": "Warn",
        "auth/admin-client-in-client": 3,
        "stripe/unverified-webhook": ["error", 5, "extra"],
        "sql/rls-disabled": [],
    }}""")
    assert problem_texts(config) == [b'"Warn"', b"3", b"5", b'"extra"', b"[]"]
    assert 'did you mean "warn"' in config.problems[0].message
    # The valid part of a partly bad setting is kept.
    assert config.rules == {"stripe/unverified-webhook": RuleSetting(Severity.ERROR)}


def test_wrong_types_fall_back_to_defaults() -> None:
    config = load("""{
      "rules": [],
      "exclude": "dist",
      "requireSuppressionReason": "yes",
      "baseline": 1,
      "overrides": {},
      "project": {"authGuards": "requireAuth", "validators": ["ok", 7], "migrationsDir": "",
                  "generatedTypes": false, "processedEventsTable": null, "fileKinds": []},
    }""")
    assert problem_texts(config) == [b"[]", b'"dist"', b'"yes"', b"1", b"{}", b'"requireAuth"', b"7",
                                     b'""', b"false", b"null", b"[]"]
    assert config.rules == {} and config.exclude == [] and config.overrides == []
    assert config.require_suppression_reason is False and config.baseline is None
    assert config.project == ProjectSettings(validators=["ok"])
    assert "must be an array, not a string" in config.problems[1].message


def test_unknown_project_keys_and_file_kinds() -> None:
    config = load('{"project": {"authGuard": ["x"],'
                  ' "fileKinds": {"pages": ["a"], "page": ["app/**/page.tsx"]}, "migrationsDir": "db"}}')
    assert problem_texts(config) == [b'"authGuard"', b'"pages"']
    assert 'did you mean "authGuards"' in config.problems[0].message
    assert 'did you mean "page"' in config.problems[1].message
    assert config.project.file_kinds == {"page": ["app/**/page.tsx"]}
    assert config.project.migrations_dir == "db"


def test_bad_overrides_and_globs() -> None:
    config = load("""{"overrides": [
        {"rules": {"auth/missing-guard": "off"}},
        {"files": []},
        {"files": ["ok/**", "", "#x", "bad\\\\"], "rulez": {}, "rules": {"auth/missing-guard": "off"}},
        "nope",
    ]}""")
    assert problem_texts(config) == [b'{"rules": {"auth/missing-guard": "off"}}', b"[]", b'""', b'"#x"',
                                     b'"bad\\\\"', b'"rulez"', b'"nope"']
    assert config.overrides == [Override(["ok/**"], {"auth/missing-guard": RuleSetting(None)})]


def test_duplicate_keys_are_reported_at_the_ignored_one() -> None:
    config = load('{"exclude": ["a"], "exclude": ["b"]}')
    assert problem_texts(config) == [b'"exclude"']
    assert config.problems[0].start == 1
    assert config.exclude == ["b"]


def test_top_level_must_be_an_object() -> None:
    config = load("// just a list\n[1, 2]")
    assert problem_texts(config) == [b"[1, 2]"]


def test_problem_ranges_with_crlf_and_non_ascii() -> None:
    source = ('\ufeff{\r\n  // réglages — ç\r\n  "project": {"authGuards": ["vérifier"]},\r\n'
              '  "rulez": {}\r\n}')
    config = load(source.encode())
    assert problem_texts(config) == [b'"rulez"']
    assert config.project.auth_guards == ["vérifier"]
    assert config.problems[0].start == source.encode().index(b'"rulez"')


# -- config: overrides, exclude ----------------------------------------------------------------------


def test_overrides_apply_in_order_later_wins() -> None:
    config = load("""{
      "rules": {"auth/missing-guard": "error", "sql/rls-disabled": "warn"},
      "overrides": [
        {"files": ["app/**"], "rules": {"auth/missing-guard": "warn"}},
        {"files": ["app/admin/**", "!app/admin/keep.ts"],
         "rules": {"auth/missing-guard": ["info", {"x": 1}]}},
        {"files": ["*.test.ts"], "rules": {"auth/missing-guard": "off"}},
      ],
    }""")
    assert config.problems == []

    def severity(rel: str) -> Severity | None:
        setting = config.rule_setting("auth/missing-guard", rel)
        assert setting is not None
        return setting.severity

    assert severity("lib/x.ts") == Severity.ERROR
    assert severity("app/page.tsx") == Severity.WARNING
    assert severity("app/admin/page.tsx") == Severity.INFO
    admin = config.rule_setting("auth/missing-guard", "app/admin/page.tsx")
    assert admin == RuleSetting(Severity.INFO, {"x": 1})
    assert severity("app/admin/keep.ts") == Severity.WARNING  # negated in the second override
    assert severity("app/admin/a.test.ts") is None  # "*.test.ts" matches at any depth
    assert severity("./app/page.tsx") == Severity.WARNING
    assert severity("app\\page.tsx") == Severity.WARNING
    # Overrides that do not mention a rule leave it alone.
    setting = config.rule_setting("sql/rls-disabled", "app/page.tsx")
    assert setting is not None and setting.severity == Severity.WARNING
    assert config.rule_setting("auth/admin-client-in-client", "app/page.tsx") is None


def test_override_can_configure_a_rule_absent_at_top_level() -> None:
    config = load('{"overrides": [{"files": ["/supabase/"], "rules": {"sql/rls-disabled": "error"}}]}')
    migration = config.rule_setting("sql/rls-disabled", "supabase/migrations/1_init.sql")
    assert migration == RuleSetting(Severity.ERROR)
    assert config.rule_setting("sql/rls-disabled", "packages/supabase/x.sql") is None  # anchored at root


def test_exclude_is_gitignore_style() -> None:
    config = load('{"exclude": ["dist/", "*.min.js", "/generated", "!generated/keep.ts"]}')
    assert config.is_excluded("dist/a.js")
    assert config.is_excluded("packages/web/dist/a.js")
    assert config.is_excluded("public/vendor.min.js")
    assert config.is_excluded("generated/types.ts")
    assert not config.is_excluded("generated/keep.ts")
    assert not config.is_excluded("src/generated/types.ts")
    assert not config.is_excluded("app/page.tsx")


def test_relative_path(tmp_path: Path) -> None:
    config = Config.default(tmp_path)
    assert config.relative_path(tmp_path / "app" / "page.tsx") == "app/page.tsx"
    assert config.relative_path(tmp_path.parent / "elsewhere.ts") is None


# -- finding and reading the file ---------------------------------------------------------------------


def test_find_config_closest_wins_and_json_beats_jsonc(tmp_path: Path) -> None:
    (tmp_path / "treido.jsonc").write_text("{}")
    nested = tmp_path / "packages" / "web"
    (nested / "app").mkdir(parents=True)
    page = nested / "app" / "page.tsx"
    page.write_text("")
    assert find_config(page) == tmp_path / "treido.jsonc"
    assert find_config(nested) == tmp_path / "treido.jsonc"
    (nested / "treido.jsonc").write_text("{}")
    assert find_config(page) == nested / "treido.jsonc"
    (nested / "treido.json").write_text("{}")
    assert find_config(page) == nested / "treido.json"
    assert find_config(nested / "app" / "not-saved-yet.ts") == nested / "treido.json"
    assert CONFIG_NAMES == ("treido.json", "treido.jsonc")


def test_find_config_stops_at_stop(tmp_path: Path) -> None:
    (tmp_path / "treido.json").write_text("{}")
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    assert find_config(project / "src", stop=project) is None
    assert find_config(project / "src") == tmp_path / "treido.json"
    (project / "treido.json").write_text("{}")
    assert find_config(project / "src", stop=project) == project / "treido.json"


def test_load_config_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "treido.json"
    path.write_bytes(b'{"rules": {"auth/missing-guard": "off"}}')
    config = load_config(path, RULES)
    assert config.rules == {"auth/missing-guard": RuleSetting(None)}
    assert config.source == path.read_bytes()
    assert config.root == tmp_path


def test_unreadable_config_raises_config_read_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigReadError, match="cannot read"):
        load_config(tmp_path / "missing" / "treido.json", RULES)
    with pytest.raises(ConfigReadError):
        load_config(tmp_path, RULES)  # a folder


# -- schema -----------------------------------------------------------------------------------------


def walk_properties(schema: Any) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            found.append((name, sub))
        for value in schema.values():
            found.extend(walk_properties(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(walk_properties(value))
    return found


def test_schema_is_json_and_lists_rules() -> None:
    schema = json_schema(RULES, descriptions={"auth/missing-guard": "Server action without an auth guard."})
    assert json.loads(json.dumps(schema)) == schema
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    rules = schema["definitions"]["rules"]
    assert set(rules["properties"]) == set(RULES)
    assert rules["additionalProperties"] is False
    assert rules["properties"]["auth/missing-guard"]["description"] == "Server action without an auth guard."
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]["project"]["properties"]["fileKinds"]["properties"]) == set(FILE_KINDS)
    for name, sub in walk_properties(schema):
        assert sub.get("description"), name


def test_schema_refs_resolve_and_keys_match_the_loader() -> None:
    schema = json_schema(RULES)
    text = json.dumps(schema)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        assert ref.startswith("#/definitions/")
        assert ref.removeprefix("#/definitions/") in schema["definitions"]
    # Every key the schema allows loads without an "unknown key" problem.
    project_keys = schema["properties"]["project"]["properties"]
    config = load(json.dumps({"project": {key: None for key in project_keys}}))
    assert not [p for p in config.problems if "unknown" in p.message]
    top = {key: None for key in schema["properties"]}
    assert not [p for p in load(json.dumps(top)).problems if "unknown" in p.message]


def test_schema_accepts_what_the_loader_accepts() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema(RULES)
    jsonschema.Draft7Validator.check_schema(schema)
    good = {"rules": {"auth/missing-guard": ["warn", {"a": 1}]}, "overrides": [{"files": ["a/**"]}],
            "project": {"fileKinds": {"page": ["x"]}}, "baseline": None}
    jsonschema.validate(good, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"rulez": {}}, schema)
