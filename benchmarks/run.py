"""Every benchmark in one command, printed as the Markdown tables of RESULTS.md.

    pip install -e ".[bench]"            # ast-grep-cli, the peer
    python benchmarks/run.py             # full size: 1,300 files + 1,000 migrations, 500 edits
    python benchmarks/run.py --smoke     # tiny sizes, to check the harness works

treido-ls and ast-grep run on the same generated files in the same run; ratios compare them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
AST_GREP = [str(Path(sys.executable).parent / "ast-grep"), "lsp", "-c", str(HERE / "ast-grep" / "sgconfig.yml")]
TREIDO = [sys.executable, "-m", "treido_ls"]


def run_json(*args: str) -> list[dict[str, object]]:
    out = subprocess.run([sys.executable, *args], check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def latency_rows(edits: int, lines: int) -> list[str]:
    rows = ["| file | server | open -> first | median | p95 | p99 | max |", "|---|---|---|---|---|---|---|"]
    for kind, label in (("action", f"{lines}-line server-action file"), ("types", "100 KB generated-types file")):
        medians = {}
        for name, command in (("treido-ls", TREIDO), ("ast-grep lsp", AST_GREP)):
            if name == "ast-grep lsp" and not Path(AST_GREP[0]).exists():
                continue
            [r] = run_json(str(HERE / "lsp_latency.py"), "--kind", kind, "--lines", str(lines), "--edits", str(edits),
                           "--", *command)
            medians[name] = float(str(r["median_ms"]))
            rows.append(f"| {label} | {name} | {r['open_to_first_ms']} ms | {r['median_ms']} ms | {r['p95_ms']} ms "
                        f"| {r['p99_ms']} ms | {r['max_ms']} ms |")
        if len(medians) == 2:
            ratio = medians["treido-ls"] / medians["ast-grep lsp"]
            rows.append(f"| {label} | ratio treido/ast-grep (median) | | {ratio:.2f}x | | | |")
    return rows


def scan_rows(app: Path) -> list[str]:
    rows = ["| tool | wall | CPU | peak RSS |", "|---|---|---|---|"]
    for r in run_json(str(HERE / "scan.py"), str(app), "--runs", "2"):
        rows.append(f"| {r['tool']} | {r['wall_s']} s | {r['cpu_s']} s | {r['peak_rss_mb']} MB |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    files, migrations, edits, lines = (40, 20, 10, 200) if args.smoke else (1300, 1000, 500, 2000)
    with tempfile.TemporaryDirectory(prefix="treido-app-") as tmp:
        app = Path(tmp)
        subprocess.run([sys.executable, str(HERE / "generate_app.py"), str(app), "--files", str(files),
                        "--migrations", str(migrations)], check=True, capture_output=True)
        print(f"# treido-ls benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
              f" ({files} files + {migrations} migrations)\n")
        print("## Keystroke -> diagnostics\n")
        print("\n".join(latency_rows(edits, lines)))
        print("\n## Whole-project scan\n")
        print("\n".join(scan_rows(app)))
        print("\n## Workspace index\n")
        for r in run_json(str(HERE / "workspace_index.py"), str(app)):
            print("\n".join(f"- {key}: {value}" for key, value in r.items() if key != "app"))


if __name__ == "__main__":
    main()
