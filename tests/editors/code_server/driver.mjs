// Browser side of the opt-in VS Code test: opens code-server in Debian's headless Chromium (the
// extension host only starts when a workbench connects), screenshots the squiggle and the
// quick-fix menu once the self-test extension reports the diagnostic, then lets it apply the fix.
// Usage: node driver.mjs URL SELFTEST_DIR ARTIFACTS_DIR (playwright-core resolved via NODE_PATH).
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const [url, selftestDir, artifacts] = process.argv.slice(2);
const TIMEOUT_MS = 90000;

function result() {
  const file = join(selftestDir, 'result.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { steps: [] };
}

async function until(what, condition) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const current = result();
    if (current.error) {
      throw new Error(`self-test failed: ${current.error}`);
    }
    if (condition(current)) {
      return current;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; steps: ${current.steps}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--disable-dev-shm-usage'],
});
const report = { menu: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(TIMEOUT_MS);
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench');
  await until('the diagnostic', (r) => r.steps.includes('diagnosed'));
  const squiggle = page.locator('.monaco-editor .squiggly-warning').first();
  await squiggle.waitFor();
  // The squiggle with its hover (the diagnostic's message), as a user pointing at it sees it.
  // The decoration lies under the text layer: point at its box rather than at the element.
  const box = await squiggle.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.locator('.monaco-hover').filter({ hasText: process.env.TREIDO_SELFTEST_RULE }).first().waitFor();
  await page.screenshot({ path: join(artifacts, 'squiggle.png') });
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');
  // The quick-fix menu, opened the way a user does: Ctrl+. with the cursor on the diagnostic
  // (the self-test put it there, and the editor has the focus).
  await page.keyboard.press('Control+.');
  const menu = page.locator('.action-widget');
  await menu.waitFor();
  await page.locator('.action-widget .monaco-list-row').first().waitFor();
  report.menu = await page.locator('.action-widget .monaco-list-row').allInnerTexts();
  await page.screenshot({ path: join(artifacts, 'quick-fix-menu.png') });
  await page.keyboard.press('Escape');
  writeFileSync(join(selftestDir, 'go'), '');
  await until('the self-test to finish', (r) => r.done);
  await page.screenshot({ path: join(artifacts, 'fixed.png') });
} catch (error) {
  report.error = String(error && error.stack ? error.stack : error);
} finally {
  writeFileSync(join(selftestDir, 'driver.json'), JSON.stringify(report, null, 2));
  await browser.close();
}
process.exit(report.error ? 1 : 0);
