import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '@padmesh/server/testing';
import { launchBrowser, waitForStatus } from '../helpers/browser.js';

const WEB_DIST = resolve(import.meta.dirname, '../../packages/web/dist');
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');

describe('Browser: history panel', () => {
  let srv: TestServer;
  let browser: Browser;
  before(async () => {
    if (!existsSync(`${WEB_DIST}/index.html`))
      execFileSync('npx', ['vite', 'build'], { cwd: resolve(WEB_DIST, '..'), stdio: 'inherit' });
    mkdirSync(ARTIFACTS, { recursive: true });
    srv = await startTestServer({ WEB_ROOT: WEB_DIST, VERSION_IDLE_MS: '600000' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await srv?.dispose();
  });

  it('V6 browse a version, see its diff against the current text, restore it live, and move with back/forward', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 640 } })).newPage();
    const other = await (await browser.newContext()).newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${srv.url}/hist-pad`);
    await other.goto(`${srv.url}/hist-pad`);
    await page.waitForSelector('.cm-content');
    await page.click('.cm-content');
    await page.keyboard.type('Line one\nLine two\nLine three\n');
    await waitForStatus(page, 'saved');
    await page.click('text=History');
    await page.fill('input[aria-label="Version name"]', 'First draft');
    await page.click('text=Save version');
    await page.waitForSelector('.version-title:has-text("First draft")');

    await page.click('.cm-content');
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Shift+End');
    await page.keyboard.type('Line ONE, rewritten');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('Line four\n');
    await waitForStatus(page, 'saved');

    await page.click('.version-title:has-text("First draft")');
    await page.waitForURL(/\/hist-pad\/history\/[0-9a-f]{16}$/);
    await page.waitForSelector('.line-removed:has-text("Line one")');
    await page.waitForSelector('.line-added:has-text("Line ONE, rewritten")');
    await page.waitForSelector('.line-added:has-text("Line four")');
    await page.screenshot({ path: `${ARTIFACTS}/history-diff.png` });

    await page.click('text=By author');
    await page.waitForSelector('.by-author');
    await page.goBack();
    await page.waitForURL(/\/hist-pad$/);
    await page.waitForSelector('.cm-content');
    await page.goForward();
    await page.waitForURL(/\/history\//);
    await page.waitForSelector('text=Restore this version');

    await page.click('text=Restore this version');
    await page.waitForURL(/\/hist-pad$/);
    await other.waitForFunction(
      () => window.padmesh?.doc.getText('content').toString() === 'Line one\nLine two\nLine three\n',
      null,
      { timeout: 10_000 },
    );
    await page.waitForSelector('.version-title:has-text("Restored First draft")');
    await page.screenshot({ path: `${ARTIFACTS}/history-restored.png` });
    const list = (await (await fetch(`${srv.url}/api/pads/hist-pad/versions`)).json()) as {
      versions: { name: string | null }[];
    };
    assert.ok(
      list.versions.some((v) => v.name === 'First draft'),
      'the restored version is kept',
    );
  });
});
