"""Whole-project scan: wall time, CPU time and peak memory of `treido-ls check` next to `ast-grep scan`.

    python benchmarks/scan.py /tmp/app --runs 3

Runs each command `--runs` times on the same generated app (see generate_app.py) and prints one JSON
line per configuration with the best wall time, its CPU time and the peak RSS of the process tree's
largest process (from wait4). treido-ls runs from a cold cache (`--no-cache`) and from a warm one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(command: list[str], cwd: Path) -> dict[str, float]:
    began = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{command} failed with {status}")
    return {"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def best(command: list[str], cwd: Path, runs: int, before: list[str] | None = None) -> dict[str, object]:
    results = []
    for _ in range(runs):
        if before:
            subprocess.run(before, cwd=cwd, check=False, capture_output=True)
        results.append(measure(command, cwd))
    fastest = min(results, key=lambda r: r["wall_s"])
    return {"command": " ".join(command), **fastest, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("app", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    treido = [sys.executable, "-m", "treido_ls", "check", "--exit-zero", "--jobs", str(args.jobs), "."]
    rows = [
        {"tool": "treido-ls (all rules, cold)", **best([*treido, "--no-cache"], args.app, args.runs)},
        {"tool": "treido-ls (all rules, warm cache)",
         **best(treido, args.app, args.runs, before=None)},
    ]
    beside = Path(sys.executable).parent / "ast-grep"  # `pip install ast-grep-cli` in this environment
    ast_grep = str(beside) if beside.exists() else shutil.which("ast-grep")  # not `sg`: shadow-utils has one
    if ast_grep:
        rows.append({"tool": "ast-grep (2 equivalent rules)",
                     **best([ast_grep, "scan", "-c", str(HERE / "ast-grep" / "sgconfig.yml"), "."], args.app,
                            args.runs)})
    for row in rows:
        print(json.dumps(row))


if __name__ == "__main__":
    main()
