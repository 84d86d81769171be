"""Real Emacs + Eglot, batch mode: diagnostic range after non-ASCII text, quick fix through Eglot's menu.

Eglot 1.9 (Debian's elpa-eglot for Emacs 28) does not negotiate an encoding: UTF-16.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.editors.support import (
    FIX_TITLE,
    FIXED_SOURCE,
    HERE,
    IGNORE_TITLE,
    RULE,
    SERVER_CMD,
    Span,
    editor_env,
    expected_span,
    lsp_span,
    missing,
    of_rule,
    run_editor,
    version_of,
    write_project,
)

SCRIPT = HERE / "eglot_test.el"
INSTALL = "apt-get install -y emacs-nox elpa-eglot"
# Eglot is built in from Emacs 29; on 28 it comes from Debian's elpa-eglot, hidden by -Q.
HAS_EGLOT = ('(progn (add-to-list (quote package-directory-list) "/usr/share/emacs/site-lisp/elpa")'
             ' (package-initialize) (require (quote eglot)) (princ "eglot-ok"))')


def find_emacs() -> str | None:
    emacs = shutil.which("emacs")
    if emacs is None:
        return None
    probe = version_of([emacs, "-Q", "--batch", "--eval", HAS_EGLOT])
    return emacs if probe is not None and "eglot-ok" in probe else None


def test_eglot_diagnostic_and_quick_fix(tmp_path: Path) -> None:
    emacs = find_emacs()
    if emacs is None:
        missing("Emacs with Eglot", INSTALL)
    source = write_project(tmp_path / "project")
    result_file = tmp_path / "result.json"
    env = editor_env(tmp_path, TREIDO_FILE=str(source), TREIDO_SERVER_CMD=json.dumps(SERVER_CMD),
                     TREIDO_RESULT=str(result_file), TREIDO_FIX_TITLE=FIX_TITLE, TREIDO_RULE=RULE)
    run = run_editor([emacs, "-Q", "--batch", "-l", str(SCRIPT)], env, result_file)
    result = run.result
    print(f"Emacs {result['emacs']} + Eglot: {run.seconds:.2f}s")

    assert result["steps"] == ["attached", "diagnosed", "fixed", "saved", "cleared"]
    [diagnostic] = of_rule(result["before"]["lsp"])
    assert lsp_span(diagnostic) == expected_span("utf-16")
    # What Flymake underlines, in Emacs characters (code points).
    [shown] = [d for d in result["before"]["editor"] if RULE in d["message"]]
    assert Span(tuple(shown["start"]), tuple(shown["end"])) == expected_span("chars")
    assert result["offered"][:2] == [FIX_TITLE, IGNORE_TITLE]
    assert source.read_bytes() == FIXED_SOURCE.encode("utf-8")
    assert of_rule(result["after"]["lsp"]) == []
    assert [d for d in result["after"]["editor"] if RULE in d["message"]] == []
