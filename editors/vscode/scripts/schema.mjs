// Writes schemas/treido.schema.json from `treido-ls schema`, so the schema VS Code validates
// treido.json against is the server's own. Tries $TREIDO_LS, then treido-ls on PATH, then
// `python3 -m treido_ls`. tests/editors/test_vscode_extension.py checks the committed file is current.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas', 'treido.schema.json');
const attempts = [
  ...(process.env.TREIDO_LS ? [[process.env.TREIDO_LS, ['schema']]] : []),
  ['treido-ls', ['schema']],
  ['python3', ['-m', 'treido_ls', 'schema']],
];

for (const [command, args] of attempts) {
  try {
    const schema = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    JSON.parse(schema); // never write anything but a JSON document
    writeFileSync(target, schema);
    console.log(`schemas/treido.schema.json written by: ${command} ${args.join(' ')}`);
    process.exit(0);
  } catch {
    // try the next way to run the server
  }
}
console.error('treido-ls not found: install it (pip install -e . from the repository root) or set TREIDO_LS.');
process.exit(1);
