import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as Y from 'yjs';
import { freePort } from '../../deploy/cluster.js';
import { startTestServer, type TestServer } from '@padmesh/server/testing';
import { clickTopBarControl, launchBrowser, waitForStatus } from '../helpers/browser.js';

const WEB_DIST = resolve(import.meta.dirname, '../../packages/web/dist');
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');
const textOf = (page: Page) => page.evaluate(() => window.padmesh?.doc.getText('content').toString() ?? '');

/** The pad text held in this page's IndexedDB cache (read from the database itself, not the live doc). */
async function cachedText(page: Page, db: string): Promise<{ text: string; unsaved: unknown }> {
  const raw = await page.evaluate(
    (name) =>
      new Promise<{ updates: number[][]; unsaved: unknown }>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(new Error(String(open.error)));
        open.onsuccess = () => {
          const tx = open.result.transaction(['updates', 'custom'], 'readonly');
          const all = tx.objectStore('updates').getAll();
          const flag = tx.objectStore('custom').get('unsaved');
          tx.oncomplete = () => {
            open.result.close();
            resolve({ updates: (all.result as Uint8Array[]).map((u) => [...u]), unsaved: flag.result });
          };
        };
      }),
    db,
  );
  const doc = new Y.Doc();
  for (const u of raw.updates) Y.applyUpdate(doc, new Uint8Array(u));
  return { text: doc.getText('content').toString(), unsaved: raw.unsaved };
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * How "the network is cut" is simulated. Chromium's offline emulation
 * (`context.setOffline(true)`) fires the page's `offline` event and blocks new connections,
 * but leaves already-open WebSockets open and silently undelivered; the provider therefore
 * drops its socket on `offline` (and on a stalled acknowledgement, STALL_MS), which O1
 * relies on: setOffline alone. O2 and O3 also stop the server (same port and data
 * directory come back later), so nothing can reach it whatever the emulation lets through.
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
  const serverText = async (pad: string) => (await fetch(url(`/${pad}.txt`))).text();
  const goOffline = async (ctxs: BrowserContext[]) => {
    for (const c of ctxs) await c.setOffline(true);
    await down();
  };
  const goOnline = async (ctxs: BrowserContext[]) => {
    await up();
    for (const c of ctxs) await c.setOffline(false);
  };

  before(async () => {
    if (!existsSync(`${WEB_DIST}/index.html`))
      execFileSync('npx', ['vite', 'build'], { cwd: resolve(WEB_DIST, '..'), stdio: 'inherit' });
    mkdirSync(ARTIFACTS, { recursive: true });
    port = await freePort();
    await up();
    browser = await launchBrowser();
  });
  // A failed scenario may leave the server stopped; the next one starts online.
  beforeEach(async () => {
    if (!srv) await up();
  });
  after(async () => {
    await browser?.close();
    await down();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'OF1 two users edit while cut off; on reconnect both converge, nothing is lost, and only then "Saved"',
    { timeout: 90_000 },
    async () => {
      const [ca, cb] = [await browser.newContext(), await browser.newContext()];
      const [a, b] = [await ca.newPage(), await cb.newPage()];
      await a.goto(url('/off-pad'));
      await b.goto(url('/off-pad'));
      await Promise.all([waitForStatus(a, 'saved'), waitForStatus(b, 'saved')]);
      await a.click('.cm-content');
      await a.keyboard.type('shared start\n');
      await b.waitForFunction(() => window.padmesh?.doc.getText('content').toString().includes('shared start'), null, {
        timeout: 10_000,
      });
      await Promise.all([waitForStatus(a, 'saved'), waitForStatus(b, 'saved')]);

      // Network cut for both (emulation only; the server keeps running).
      for (const c of [ca, cb]) await c.setOffline(true);
      await Promise.all([waitForStatus(a, 'offline'), waitForStatus(b, 'offline')]);
      await a.click('.cm-content');
      await a.keyboard.press('Control+End');
      await a.keyboard.type('A wrote this offline\n');
      await b.click('.cm-content');
      await b.keyboard.press('Control+Home');
      await b.keyboard.type('B wrote this offline\n');
      await a.waitForSelector('.status-text:text-is("You’re offline — changes kept on this device")', {
        timeout: 10_000,
      });
      await b.waitForSelector('.status-text:text-is("You’re offline — changes kept on this device")', {
        timeout: 10_000,
      });
      await a.screenshot({ path: `${ARTIFACTS}/offline-status.png` });
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await serverText('off-pad'), 'shared start\n', 'nothing typed offline reached the server');
      assert.ok(!(await textOf(b)).includes('A wrote this offline'), "B did not receive A's offline edit");

      for (const c of [ca, cb]) await c.setOffline(false);
      // "Saved" means durably stored: the moment A says it, the server must hold A's offline edit.
      await waitForStatus(a, 'saved', 20_000);
      assert.ok(
        (await serverText('off-pad')).includes('A wrote this offline'),
        'A said "Saved" before the server had its offline edit',
      );
      await waitForStatus(b, 'saved', 20_000);
      assert.ok(
        (await serverText('off-pad')).includes('B wrote this offline'),
        'B said "Saved" before the server had its offline edit',
      );
      for (const p of [a, b]) {
        await p.waitForFunction(
          () => ['A wrote', 'B wrote'].every((s) => window.padmesh?.doc.getText('content').toString().includes(s)),
          null,
          { timeout: 10_000 },
        );
      }
      const [ta, tb] = [await textOf(a), await textOf(b)];
      assert.equal(ta, tb);
      for (const s of ['shared start', 'A wrote this offline', 'B wrote this offline'])
        assert.ok(ta.includes(s), `missing ${s}`);
      assert.equal(await serverText('off-pad'), ta, 'the server stored the merge');
      assert.equal(await a.locator('.status-text').textContent(), 'Saved');
      await ca.close();
      await cb.close();
    },
  );

  it('OF2 a pad visited before opens with no network at all, from the cache', { timeout: 90_000 }, async () => {
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
    await page.waitForFunction(
      () => window.padmesh?.doc.getText('content').toString() === 'kept on this device',
      null,
      { timeout: 10_000 },
    );
    process.stdout.write(`# O2: offline reload showed the cached pad in ${Date.now() - t0} ms\n`);
    // The code-split history panel was precached with the shell: it opens (its list needs the network).
    await clickTopBarControl(page, '[data-testid="history-button"]');
    await page.waitForSelector('aside.history-panel', { timeout: 10_000 });
    assert.equal(await page.locator('.cm-content').count(), 1, 'the editor stays while the panel loads');
    await goOnline([ctx]);
    await ctx.close();
  });

  it(
    'OF3 edits made offline survive closing the tab and reach the server when it is reopened online',
    { timeout: 90_000 },
    async () => {
      const ctx = await browser.newContext();
      const first = await ctx.newPage();
      await first.goto(url('/closed-tab'));
      await waitForStatus(first, 'saved');
      // The visit installed the app shell (reopening offline below needs it).
      await first.waitForFunction(() => navigator.serviceWorker.ready.then(() => true), null, { timeout: 10_000 });
      await goOffline([ctx]);
      await waitForStatus(first, 'offline');
      await first.click('.cm-content');
      await first.keyboard.type('written offline, tab closed');
      // y-indexeddb writes asynchronously: close only once the database itself holds the edit.
      await until('IndexedDB holds the offline edit, flagged unsaved', async () => {
        const c = await cachedText(first, 'padmesh:pad:closed-tab');
        return c.text === 'written offline, tab closed' && c.unsaved === 1;
      });
      await first.close();

      // Reopened while still offline: the cached text, and the status knows it is not on the server.
      const offlineAgain = await ctx.newPage();
      await offlineAgain.goto(url('/closed-tab'));
      await offlineAgain.waitForSelector('.status-text:text-is("You’re offline — changes kept on this device")', {
        timeout: 10_000,
      });
      assert.equal(await textOf(offlineAgain), 'written offline, tab closed');
      await offlineAgain.close();

      await goOnline([ctx]);
      assert.equal(await serverText('closed-tab'), '', 'nothing reached the server yet');
      const again = await ctx.newPage();
      await again.goto(url('/closed-tab'));
      await waitForStatus(again, 'saved', 20_000);
      assert.equal(await serverText('closed-tab'), 'written offline, tab closed');
      await until(
        'the cache is marked saved',
        async () => (await cachedText(again, 'padmesh:pad:closed-tab')).unsaved === 0,
      );
      await ctx.close();
    },
  );

  it('OF4 the app shell is small, content-hashed, compressed and cached for a year; the rest is revalidated', async () => {
    const html = await fetch(url('/some-pad'), { headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(html.status, 200);
    assert.equal(html.headers.get('cache-control'), 'no-cache');
    const page = await html.text();
    assert.ok(page.length < 2048, `the pad HTML is small (${page.length} bytes)`);
    assert.doesNotMatch(page, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script (CSP script-src self)');
    const assets = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    assert.ok(
      assets.some((p) => p.endsWith('.js')) && assets.some((p) => p.endsWith('.css')),
      `script and style are hashed assets: ${assets.join(', ')}`,
    );
    for (const path of assets) {
      assert.match(path, /-[A-Za-z0-9_-]{8}\.(js|css)$/, `${path} has a content hash`);
      for (const encoding of ['br', 'gzip']) {
        // Node's fetch decodes the body; the raw size is compared through content-length.
        const res = await fetch(url(path), { headers: { 'accept-encoding': encoding } });
        assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        assert.equal(res.headers.get('vary'), 'accept-encoding');
        const decoded = Buffer.from(await res.arrayBuffer()).length;
        // Code splitting leaves a few scripts under 2 kB (the bundler's runtime and preload helper,
        // shared helpers) that compression barely shrinks; the server may send those as they are.
        if (decoded < 2048) continue;
        assert.equal(res.headers.get('content-encoding'), encoding, `${path} served with ${encoding}`);
        assert.ok(
          Number(res.headers.get('content-length')) < decoded / 2,
          `${path} compresses to under half with ${encoding}`,
        );
      }
    }
    const sw = await fetch(url('/sw.js'));
    assert.equal(sw.status, 200);
    assert.match(sw.headers.get('content-type') ?? '', /javascript/);
    assert.equal(sw.headers.get('cache-control'), 'no-cache', 'a new service worker is picked up on the next visit');
  });
});
