"""Where one keystroke's lint goes: a pyinstrument profile of `lint` on a generated server-action file.

    pip install pyinstrument
    python benchmarks/profile_keystroke.py --lines 2000 > benchmarks/profiles/keystroke-2000.txt
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from pyinstrument import Profiler

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_app import big_action_file

from treido_ls.linter import lint
from treido_ls.parsing import Lang, parse
from treido_ls.positions import LineIndex
from treido_ls.project import Project
from treido_ls.registry import rule_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "package.json").write_text(json.dumps({"dependencies": {"next": "16.0.3"}}))
        project = Project(root, rule_ids())
        source = big_action_file(args.lines).encode()
        tree = parse(Lang.TYPESCRIPT, source)
        lint("app/actions/orders.ts", source, tree, Lang.TYPESCRIPT, LineIndex(source), project)  # warm up
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.repeat):
            lint("app/actions/orders.ts", source, tree, Lang.TYPESCRIPT, LineIndex(source), project)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
