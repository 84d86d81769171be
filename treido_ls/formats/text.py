"""`--format text`: the human-readable report (treido_ls/output.py)."""

from __future__ import annotations

import io

from treido_ls.formats._common import Output
from treido_ls.output import write_text


def render(output: Output) -> str:
    buffer = io.StringIO()
    write_text(output.run, buffer, output.color)
    return buffer.getvalue()
