"""Auth checks beyond the rule files: CRLF fixes, fixes inside `try`, editor buffers across files."""

from __future__ import annotations

from pathlib import Path

from treido_ls.fixes import apply_edits
from treido_ls.linter import lint_source
from treido_ls.parsing import Lang, parse
from treido_ls.project import Project
from treido_ls.registry import rule_ids

GUARD = "auth/missing-getuser-guard"


def _project(root: Path, files: dict[str, str]) -> Project:
    (root / "package.json").write_text('{"dependencies": {"next": "16.0.0"}}')
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode())
    return Project(root, rule_ids())


def _fixed(project: Project, rel: str, source: str, rule: str = GUARD) -> str:
    findings = [f for f in lint_source(project, rel, source.encode()).findings if f.rule_id == rule]
    assert len(findings) == 1, findings
    return apply_edits(source.encode(), findings[0].fixes[0].edits).decode()


def test_crlf_file_gets_crlf_lines(tmp_path: Path) -> None:
    source = ('"use server";\r\nimport { createClient } from "@/lib/supabase/server";\r\n\r\n'
              "export async function wipe() {\r\n  const supabase = await createClient();\r\n"
              '  await supabase.from("carts").delete().eq("open", true);\r\n}\r\n')
    project = _project(tmp_path, {"app/actions/x.ts": source})
    fixed = _fixed(project, "app/actions/x.ts", source)
    assert "createClient();\r\n  const { data: { user } } = await supabase.auth.getUser();\r\n" in fixed
    assert '  if (!user) throw new Error("Unauthorized");\r\n  await supabase' in fixed
    assert "\n" not in fixed.replace("\r\n", "")


def test_client_declared_inside_try(tmp_path: Path) -> None:
    source = ("'use server'\nimport { createClient } from '@/lib/supabase/server'\n\n"
              "export async function wipe() {\n  try {\n    const supabase = await createClient()\n"
              "    await supabase.rpc('wipe_cart')\n  } catch {\n    return { error: 'failed' }\n  }\n}\n")
    project = _project(tmp_path, {"app/actions/x.ts": source})
    fixed = _fixed(project, "app/actions/x.ts", source)
    assert ("    const supabase = await createClient()\n"
            "    const { data: { user } } = await supabase.auth.getUser()\n"
            "    if (!user) throw new Error('Unauthorized')\n    await supabase.rpc") in fixed
    assert not parse(Lang.TYPESCRIPT, fixed.encode()).root_node.has_error
    findings = lint_source(project, "app/actions/x.ts", fixed.encode()).findings
    assert not [f for f in findings if f.rule_id == GUARD]


def test_open_buffer_of_a_helper_changes_the_answer(tmp_path: Path) -> None:
    helper = ("import { redirect } from 'next/navigation'\nexport async function requireUser(s: any) {\n"
              "  const { data: { user } } = await s.auth.getUser()\n  if (!user) redirect('/login')\n"
              "  return user\n}\n")
    action = ("'use server'\nimport { requireUser } from '../../lib/auth'\nimport { db } from '../../lib/db'\n"
              "export async function wipe() {\n  await requireUser(db)\n"
              "  await db.from('carts').delete().eq('open', true)\n}\n")
    project = _project(tmp_path, {"lib/auth.ts": helper, "app/actions/x.ts": action})

    def flagged() -> bool:
        return any(f.rule_id == GUARD for f in lint_source(project, "app/actions/x.ts", action.encode()).findings)

    assert not flagged()
    project.symbols.update_buffer(tmp_path / "lib/auth.ts", helper.replace("  if (!user) redirect('/login')\n", ""))
    assert flagged()
    project.symbols.forget_buffer(tmp_path / "lib/auth.ts")
    assert not flagged()


def test_getsession_fix_keeps_optional_chains(tmp_path: Path) -> None:
    source = ('import { createClient } from "@/lib/supabase/server";\n'
              "export async function GET() {\n  const supabase = await createClient();\n"
              "  const { data: { session } } = await supabase.auth.getSession();\n"
              '  const rows = await supabase.from("orders").select("id").eq("user_id", session?.user?.id).limit(5);\n'
              "  return Response.json(rows.data);\n}\n")
    project = _project(tmp_path, {"app/api/orders/route.ts": source})
    fixed = _fixed(project, "app/api/orders/route.ts", source, "auth/getsession-on-server")
    assert "const { data: { user } } = await supabase.auth.getUser();" in fixed
    assert '.eq("user_id", user?.id)' in fixed
