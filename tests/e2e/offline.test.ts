import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../../deploy/cluster.js';
import { startTestServer, type TestServer } from '../../packages/server/test/helpers/server.js';
import { launchBrowser, waitForStatus } from '../helpers/browser.js';

const WEB_DIST = resolve(import.meta.dirname, '../../packages/web/dist');
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');
const textOf = (page: Page) => page.evaluate(() => window.padmesh?.doc.getText('content').toString() ?? '');

/**
 * "The network is cut": Chromium's offline emulation does not close WebSockets that are
 * already open, so the tests also stop the server (same port and data directory come back
 * later). Together that is what a user sees: no network, no server.
 */
describe('Browser: offline editing and caching', () => {
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-offline-'));
  let port = 0;
  let srv: TestServer | null = null;
  let browser: Browser;
  const up = async () => {
    srv = await startTestServer({ WEB_ROOT: WEB_DIST, DATA_DIR: dir, PORT: String(port) });
  };
  const down = async () => {
    await srv?.close();
    srv = null;
  };
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const goOffline = async (ctxs: BrowserContext[]) => {
    for (const c of ctxs) await c.setOffline(true);
    await down();
  };
  const goOnline = async (ctxs: BrowserContext[]) => {
    await up();
    for (const c of ctxs) await c.setOffline(false);
  };

  before(async () => {
    if (!existsSync(`${WEB_DIST}/index.html`)) execFileSync('npx', ['vite', 'build'], { cwd: resolve(WEB_DIST, '..'), stdio: 'inherit' });
    mkdirSync(ARTIFACTS, { recursive: true });
    port = await freePort();
    await up();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await down();
    rmSync(dir, { recursive: true, force: true });
  });

  it('O1 two users edit while cut off; on reconnect both converge, nothing is lost, and only then "Saved"', { timeout: 90_000 }, async () => {
    const [ca, cb] = [await browser.newContext(), await browser.newContext()];
    const [a, b] = [await ca.newPage(), await cb.newPage()];
    await a.goto(url('/off-pad'));
    await b.goto(url('/off-pad'));
    await Promise.all([waitForStatus(a, 'saved'), waitForStatus(b, 'saved')]);
    await a.click('.cm-content');
    await a.keyboard.type('shared start\n');
    await b.waitForFunction(() => window.padmesh?.doc.getText('content').toString().includes('shared start'), null, { timeout: 10_000 });

    await goOffline([ca, cb]);
    await Promise.all([waitForStatus(a, 'offline'), waitForStatus(b, 'offline')]);
    await a.click('.cm-content');
    await a.keyboard.press('Control+End');
    await a.keyboard.type('A wrote this offline\n');
    await b.click('.cm-content');
    await b.keyboard.press('Control+Home');
    await b.keyboard.type('B wrote this offline\n');
    await a.waitForSelector('text=Offline — changes kept on this device');
    await a.screenshot({ path: `${ARTIFACTS}/offline-status.png` });

    await goOnline([ca, cb]);
    await Promise.all([waitForStatus(a, 'saved', 20_000), waitForStatus(b, 'saved', 20_000)]);
    await a.waitForFunction(() => window.padmesh?.doc.getText('content').toString().includes('B wrote this offline'), null, { timeout: 10_000 });
    const [ta, tb] = [await textOf(a), await textOf(b)];
    assert.equal(ta, tb);
    for (const s of ['shared start', 'A wrote this offline', 'B wrote this offline']) assert.ok(ta.includes(s), `missing ${s}`);
    assert.equal(await (await fetch(url('/off-pad.txt'))).text(), ta, 'the server stored the merge');
    await ca.close();
    await cb.close();
  });

  it('O2 a pad visited before opens with no network at all, from the cache', { timeout: 90_000 }, async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(url('/cached-pad'));
    await waitForStatus(page, 'saved');
    await page.click('.cm-content');
    await page.keyboard.type('kept on this device');
    await waitForStatus(page, 'saved');
    // The service worker controls pages loaded after it activates.
    const deadline = Date.now() + 15_000;
    while (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) {
      if (Date.now() > deadline) throw new Error('the service worker never took control of the page');
      await page.waitForTimeout(300);
      await page.reload();
      await waitForStatus(page, 'saved');
    }
    await goOffline([ctx]);
    const t0 = Date.now();
    await page.reload();
    await page.waitForFunction(() => window.padmesh?.doc.getText('content').toString() === 'kept on this device', null, { timeout: 10_000 });
    process.stdout.write(`# O2: offline reload showed the cached pad in ${Date.now() - t0} ms\n`);
    await goOnline([ctx]);
    await ctx.close();
  });

  it('O3 edits made offline survive closing the tab and reach the server when it is reopened online', { timeout: 90_000 }, async () => {
    const ctx = await browser.newContext();
    const first = await ctx.newPage();
    await first.goto(url('/closed-tab'));
    await waitForStatus(first, 'saved');
    await goOffline([ctx]);
    await waitForStatus(first, 'offline');
    await first.click('.cm-content');
    await first.keyboard.type('written offline, tab closed');
    await first.waitForFunction(() => window.padmesh?.doc.getText('content').toString() === 'written offline, tab closed');
    await new Promise((r) => setTimeout(r, 300)); // y-indexeddb writes asynchronously
    await first.close();
    await goOnline([ctx]);
    assert.equal(await (await fetch(url('/closed-tab.txt'))).text(), '', 'nothing reached the server yet');
    const again = await ctx.newPage();
    await again.goto(url('/closed-tab'));
    await waitForStatus(again, 'saved', 20_000);
    assert.equal(await (await fetch(url('/closed-tab.txt'))).text(), 'written offline, tab closed');
    await ctx.close();
  });
});
