"""Output formats of `treido-ls check`: text, json (ESLint), sarif, github, audit.

Each format renders a whole run to a string, so any of them can go to stdout or to a file
(`--format sarif:treido.sarif`).
"""

from __future__ import annotations

from collections.abc import Callable

from treido_ls.formats._common import Output

FORMATS = ("text", "json", "sarif", "github", "audit")


def renderer(name: str) -> Callable[[Output], str]:
    if name == "text":
        from treido_ls.formats.text import render
    elif name == "json":
        from treido_ls.formats.eslint import render
    elif name == "sarif":
        from treido_ls.formats.sarif import render
    elif name == "github":
        from treido_ls.formats.github import render
    elif name == "audit":
        from treido_ls.formats.audit import render
    else:
        raise ValueError(f"unknown format {name!r}")
    return render


__all__ = ["FORMATS", "Output", "renderer"]
