"""Workspace symbols: import resolution and cross-file guard facts."""

from __future__ import annotations

from pathlib import Path

from treido_ls.workspace.config import Config
from treido_ls.workspace.symbols import SymbolIndex


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


GUARD_C = """
import { redirect } from "next/navigation";
import { createClient } from "./server";
export async function verified() {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) redirect("/login");
  return user;
}
"""


def test_guard_two_imports_away(tmp_path: Path) -> None:
    write(tmp_path, {
        "lib/c.ts": GUARD_C,
        "lib/b.ts": 'import { verified } from "./c";\n'
                    "export async function requireUser() { return await verified(); }\n",
        "lib/a.ts": 'import { requireUser } from "./b";\n'
                    "export const requireMember = async () => { await requireUser(); };\n",
        "app/actions.ts": 'import { requireMember as guard } from "../lib/a";\n',
    })
    index = SymbolIndex(tmp_path)
    facts = index.function_facts(tmp_path / "lib/a.ts", "requireMember")
    assert facts is not None and facts.is_guard
    from treido_ls.context import ImportBinding

    imports = {"guard": ImportBinding("guard", "../lib/a", "requireMember", None)}  # type: ignore[arg-type]
    called = index.call_facts(tmp_path / "app/actions.ts", imports, "guard")
    assert called is not None and called.is_guard and called.name == "requireMember"


def test_returning_the_user_for_the_caller_to_check(tmp_path: Path) -> None:
    write(tmp_path, {
        "lib/user.ts": "export async function currentUser(s: any) {\n"
                       "  const { data } = await s.auth.getUser();\n  return data.user;\n}\n",
        "lib/guard.ts": 'import { currentUser } from "./user";\n'
                        "export async function needUser(s: any) {\n"
                        "  const user = await currentUser(s);\n  if (!user) throw new Error('no');\n"
                        "  return user;\n}\n",
    })
    index = SymbolIndex(tmp_path)
    reader = index.function_facts(tmp_path / "lib/user.ts", "currentUser")
    assert reader is not None and reader.reads_user and not reader.is_guard
    guard = index.function_facts(tmp_path / "lib/guard.ts", "needUser")
    assert guard is not None and guard.is_guard


def test_tsconfig_alias_with_extends(tmp_path: Path) -> None:
    write(tmp_path, {
        "tsconfig.base.json": '{\n  // shared\n'
                              '  "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"], },},\n}',
        "tsconfig.json": '{ "extends": "./tsconfig.base.json", "compilerOptions": { "strict": true } }',
        "src/lib/auth.ts": "export function x() {}\n",
        "src/app/page.tsx": "",
    })
    index = SymbolIndex(tmp_path)
    assert index.resolve(tmp_path / "src/app/page.tsx", "@/lib/auth") == (tmp_path / "src/lib/auth.ts").resolve()
    assert index.resolve(tmp_path / "src/app/page.tsx", "@/lib/missing") is None
    assert index.resolve(tmp_path / "src/app/page.tsx", "react") is None


def test_other_alias_and_index_files(tmp_path: Path) -> None:
    write(tmp_path, {
        "tsconfig.json": '{ "compilerOptions": { "paths": '
                         '{ "~server/*": ["./server/*"], "#db": ["./db/index.mjs"] } } }',
        "server/auth/index.ts": "",
        "db/index.mjs": "",
        "app/x.ts": "",
        "app/util.js": "",
        "app/comp.tsx": "",
    })
    index = SymbolIndex(tmp_path)
    base = tmp_path.resolve()
    assert index.resolve(tmp_path / "app/x.ts", "~server/auth") == base / "server/auth/index.ts"
    assert index.resolve(tmp_path / "app/x.ts", "#db") == base / "db/index.mjs"
    assert index.resolve(tmp_path / "app/x.ts", "./util") == base / "app/util.js"
    assert index.resolve(tmp_path / "app/x.ts", "./comp.js") == base / "app/comp.tsx"


def test_reexports_and_default_exports(tmp_path: Path) -> None:
    write(tmp_path, {
        "lib/auth/guard.ts": GUARD_C.replace("./server", "../server").replace("export async function verified",
                                                                             "export default async function verified"),
        "lib/auth/index.ts": 'export { default as requireUser } from "./guard";\nexport * from "./more";\n',
        "lib/auth/more.ts": 'import guard from "./guard";\nconst requireAdmin = async () => {\n'
                            '  const user = await guard();\n'
                            '  if (user.app_metadata.role !== "admin") forbidden();\n};\n'
                            "export { requireAdmin };\n",
    })
    index = SymbolIndex(tmp_path)
    facts = index.exported_facts(tmp_path / "lib/auth/index.ts", "requireUser")
    assert facts is not None and facts.is_guard and not facts.is_admin_guard
    admin = index.exported_facts(tmp_path / "lib/auth/index.ts", "requireAdmin")
    assert admin is not None and admin.is_guard and admin.is_admin_guard


def test_cycles_do_not_hang(tmp_path: Path) -> None:
    write(tmp_path, {
        "a.ts": 'import { b } from "./b";\nexport * from "./b";\nexport async function a() { await b(); }\n',
        "b.ts": 'import { a } from "./a";\nexport * from "./a";\nexport async function b() { await a(); }\n',
    })
    index = SymbolIndex(tmp_path)
    facts = index.function_facts(tmp_path / "a.ts", "a")  # returns at all: the visited set cuts the cycle
    assert facts is not None and not facts.is_guard
    assert index.exported_facts(tmp_path / "a.ts", "missing") is None


def test_get_session_alone_is_not_a_guard(tmp_path: Path) -> None:
    write(tmp_path, {"lib/auth.ts": "export async function requireSession(s: any) {\n"
                                    "  const { data: { session } } = await s.auth.getSession();\n"
                                    "  if (!session) throw new Error('no');\n  return session;\n}\n"})
    facts = SymbolIndex(tmp_path).function_facts(tmp_path / "lib/auth.ts", "requireSession")
    assert facts is not None and not facts.is_guard


def test_getuser_without_exit_is_not_a_guard(tmp_path: Path) -> None:
    write(tmp_path, {"lib/auth.ts": "export async function maybe(s: any) {\n"
                                    "  const { data: { user } } = await s.auth.getUser();\n"
                                    "  if (user) console.info('in');\n  return user;\n}\n"})
    facts = SymbolIndex(tmp_path).function_facts(tmp_path / "lib/auth.ts", "maybe")
    assert facts is not None and not facts.is_guard and facts.reads_user


def test_editor_buffer_overrides_disk(tmp_path: Path) -> None:
    write(tmp_path, {"lib/auth.ts": "export async function requireUser() {}\n"})
    index = SymbolIndex(tmp_path)
    path = tmp_path / "lib/auth.ts"
    assert not index.function_facts(path, "requireUser").is_guard  # type: ignore[union-attr]
    index.update_buffer(path, GUARD_C.replace("verified", "requireUser"))
    assert index.function_facts(path, "requireUser").is_guard  # type: ignore[union-attr]
    index.forget_buffer(path)
    assert not index.function_facts(path, "requireUser").is_guard  # type: ignore[union-attr]


def test_factories_verifiers_and_config_names(tmp_path: Path) -> None:
    write(tmp_path, {
        "lib/supabase/server.ts": 'import { createServerClient } from "@supabase/ssr";\n'
                                  'import { cookies } from "next/headers";\n'
                                  "export async function createClient() {\n  const store = await cookies();\n"
                                  "  return createServerClient(url, key, {\n"
                                  "    cookies: { getAll: () => store.getAll() },\n  });\n}\n",
        "lib/supabase/admin.ts": 'import { createClient } from "@supabase/supabase-js";\n'
                                 "const serviceKey = process.env.SUPABASE_SERVICE_ROLE_KEY!;\n"
                                 "export const createAdminClient = () => createClient(url, serviceKey);\n"
                                 "export const admin = createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY!);\n",
        "lib/stripe/verify.ts": "export async function verifyEvent(req: Request) {\n"
                                "  return stripe.webhooks.constructEventAsync(await req.text(), sig, secret);\n}\n",
        "lib/cron.ts": "export function checkCronSecret() {}\n",
    })
    config = Config.default(tmp_path)
    config.project.auth_guards.append("checkCronSecret")
    index = SymbolIndex(tmp_path, config)
    factory = index.function_facts(tmp_path / "lib/supabase/server.ts", "createClient")
    assert factory is not None and factory.is_server_client_factory and not factory.is_admin_client
    admin = index.function_facts(tmp_path / "lib/supabase/admin.ts", "createAdminClient")
    assert admin is not None and admin.is_admin_client
    value = index.function_facts(tmp_path / "lib/supabase/admin.ts", "admin")
    assert value is not None and value.is_admin_client and value.is_value
    verifier = index.function_facts(tmp_path / "lib/stripe/verify.ts", "verifyEvent")
    assert verifier is not None and verifier.is_webhook_verifier
    cron = index.function_facts(tmp_path / "lib/cron.ts", "checkCronSecret")
    assert cron is not None and cron.is_guard


def test_invalidate_rereads_disk(tmp_path: Path) -> None:
    write(tmp_path, {"lib/auth.ts": "export async function requireUser() {}\n"})
    index = SymbolIndex(tmp_path)
    path = tmp_path / "lib/auth.ts"
    assert not index.function_facts(path, "requireUser").is_guard  # type: ignore[union-attr]
    write(tmp_path, {"lib/auth.ts": GUARD_C.replace("verified", "requireUser")})
    index.invalidate(path)
    assert index.function_facts(path, "requireUser").is_guard  # type: ignore[union-attr]


def test_a_cycle_does_not_hide_a_guard(tmp_path: Path) -> None:
    write(tmp_path, {
        "lib/auth.ts": GUARD_C.replace("verified", "requireUser").replace(
            "  return user;", "  await audit();\n  return user;").replace(
            'import { createClient } from "./server";', 'import { createClient } from "./server";\n'
                                                         'import { audit } from "./audit";'),
        "lib/audit.ts": 'import { requireUser } from "./auth";\n'
                        "export async function audit() { await requireUser(); }\n",
    })
    index = SymbolIndex(tmp_path)
    guard = index.function_facts(tmp_path / "lib/auth.ts", "requireUser")
    assert guard is not None and guard.is_guard
    audit = index.function_facts(tmp_path / "lib/audit.ts", "audit")
    assert audit is not None and audit.is_guard
