"""Checks: one module per rule under checks/<category>/<name>.py, registered by rule id.

A check is a function FileContext -> Iterable[Violation]. Modules are imported once, on first
use, so that start-up stays cheap.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from treido_ls.model import Violation

if TYPE_CHECKING:
    from treido_ls.context import FileContext

CheckFn = Callable[["FileContext"], Iterable[Violation]]

_CHECKS: dict[str, CheckFn] = {}
_loaded = False


def check(rule_id: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        if rule_id in _CHECKS:
            raise RuntimeError(f"two checks registered for {rule_id}")
        _CHECKS[rule_id] = fn
        return fn

    return register


def all_checks() -> dict[str, CheckFn]:
    global _loaded
    if not _loaded:
        for module in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
            if not module.name.rsplit(".", 1)[-1].startswith("_"):
                importlib.import_module(module.name)
        _loaded = True
    return _CHECKS
