#!/usr/bin/env bash
# Benchmarks in smoke mode: tiny sizes, to keep the harness working in CI (numbers are not kept).
set -euo pipefail
cd "$(dirname "$0")/.."
python benchmarks/run.py --smoke
