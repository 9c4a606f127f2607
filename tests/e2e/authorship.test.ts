import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { MemoryBus, MemoryHub, MemoryStorage } from '@padmesh/server';
import { startTestServer, type TestServer } from '@padmesh/server/testing';
import { clickTopBarControl, ensureWebBuild, launchBrowser, waitForStatus } from '../helpers/browser.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const PAD = 'au-colours';
const ANN = { name: 'Ann', color: '#d1495b', colorLight: '#d1495b33' };
const BOB = { name: 'Bob', color: '#1f6feb', colorLight: '#1f6feb33' };
const TOGGLE = '[data-testid="authorship-toggle"]';

/** A device (browser profile) whose identity is `who`, as the app keeps it in localStorage. */
async function device(browser: Browser, who: typeof ANN | null, opts: Parameters<Browser['newContext']>[0] = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...opts });
  if (who) await ctx.addInitScript((id) => localStorage.setItem('padmesh.identity', JSON.stringify(id)), who);
  return ctx;
}

async function open(ctx: BrowserContext, base: string, pad = PAD): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${base}/${pad}`);
  await page.waitForSelector('.cm-content');
  await waitForStatus(page, 'saved');
  return page;
}

/** The text painted in `color`, joined in document order (marks split at line and viewport edges). */
const paintedIn = (page: Page, color: string) =>
  page.$$eval(`.cm-author-${color.slice(1)}`, (els) => els.map((e) => e.textContent).join(''));

async function waitPainted(page: Page, color: string, text: string, where = ''): Promise<void> {
  try {
    await page.waitForFunction(
      ([cls, t]) =>
        Array.from(document.querySelectorAll(cls!))
          .map((e) => e.textContent)
          .join('')
          .includes(t!),
      [`.cm-author-${color.slice(1)}`, text],
      { timeout: 10_000 },
    );
  } catch {
    const seen = await page.evaluate(() => ({
      text: window.padmesh?.doc.getText('content').toString(),
      marks: Array.from(document.querySelectorAll('.cm-author')).map((e) => `${e.className}: ${e.textContent}`),
      pressed: document.querySelector('[data-testid="authorship-toggle"]')?.getAttribute('aria-pressed'),
      users: [
        ...(
          window.padmesh as unknown as { provider: { awareness: { getStates(): Map<number, { user?: unknown }> } } }
        ).provider.awareness.getStates(),
      ].map(([id, st]) => [id, st.user]),
    }));
    throw new Error(`"${text}" never painted in ${color} on ${page.url()} ${where}: ${JSON.stringify(seen)}`);
  }
}

async function typeAtEnd(page: Page, text: string): Promise<void> {
  await page.click('.cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
  await waitForStatus(page, 'saved');
}

describe('Browser: live authorship colours', () => {
  let srv: TestServer;
  let browser: Browser;
  before(async () => {
    const webRoot = ensureWebBuild();
    mkdirSync(SCREENSHOTS, { recursive: true });
    // No version is recorded while this runs: the authors the colours need are stored on their own.
    srv = await startTestServer({ WEB_ROOT: webRoot, VERSION_IDLE_MS: '600000' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await srv?.dispose();
  });

  it("AU1 off by default; switched on, a third tab shows each person's text in their colour; the switch is per device and remembered; a reloaded author keeps one colour", async () => {
    const ann = await open(await device(browser, ANN), srv.url);
    const bob = await open(await device(browser, BOB), srv.url);
    await typeAtEnd(ann, 'Ann wrote this line.\n');
    await typeAtEnd(bob, 'Bob added this one.\n');

    const viewerDevice = await device(browser, null);
    // The colours are classes from a constructed stylesheet, never a style attribute (PR7).
    await viewerDevice.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective}: ${e.sample}`));
    });
    const viewer = await open(viewerDevice, srv.url);
    await viewer.waitForFunction(() => window.padmesh?.doc.getText('content').toString().includes('Bob added'));
    assert.equal(await viewer.getAttribute(TOGGLE, 'aria-pressed'), 'false', 'off by default');
    assert.equal(await viewer.locator('.cm-author').count(), 0, 'no colours while off');

    await viewer.click(TOGGLE);
    assert.equal(await viewer.getAttribute(TOGGLE, 'aria-pressed'), 'true');
    await waitPainted(viewer, ANN.color, 'Ann wrote this line.');
    await waitPainted(viewer, BOB.color, 'Bob added this one.');
    assert.ok(!(await paintedIn(viewer, ANN.color)).includes('Bob'), "Bob's text is not in Ann's colour");
    const bg = await viewer.$eval(`.cm-author-${ANN.color.slice(1)}`, (e) => getComputedStyle(e).backgroundColor);
    assert.match(bg, /^rgba\(209, 73, 91, 0\.2\d*\)$/, `a translucent tint of Ann's colour (${bg})`);
    assert.equal(
      await viewer.$eval(`.cm-author-${ANN.color.slice(1)}`, (e) => e.getAttribute('title')),
      'Written by Ann',
    );

    assert.deepEqual(
      await viewer.evaluate(() => ({
        csp: (window as unknown as { cspViolations: string[] }).cspViolations,
        styled: document.querySelectorAll('.cm-author[style]').length,
      })),
      { csp: [], styled: 0 },
    );

    // Ann reloads: a new Yjs client id, the same person and colour, for her old and new text.
    const before = await ann.evaluate(() => (window.padmesh!.doc as unknown as { clientID: number }).clientID);
    await ann.reload();
    await ann.waitForSelector('.cm-content');
    await waitForStatus(ann, 'saved');
    const afterReload = await ann.evaluate(() => (window.padmesh!.doc as unknown as { clientID: number }).clientID);
    assert.notEqual(afterReload, before, 'a reload is a new client id');
    await typeAtEnd(ann, 'Ann is back.\n');
    await waitPainted(viewer, ANN.color, 'Ann is back.');
    await waitPainted(viewer, ANN.color, 'Ann wrote this line.');

    // Remembered on the device: another tab of it starts with the colours on.
    const second = await open(viewerDevice, srv.url);
    assert.equal(await second.getAttribute(TOGGLE, 'aria-pressed'), 'true', 'remembered on this device');
    await waitPainted(second, BOB.color, 'Bob added this one.');
    // A tab opened now knows Ann's first session only from the server's author map (she left
    // it before this tab existed), stored a second after her first edit.
    await waitPainted(second, ANN.color, 'Ann wrote this line.');
    await waitPainted(second, ANN.color, 'Ann is back.');

    // Another device is unaffected; switching off here takes the colours away.
    const stranger = await open(await device(browser, null), srv.url);
    assert.equal(await stranger.getAttribute(TOGGLE, 'aria-pressed'), 'false', 'per device');
    await second.close();
    await viewer.focus(TOGGLE);
    await viewer.keyboard.press('Enter');
    assert.equal(await viewer.getAttribute(TOGGLE, 'aria-pressed'), 'false', 'the switch answers the keyboard');
    await viewer.waitForFunction(() => document.querySelectorAll('.cm-author').length === 0);
    await viewer.click(TOGGLE);
    await waitPainted(viewer, BOB.color, 'Bob added this one.');

    for (const [name, size] of [
      ['desktop', { width: 1280, height: 800 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const shot = await open(await device(browser, null, { viewport: size, colorScheme: scheme }), srv.url);
        await clickTopBarControl(shot, TOGGLE);
        await waitPainted(shot, ANN.color, 'Ann is back.');
        await shot.screenshot({ path: `${SCREENSHOTS}/authorship-${name}-${scheme}.png` });
        await shot.context().close();
      }
    }
  });

  it('AU1 AU3 across two nodes: a viewer on the other node sees the writer in her colour live, and from storage after she left', async () => {
    // Two real nodes in this process sharing storage and a bus, as a cluster shares
    // PostgreSQL and Redis. Each may close only itself, not the storage they share.
    const storage = new MemoryStorage();
    const shared = new Proxy(storage, {
      get: (t, k) => (k === 'close' ? async () => {} : Reflect.get(t, k, t)),
    });
    const hub = new MemoryHub();
    const env = { WEB_ROOT: ensureWebBuild(), VERSION_IDLE_MS: '600000', SERVER_SECRET: 'x'.repeat(32) };
    const [nodeA, nodeB] = [
      await startTestServer({ ...env, NODE_ID: 'a' }, { storage: shared, bus: new MemoryBus(hub) }),
      await startTestServer({ ...env, NODE_ID: 'b' }, { storage: shared, bus: new MemoryBus(hub) }),
    ];
    try {
      const pad = 'au-two-nodes';
      const onB = await device(browser, null);
      await onB.addInitScript(() => localStorage.setItem('padmesh.authorship', 'on'));
      // The viewer first: a node that opens the pad later hears of people already on other
      // nodes at their next presence renewal (up to 15 s), which is not what this tests.
      const live = await open(onB, nodeB.url, pad);
      const annDevice = await device(browser, ANN);
      const ann = await open(annDevice, nodeA.url, pad);
      await typeAtEnd(ann, 'Typed on node A.\n');
      await waitPainted(live, ANN.color, 'Typed on node A.', 'live on B');

      // Ann leaves; node A has stored who her client id was.
      await annDevice.close();
      const authors = async () =>
        ((await (await fetch(`${nodeB.url}/api/pads/${pad}/authors`)).json()) as { authors: { name: string }[] })
          .authors;
      const deadline = Date.now() + 10_000;
      while (!(await authors()).some((a) => a.name === 'Ann')) {
        assert.ok(Date.now() < deadline, 'node B never served Ann from storage');
        await new Promise((r) => setTimeout(r, 200));
      }
      // A tab opened on node B now never saw Ann online: her colour comes from the stored map.
      const later = await open(onB, nodeB.url, pad);
      await waitPainted(later, ANN.color, 'Typed on node A.', 'later on B');
    } finally {
      await nodeB.dispose();
      await nodeA.dispose();
      await storage.close();
    }
  });
});
