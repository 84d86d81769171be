#!/usr/bin/env bash
# Benchmarks in smoke mode: tiny sizes, to keep the harness working in CI (numbers are not kept).
set -euo pipefail
cd "$(dirname "$0")/.."
app="$(mktemp -d)"
trap 'rm -rf "$app"' EXIT
python benchmarks/generate_app.py "$app" --files 40 --migrations 20 --seed 7
python benchmarks/scan.py "$app" --runs 1
python benchmarks/workspace_index.py "$app"
python benchmarks/lsp_latency.py --kind action --lines 200 --edits 10
python benchmarks/lsp_latency.py --kind types --edits 10
