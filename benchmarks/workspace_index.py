"""Workspace index: first build and one-file updates on a generated app, and the memory it holds.

    python benchmarks/generate_app.py /tmp/app --files 1300 --migrations 1000
    python benchmarks/workspace_index.py /tmp/app

Builds what the rules ask the project for (the schema from every migration, the cache-tag index,
the symbol facts of every server action's callees), then times a one-file update of the newest and
of a middle migration, and of a guard helper. Memory: the RSS growth of this process while building.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from treido_ls.context import FileContext
from treido_ls.parsing import Lang, parse
from treido_ls.positions import LineIndex
from treido_ls.project import Project
from treido_ls.registry import rule_ids


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 1024 / 1024


def timed(action: object) -> float:
    began = time.perf_counter()
    action()  # type: ignore[operator]
    return round((time.perf_counter() - began) * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("app", type=Path)
    args = parser.parse_args()
    root = args.app.resolve()
    before = rss_mb()
    project = Project(root, rule_ids())
    results: dict[str, object] = {"app": str(root)}
    results["schema_build_ms"] = timed(lambda: project.schema)
    results["cache_tags_build_ms"] = timed(lambda: project.cache_tags.declared())
    actions = sorted((root / "app" / "actions").glob("*.ts"))

    def facts_of_all_actions() -> None:
        for path in actions:
            source = path.read_bytes()
            ctx = FileContext(project.relpath(path), source, parse(Lang.TYPESCRIPT, source), Lang.TYPESCRIPT,
                              LineIndex(source), project)
            for name in ctx.imports:
                project.symbols.call_facts(path, ctx.imports, name)

    results["symbols_all_actions_ms"] = timed(facts_of_all_actions)
    results["index_memory_mb"] = round(rss_mb() - before, 1)
    migrations = sorted(project.schema_builder.paths)
    newest, middle = migrations[-1], migrations[len(migrations) // 2]
    for label, rel in (("newest", newest), ("middle", middle)):
        source = (root / rel).read_bytes() + b"\nalter table public.products add column bench_col text;\n"
        results[f"update_{label}_migration_ms"] = timed(
            lambda rel=rel, source=source: (project.update_migration(rel, source), project.schema))
    guard = root / "lib" / "auth.ts"
    edited = guard.read_bytes().replace(b"redirect('/login')", b"redirect('/signin')")
    results["update_guard_helper_ms"] = timed(lambda: project.update_buffer(guard, edited))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
