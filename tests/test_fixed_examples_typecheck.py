"""The TypeScript a fix writes compiles: every ```ts fixed``` block (and every ts "Use instead" block) of every
rule file goes through `tsc --noEmit` under a strict Next.js-style tsconfig.

Real packages (TypeScript 5.9, the zod major the rule-file fixtures declare, supabase-js, @supabase/ssr, stripe,
React and Node types) come from the npm registry, pinned by tests/fixtures/typecheck/package-lock.json and
installed once into a cache folder ($TREIDO_TYPECHECK_DIR, or a temp folder keyed by the lock file). Next.js
and the project's own modules (`@/lib/...`) are declared in tests/fixtures/typecheck/ambient.d.ts.

Each block is its own module, written at its rule-file path inside a folder of its own. Without npm the test
is skipped with the reason, except when $CI is set: then it fails (.ci/run installs the packages first).
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ruledoc_cases import DEFAULT_PACKAGE
from treido_ls.registry import load_rule_docs

FIXTURES = Path(__file__).parent / "fixtures" / "typecheck"
NPM_TIMEOUT = 300
TSC_TIMEOUT = 300

# Files a block imports with a relative path, written next to it (the block's own case does not define them).
SUPPORT_FILES = {
    "supabase/functions/_shared/events.ts":
        'import type Stripe from "stripe";\n\nexport async function handleEvent(event: Stripe.Event): Promise<void> {\n'
        "  console.info(event.id);\n}\n",
}

# Blocks that cannot be type-checked for reasons unrelated to their code, by block id (see `TsBlock.id`).
SKIPPED: dict[str, str] = {}

# Blocks that do not type-check: real bugs in a fix or an example, reported to the lead. Strict xfail, so a
# fix for one of them turns the test red until its line here is removed.
KNOWN_FAILURES: dict[str, str] = {}

# Code that must NOT compile: proves the real, strict types are in effect (a canary that compiles means the
# check above has gone blind). File name -> (code, an expected fragment of tsc's output for it).
CANARIES = {
    "blocks/canary/stripe_parsed_body.ts": (
        'import { stripe } from "@/lib/stripe";\n'
        "export async function POST(req: Request) {\n"
        "  const body: Record<string, unknown> = await req.json();\n"
        '  return stripe.webhooks.constructEvent(body, "sig", "whsec");\n}\n',
        "error TS2345"),
    "blocks/canary/next_revalidate_one_argument.ts": (
        'import { revalidateTag } from "next/cache";\nrevalidateTag("products");\n', "error TS2554"),
    "blocks/canary/zod4_errors_renamed.ts": (
        'import { z } from "zod";\nexport const first = z.string().safeParse(1).error?.errors;\n', "error TS2"),
    "blocks/canary/supabase_user_nullable.ts": (
        'import { createClient } from "@/lib/supabase/server";\n'
        "export async function id() {\n"
        "  const supabase = await createClient();\n"
        "  const { data: { user } } = await supabase.auth.getUser();\n"
        "  return user.id;\n}\n",
        "error TS18047"),
}

_RELATIVE_IMPORT = re.compile(r"""(?:from|import)\s+["'](\.{1,2}/[^"']+)["']""")
_MODULE_SYNTAX = re.compile(r"^\s*(?:import|export)\b", re.MULTILINE)
_TSC_LINE = re.compile(r"^(?P<file>[^\s(][^(]*)\((?P<line>\d+),(?P<col>\d+)\): (?P<message>error .*)$")


@dataclass(frozen=True)
class TsBlock:
    id: str  # rule id, section or test name, kind and path (stable when lines move): keys of the lists above
    path: str  # where the block lives in its case (the fixed block: its code block's path)
    code: str
    rule_file: Path
    md_line: int


def collect_blocks() -> list[TsBlock]:
    blocks: list[TsBlock] = []
    for doc in load_rule_docs().values():
        previous_path: str | None = None
        for block in doc.blocks:
            if block.kind == "code":
                previous_path = block.path
            if block.lang not in ("ts", "tsx"):
                continue
            if block.kind == "fixed" or (block.kind == "code" and block.section == "Use instead"):
                path = (block.path if block.kind == "code" else previous_path) or f"app/example.{block.lang}"
                where = block.subsection or block.section
                block_id = f"{doc.id}::{where}::{block.kind}:{path}"
                taken = sum(1 for b in blocks if b.id.split("#")[0] == block_id)
                blocks.append(TsBlock(f"{block_id}#{taken + 1}" if taken else block_id, path, block.code,
                                      doc.file, block.md_line))
    return blocks


BLOCKS = collect_blocks()


def as_module(code: str) -> str:
    """A block without imports or exports would be a global script: make it a module (names stay local)."""
    return code if _MODULE_SYNTAX.search(code) else code + "\nexport {};\n"


def write_project(work: Path, blocks: list[TsBlock]) -> dict[str, TsBlock]:
    """tsconfig, declarations and one folder per block; returns block file (relative, posix) -> block."""
    shutil.copy(FIXTURES / "tsconfig.json", work / "tsconfig.json")
    shutil.copy(FIXTURES / "ambient.d.ts", work / "ambient.d.ts")
    for rel, (code, _) in CANARIES.items():
        _write(work / rel, code)
    files: dict[str, TsBlock] = {}
    for number, block in enumerate(blocks):
        folder = f"blocks/b{number:03d}"
        rel = f"{folder}/{block.path}"
        _write(work / rel, as_module(block.code))
        files[rel] = block
        for imported in _RELATIVE_IMPORT.findall(block.code):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(block.path), imported))
            if target in SUPPORT_FILES:
                _write(work / folder / target, SUPPORT_FILES[target])
    return files


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def tsc_errors(output: str) -> dict[str, list[str]]:
    """`tsc --pretty false` output grouped by file; continuation lines stay with their error."""
    errors: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines():
        match = _TSC_LINE.match(line)
        if match:
            current = errors.setdefault(match["file"].replace("\\", "/"), [])
            current.append(f"{match['line']}:{match['col']}: {match['message']}")
        elif line.strip() and current is not None:
            current[-1] += "\n    " + line.strip()
        elif line.strip():
            errors.setdefault("<tsc>", []).append(line)
    return errors


def unavailable(reason: str) -> None:
    """Skip with the reason; with $CI set the type check is required, so fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {reason}")
    pytest.skip(reason)


def install_dir() -> Path:
    lock = (FIXTURES / "package-lock.json").read_bytes() + (FIXTURES / "package.json").read_bytes()
    given = os.environ.get("TREIDO_TYPECHECK_DIR")
    if given:
        return Path(given).resolve()
    key = hashlib.sha256(lock).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"treido-typecheck-{key}"


def installed(target: Path) -> bool:
    """npm ci of the fixture lock finished there (npm writes node_modules/.package-lock.json last)."""
    lock = target / "package-lock.json"
    return (lock.is_file() and lock.read_bytes() == (FIXTURES / "package-lock.json").read_bytes()
            and (target / "node_modules" / ".package-lock.json").is_file()
            and (target / "node_modules" / "typescript" / "bin" / "tsc").is_file())


def ensure_packages() -> Path:
    """Install the pinned packages once (`npm ci`, as .ci/run does); returns the folder holding node_modules."""
    target = install_dir()
    if installed(target):
        return target
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        unavailable("npm/node is not installed (the type check installs TypeScript and zod from the npm registry)")
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(FIXTURES / name, target / name)
    try:
        result = subprocess.run([str(npm), "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=target,
                                capture_output=True, text=True, timeout=NPM_TIMEOUT)
    except subprocess.TimeoutExpired:
        unavailable(f"npm ci timed out after {NPM_TIMEOUT}s in {target} (is the npm registry reachable?)")
    if result.returncode != 0 or not installed(target):
        unavailable(f"npm ci failed in {target} (is the npm registry reachable?):\n{result.stderr[-2000:]}")
    return target


@dataclass
class TypeCheck:
    files: dict[str, TsBlock]
    errors: dict[str, list[str]]
    output: str


@pytest.fixture(scope="module")
def typecheck(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TypeCheck]:
    packages = ensure_packages()
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed (tsc runs on it)")
    work = tmp_path_factory.mktemp("typecheck")
    files = write_project(work, BLOCKS)
    (work / "node_modules").symlink_to(packages / "node_modules", target_is_directory=True)
    tsc = packages / "node_modules" / "typescript" / "bin" / "tsc"
    try:
        result = subprocess.run([str(node), str(tsc), "--noEmit", "--pretty", "false", "-p", str(work)], cwd=work,
                                capture_output=True, text=True, timeout=TSC_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"tsc did not finish within {TSC_TIMEOUT}s")
    output = result.stdout + result.stderr
    yield TypeCheck(files, tsc_errors(output), output)


def test_pinned_packages_match_the_fixtures() -> None:
    """TypeScript 5.x, and the zod major that the rule-file cases' package.json declares."""
    declared = json.loads((FIXTURES / "package.json").read_text())["dependencies"]
    assert declared["typescript"].startswith("5.")
    cases = DEFAULT_PACKAGE["dependencies"]
    assert isinstance(cases, dict)
    assert declared["zod"].split(".")[0] == str(cases["zod"]).lstrip("^~").split(".")[0]
    locked = json.loads((FIXTURES / "package-lock.json").read_text())["packages"][""]["dependencies"]
    assert locked == declared, "package-lock.json is stale: run `npm install --package-lock-only` there"


def test_declarations_and_support_files_compile(typecheck: TypeCheck) -> None:
    stray = {file: errors for file, errors in typecheck.errors.items()
             if file not in typecheck.files and file not in CANARIES}
    assert not stray, "errors outside the example blocks:\n" + typecheck.output


@pytest.mark.parametrize("canary", sorted(CANARIES))
def test_wrong_code_fails_to_compile(canary: str, typecheck: TypeCheck) -> None:
    expected = CANARIES[canary][1]
    assert any(expected in error for error in typecheck.errors.get(canary, [])), (
        f"{canary} compiled (expected {expected}): the type check is not strict or not using the real types\n"
        + typecheck.output)


def test_every_skip_and_known_failure_names_a_block() -> None:
    ids = {block.id for block in BLOCKS}
    assert not (set(SKIPPED) | set(KNOWN_FAILURES)) - ids, "stale entries in SKIPPED/KNOWN_FAILURES"


def _params() -> list[object]:
    params: list[object] = []
    for block in BLOCKS:
        marks: list[pytest.MarkDecorator] = []
        if block.id in SKIPPED:
            marks.append(pytest.mark.skip(reason=SKIPPED[block.id]))
        elif block.id in KNOWN_FAILURES:
            marks.append(pytest.mark.xfail(reason=KNOWN_FAILURES[block.id], strict=True))
        params.append(pytest.param(block, id=block.id, marks=marks))
    return params


@pytest.mark.parametrize("block", _params())
def test_block_type_checks(block: TsBlock, typecheck: TypeCheck) -> None:
    [rel] = [rel for rel, owner in typecheck.files.items() if owner is block]
    errors = typecheck.errors.get(rel, [])
    assert not errors, (f"{block.rule_file.name}:{block.md_line} ({block.path}) does not type-check:\n"
                        + "\n".join(errors) + "\n\n" + as_module(block.code))
