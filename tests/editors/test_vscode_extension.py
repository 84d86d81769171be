"""The VS Code extension's static parts: the committed treido.json schema is current, the manifest as promised.

Building and packaging it (npm ci, tsc, vsce) is the `vscode` stage of .ci/run; running it in a
real VS Code is the opt-in code-server test (test_code_server.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.editors.support import REPO

EXTENSION = REPO / "editors" / "vscode"
SCHEMA = EXTENSION / "schemas" / "treido.schema.json"


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    return data


def test_committed_schema_is_current() -> None:
    current = subprocess.run([sys.executable, "-m", "treido_ls", "schema"], capture_output=True, text=True,
                             check=True, timeout=60).stdout
    assert SCHEMA.read_text(encoding="utf-8") == current, (
        "editors/vscode/schemas/treido.schema.json is stale: run `node editors/vscode/scripts/schema.mjs` "
        "(or `treido-ls schema > editors/vscode/schemas/treido.schema.json`)")


def test_manifest_activation_settings_and_commands() -> None:
    data = manifest()
    assert data["engines"]["vscode"] == "^1.100.0"
    assert data["main"] == "./out/extension.js"
    languages = {"typescript", "typescriptreact", "javascript", "javascriptreact", "sql"}
    assert {f"onLanguage:{language}" for language in languages} <= set(data["activationEvents"])
    assert {"workspaceContains:**/treido.json", "workspaceContains:**/treido.jsonc"} <= set(data["activationEvents"])
    settings = data["contributes"]["configuration"]["properties"]
    assert {"treido.enable", "treido.run", "treido.configPath", "treido.logLevel", "treido.trace.server",
            "treido.path", "treido.interpreter"} <= set(settings)
    commands = {command["command"] for command in data["contributes"]["commands"]}
    assert commands == {"treido.restartServer", "treido.showOutput", "treido.fixAll"}
    [validation] = data["contributes"]["jsonValidation"]
    assert (EXTENSION / validation["url"]).resolve() == SCHEMA
    untrusted = data["capabilities"]["untrustedWorkspaces"]
    assert untrusted["supported"] == "limited"
    assert set(untrusted["restrictedConfigurations"]) == {"treido.path", "treido.interpreter"}


def test_pinned_tooling() -> None:
    data = manifest()
    assert data["dependencies"]["vscode-languageclient"].startswith("9.")
    assert data["devDependencies"]["@vscode/vsce"] == "3.7.1"
    assert data["devDependencies"]["@types/vscode"].lstrip("~^").startswith("1.100")
    lock = json.loads((EXTENSION / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/@vscode/vsce"]["version"] == "3.7.1"


def test_fix_all_uses_the_servers_kind() -> None:
    source = (EXTENSION / "src" / "extension.ts").read_text(encoding="utf-8")
    assert "SourceFixAll.append('treido')" in source  # = source.fixAll.treido, the server's kind
