// Test-only: from inside the extension host, opens a file, waits for the treido diagnostic,
// lets the browser driver take screenshots, applies the quick fix picked by title through
// VS Code's code-action provider, saves, and waits for the diagnostic to clear. Writes what it
// saw to $TREIDO_SELFTEST_DIR/result.json; test_code_server.py makes the assertions.
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const TIMEOUT_MS = 60000;
const env = process.env;

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(what, condition) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const value = await condition();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(100);
  }
}

function codeOf(diagnostic) {
  return typeof diagnostic.code === 'object' && diagnostic.code !== null ? diagnostic.code.value : diagnostic.code;
}

function ofRule(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'treido' && codeOf(d) === env.TREIDO_SELFTEST_RULE);
}

function plain(diagnostic) {
  const { start, end } = diagnostic.range;
  return { code: codeOf(diagnostic), message: diagnostic.message, severity: diagnostic.severity,
           range: { start: { line: start.line, character: start.character }, end: { line: end.line, character: end.character } } };
}

async function quickFixes(uri, range) {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, 'quickfix', 5)) || [];
    } catch (error) {
      if (attempt >= 4 || !String(error).includes('Canceled')) {
        throw error;
      }
      await sleep(200);
    }
  }
}

async function run(dir, result) {
  const write = () => fs.writeFileSync(path.join(dir, 'result.json'), JSON.stringify(result, null, 2));
  const step = (name) => { result.steps.push(name); write(); };
  const treido = vscode.extensions.getExtension('treido.treido-ls');
  await treido.activate();
  // The example app's file: screenshots between 'diagnosed' and the fix.
  result.example = await fixFile(env.TREIDO_SELFTEST_FILE, step, async () => {
    step('diagnosed');
    await waitFor('the driver', () => fs.existsSync(path.join(dir, 'go')));
  });
  // Then a line with emoji and CJK before the call: VS Code positions are UTF-16.
  if (env.TREIDO_SELFTEST_UNICODE_FILE) {
    result.unicode = await fixFile(env.TREIDO_SELFTEST_UNICODE_FILE, () => undefined, async () => undefined);
    step('unicode fixed');
  }
}

/** Open, wait for the diagnostic, apply the quick fix picked by title, save, wait for it to clear. */
async function fixFile(file, step, beforeFix) {
  const seen = {};
  const uri = vscode.Uri.file(file);
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  step('opened');
  const [diagnostic] = await waitFor('the diagnostic', () => ofRule(uri).length > 0 && ofRule(uri));
  seen.before = ofRule(uri).map(plain);
  editor.selection = new vscode.Selection(diagnostic.range.start, diagnostic.range.start);
  editor.revealRange(diagnostic.range, vscode.TextEditorRevealType.InCenter);
  await vscode.commands.executeCommand('notifications.clearAll'); // keep the screenshots clear
  await vscode.window.showTextDocument(document, { preview: false }); // the focus back in it
  await beforeFix();
  const actions = await quickFixes(uri, diagnostic.range);
  seen.offered = actions.map((action) => action.title);
  const fix = actions.find((action) => action.title === env.TREIDO_SELFTEST_TITLE);
  if (!fix || !fix.edit) {
    throw new Error(`quick fix not offered with an edit: ${env.TREIDO_SELFTEST_TITLE}`);
  }
  if (!(await vscode.workspace.applyEdit(fix.edit))) {
    throw new Error('applyEdit refused the quick fix');
  }
  step('fixed');
  if (!(await document.save())) {
    throw new Error('save failed');
  }
  step('saved');
  await waitFor('the diagnostic to clear', () => ofRule(uri).length === 0);
  seen.after = ofRule(uri).map(plain);
  step('cleared');
  return seen;
}

function activate() {
  if (env.TREIDO_SELFTEST_DIR) {
    void selfTest(env.TREIDO_SELFTEST_DIR); // not awaited: activation must not wait for the test
  }
}

async function selfTest(dir) {
  const result = { steps: [], vscode: vscode.version };
  try {
    await run(dir, result);
  } catch (error) {
    result.error = String(error && error.stack ? error.stack : error);
  }
  result.done = true;
  fs.writeFileSync(path.join(dir, 'result.json'), JSON.stringify(result, null, 2));
}

module.exports = { activate, deactivate() {} };
