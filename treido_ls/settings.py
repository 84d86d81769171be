"""Editor settings (initializationOptions / workspace/configuration), validated into defaults.

Which rules run is decided by the project's treido.json so that the editor and CI agree; editor
settings can only turn the server off, choose when to lint, the log level, the docs link and how
findings accepted by the config's baseline appear (hidden or as hints).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RUN_MODES = ("onType", "onSave")
LOG_LEVELS = ("error", "warning", "info", "debug")
DEFAULT_LINT_BUDGET_MS = 1000
BASELINE_MODES = ("hide", "hint")  # findings accepted by the config's `baseline`: hidden, or shown as hints


@dataclass(frozen=True, slots=True)
class Settings:
    enable: bool = True
    run: str = "onType"
    log_level: str = "warning"
    docs_base_url: str | None = None
    debug_requests: bool = False  # enables treido/debugDocument (tests and fuzzers)
    config_path: str | None = None  # like `check --config`: this file instead of the closest treido.json
    lint_budget_ms: int = DEFAULT_LINT_BUDGET_MS  # per file per lint; rules past it are skipped (0: no budget)
    baseline_mode: str = "hide"


@dataclass(slots=True)
class ParsedSettings:
    settings: Settings
    problems: list[str] = field(default_factory=list)


def parse_settings(raw: object) -> ParsedSettings:
    """Accepts `{...}` or `{"treido": {...}}`; every bad value becomes a problem and its default."""
    problems: list[str] = []
    if raw is None:
        return ParsedSettings(Settings())
    if isinstance(raw, dict) and isinstance(raw.get("treido"), dict):
        raw = raw["treido"]
    if not isinstance(raw, dict):
        return ParsedSettings(Settings(), [f"treido settings must be an object, got {type(raw).__name__}"])
    values: dict[str, Any] = {}
    _take_bool(raw, "enable", values, problems)
    _take_choice(raw, "run", RUN_MODES, values, problems)
    _take_choice(raw, "logLevel", LOG_LEVELS, values, problems, target="log_level")
    _take_bool(raw, "debugRequests", values, problems, target="debug_requests")
    _take_choice(raw, "baselineMode", BASELINE_MODES, values, problems, target="baseline_mode")
    _take_budget(raw, values, problems)
    config_path = raw.get("configPath")
    if isinstance(config_path, str) and config_path.strip():
        values["config_path"] = config_path.strip()
    elif config_path not in (None, ""):
        problems.append("treido.configPath must be a path to a treido.json; using the closest one instead")
    docs = raw.get("docsBaseUrl")
    if docs is not None:
        if isinstance(docs, str) and docs.strip():
            values["docs_base_url"] = docs.rstrip("/")
        else:
            problems.append("treido.docsBaseUrl must be a non-empty string; using the shipped rule files")
    return ParsedSettings(Settings(**values), problems)


def _take_bool(raw: dict[str, Any], key: str, out: dict[str, Any], problems: list[str],
               target: str | None = None) -> None:
    if key not in raw:
        return
    if isinstance(raw[key], bool):
        out[target or key] = raw[key]
    else:
        problems.append(f"treido.{key} must be true or false; using the default")


def _take_budget(raw: dict[str, Any], out: dict[str, Any], problems: list[str]) -> None:
    value = raw.get("lintBudgetMs")
    if value is None:
        return
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        out["lint_budget_ms"] = value
    else:
        problems.append(f"treido.lintBudgetMs must be a whole number of milliseconds (0: no budget); "
                        f"using {DEFAULT_LINT_BUDGET_MS}")


def _take_choice(raw: dict[str, Any], key: str, choices: tuple[str, ...], out: dict[str, Any],
                 problems: list[str], target: str | None = None) -> None:
    if key not in raw:
        return
    if raw[key] in choices:
        out[target or key] = raw[key]
    else:
        problems.append(f"treido.{key} must be one of {', '.join(choices)}; using the default")
