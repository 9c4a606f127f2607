import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../../deploy/cluster.js';
import { startTestServer, type TestServer } from '@padmesh/server/testing';
import { clickTopBarControl, ensureWebBuild, launchBrowser, waitForStatus } from '../helpers/browser.js';

const SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
/** Every wait in these scenarios; a slow shared machine gets this long, never an endless loop. */
const WAIT_MS = 15_000;

const padOf = (page: Page) => new URL(page.url()).pathname.slice(1);
const ownerTokenOf = (page: Page, pad: string) => page.evaluate((p) => localStorage.getItem(`padmesh.owner.${p}`), pad);
const hasCacheDb = (page: Page, pad: string) =>
  page.evaluate(async (n) => (await indexedDB.databases()).some((d) => d.name === n), `padmesh:pad:${pad}`);
/** Polls until the pad's cache database is gone (an explicit loop: the check is async in the page). */
async function cacheGone(page: Page, pad: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (await hasCacheDb(page, pad)) {
    if (Date.now() > deadline) throw new Error(`the cached copy of ${pad} is still on the device after ${WAIT_MS} ms`);
    await page.waitForTimeout(200);
  }
}
/** Whether this device's "My pads" index holds `key` (read from IndexedDB, as the list does). */
const indexHas = (page: Page, key: string) =>
  page.evaluate(
    (k) =>
      new Promise<boolean>((resolve) => {
        const open = indexedDB.open('padmesh-index');
        open.onerror = () => resolve(false);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('visits')) return (db.close(), resolve(false));
          const get = db.transaction('visits').objectStore('visits').get(k);
          get.onsuccess = () => (db.close(), resolve(get.result !== undefined));
          get.onerror = () => (db.close(), resolve(false));
        };
      }),
    key,
  );
const rows = (page: Page) => page.getByTestId('my-pads-row');
const row = (page: Page, pad: string) => page.locator(`[data-testid="my-pads-row"][data-key="pad:${pad}"]`);

/**
 * "My pads" (SPEC MP1-MP6; MP7 is the server route): one browser context is "this device"; it visits pads, and the list
 * is read back from its IndexedDB index. A fixed port and data directory let the last scenario
 * stop the server and start it again.
 */
describe('My pads: the pads opened on this device (MP)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-mypads-'));
  let port = 0;
  let srv: TestServer | null = null;
  let browser: Browser;
  let device: BrowserContext;
  let page: Page;
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const up = async () => {
    srv = await startTestServer({ WEB_ROOT: ensureWebBuild(), DATA_DIR: dir, PORT: String(port) });
  };
  /** Pads this device visited, with what it typed: filled by MP1, used by the later scenarios. */
  const pads = { shopping: '', notes: '', foreign: '', empty: '' };

  before(async () => {
    port = await freePort();
    await up();
    browser = await launchBrowser();
    device = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await device.newPage();
  });
  after(async () => {
    await device?.close().catch(() => {});
    await browser?.close();
    await srv?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const typeInto = async (p: Page, text: string) => {
    await p.waitForSelector('.cm-content', { timeout: WAIT_MS });
    await waitForStatus(p, 'saved', WAIT_MS);
    await p.focus('.cm-content');
    await p.keyboard.type(text);
    await waitForStatus(p, 'saved', WAIT_MS);
  };
  const openDialog = async (p: Page) => {
    await clickTopBarControl(p, '[data-testid="my-pads-button"]');
    await p.getByTestId('my-pads-dialog').waitFor({ timeout: WAIT_MS });
    await p.locator('.mp-count:not(:text("Loading"))').waitFor({ timeout: WAIT_MS });
  };

  it('MP1 visiting pads fills the list: title (first line or chosen name), snippet, time, newest first; empty pads stay out', async () => {
    // A pad made by `/` (random id, claimed: this device owns it), titled by its first line.
    await page.goto(url('/'));
    await typeInto(page, 'Shopping list\nmilk, eggs and bread');
    pads.shopping = padOf(page);
    assert.ok(await ownerTokenOf(page, pads.shopping), 'the / pad was claimed');
    // A pad someone else made and owns: this device only visits it.
    const other = await (await browser.newContext()).newPage();
    await other.goto(url('/'));
    await typeInto(other, 'Their plan\nstep one: coffee');
    pads.foreign = padOf(other);
    await other.context().close();
    await page.goto(url(`/${pads.foreign}`));
    await page.waitForFunction(() => window.padmesh?.doc.getText('content').toString().includes('Their plan'), null, {
      timeout: WAIT_MS,
    });
    // A chosen name is its own title; edits after opening reach the snippet (throttled write).
    pads.notes = 'mp-team-notes';
    await page.goto(url(`/${pads.notes}`));
    await typeInto(page, 'Monday agenda\nbudget review');
    await page.keyboard.type(', then lunch');
    await waitForStatus(page, 'saved', WAIT_MS);
    // An empty pad is not listed.
    pads.empty = 'mp-left-empty';
    await page.goto(url(`/${pads.empty}`));
    await waitForStatus(page, 'saved', WAIT_MS);

    await openDialog(page);
    await page
      .waitForFunction(() => document.querySelectorAll('[data-testid="my-pads-row"]').length === 3, null, {
        timeout: WAIT_MS,
      })
      .catch(async (e) => {
        throw new Error(`the list shows: ${await page.getByTestId('my-pads-dialog').innerText()}`, { cause: e });
      });
    assert.deepEqual(
      await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-key'))),
      [`pad:${pads.notes}`, `pad:${pads.foreign}`, `pad:${pads.shopping}`],
      'newest first; the empty pad is not listed',
    );
    const notes = row(page, pads.notes);
    assert.equal(await notes.locator('.mp-title-text').textContent(), 'mp-team-notes');
    assert.equal(await notes.locator('.mp-snippet').textContent(), 'Monday agenda budget review, then lunch');
    assert.equal(await notes.locator('time').textContent(), 'just now');
    const shopping = row(page, pads.shopping);
    assert.equal(await shopping.locator('.mp-title-text').textContent(), 'Shopping list');
    assert.equal(await shopping.locator('.mp-snippet').textContent(), 'milk, eggs and bread');
    assert.match((await shopping.locator('.mp-meta').textContent())!, new RegExp(`/${pads.shopping} · opened`));
    assert.equal(await shopping.locator('a').getAttribute('href'), `/${pads.shopping}`);

    // Escape closes the dialog and gives focus back to the button.
    await page.keyboard.press('Escape');
    await page.getByTestId('my-pads-dialog').waitFor({ state: 'detached', timeout: WAIT_MS });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'my-pads-button');
  });

  it('MP2 search filters by title, id and text; the keyboard reaches the list, and a row opens its pad', async () => {
    await page.goto(url(`/${pads.empty}`));
    await waitForStatus(page, 'saved', WAIT_MS);
    // Keyboard only: Tab from the pad text reaches the button; the dialog opens with the search focused.
    await page.getByTestId('my-pads-button').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('my-pads-dialog').waitFor({ timeout: WAIT_MS });
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'my-pads-search', null, {
      timeout: WAIT_MS,
    });
    await rows(page).first().waitFor({ timeout: WAIT_MS });
    await page.keyboard.type('BUDGET');
    assert.deepEqual(await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-key'))), [
      `pad:${pads.notes}`,
    ]);
    await page.getByTestId('my-pads-search').fill('coffee');
    assert.equal(await rows(page).count(), 1);
    await page.getByTestId('my-pads-search').fill('no such words');
    assert.equal(await rows(page).count(), 0);
    await page.locator('.mp-empty:has-text("No pad matches")').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('my-pads-search').fill(pads.shopping.slice(0, 6));
    assert.equal(await rows(page).count(), 1, 'the id is searchable');
    await page.keyboard.press('Tab'); // to the row's link
    await page.keyboard.press('Enter');
    await page.waitForURL(url(`/${pads.shopping}`), { timeout: WAIT_MS });
    await page.waitForFunction(() => window.padmesh?.doc.getText('content').toString().startsWith('Shopping'), null, {
      timeout: WAIT_MS,
    });
  });

  it('MP3 owned pads are marked and have Delete; others have none; the open pad offers no Forget', async () => {
    await page.goto(url(`/${pads.notes}`));
    await waitForStatus(page, 'saved', WAIT_MS);
    await openDialog(page);
    await rows(page).first().waitFor({ timeout: WAIT_MS });
    const shopping = row(page, pads.shopping);
    assert.equal(await shopping.getAttribute('data-owned'), 'true');
    assert.equal(await shopping.locator('.mp-owned').textContent(), 'Owner');
    assert.equal(await shopping.getByTestId('my-pads-delete').count(), 1);
    const foreign = row(page, pads.foreign);
    assert.equal(await foreign.getAttribute('data-owned'), 'false');
    assert.equal(await foreign.locator('.mp-owned').count(), 0);
    assert.equal(
      await foreign.getByTestId('my-pads-delete').count(),
      0,
      'no delete for a pad this device does not own',
    );
    assert.equal(await foreign.getByTestId('my-pads-forget').count(), 1);
    // The pad open in this tab: its cache is in use, so no Forget; it is marked as the current page.
    const here = row(page, pads.notes);
    assert.equal(await here.getByTestId('my-pads-forget').count(), 0);
    assert.equal(await here.locator('a').getAttribute('aria-current'), 'page');
    await page.keyboard.press('Escape');
  });

  it('MP4 forget asks first, then removes the line and the cached copy; the pad stays on the server', async () => {
    await page.goto(url(`/${pads.empty}`));
    await waitForStatus(page, 'saved', WAIT_MS);
    assert.equal(await hasCacheDb(page, pads.foreign), true, 'the visited pad is cached on this device');
    await openDialog(page);
    const foreign = row(page, pads.foreign);
    await foreign.getByTestId('my-pads-forget').click();
    const confirm = foreign.getByTestId('my-pads-confirm');
    assert.match((await confirm.textContent())!, /Forget Their plan on this device\?/);
    // Escape cancels the confirmation, not the dialog, and nothing was forgotten.
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached', timeout: WAIT_MS });
    assert.equal(await page.getByTestId('my-pads-dialog').count(), 1);
    assert.equal(await hasCacheDb(page, pads.foreign), true);

    await foreign.getByTestId('my-pads-forget').click();
    await confirm.getByRole('button', { name: 'Forget' }).click();
    await foreign.waitFor({ state: 'detached', timeout: WAIT_MS });
    await cacheGone(page, pads.foreign);
    // Gone from the index too: a fresh page does not list it; the server still has the pad.
    await page.reload();
    await openDialog(page);
    await rows(page).first().waitFor({ timeout: WAIT_MS });
    assert.equal(await row(page, pads.foreign).count(), 0);
    const text = await fetch(url(`/api/pads/${pads.foreign}/text`));
    assert.equal(text.status, 200);
    assert.match(await text.text(), /Their plan/);
    await page.keyboard.press('Escape');
  });

  it('MP5 an owned pad is deleted from the list (after a confirmation): gone on the server and for others', async () => {
    // Another browser has the pad open while it is deleted.
    const other = await (await browser.newContext()).newPage();
    await other.goto(url(`/${pads.shopping}`));
    await waitForStatus(other, 'saved', WAIT_MS);

    await page.goto(url(`/${pads.empty}`));
    await waitForStatus(page, 'saved', WAIT_MS);
    await openDialog(page);
    const shopping = row(page, pads.shopping);
    await shopping.getByTestId('my-pads-delete').click();
    const confirm = shopping.getByTestId('my-pads-confirm');
    assert.match((await confirm.textContent())!, /Delete Shopping list for everyone\?/);
    await confirm.getByRole('button', { name: 'Delete for everyone' }).click();
    await shopping.waitFor({ state: 'detached', timeout: WAIT_MS });

    assert.equal((await fetch(url(`/api/pads/${pads.shopping}/text`))).status, 410, 'the server refuses it now');
    await other.waitForSelector('text=This pad was deleted', { timeout: WAIT_MS });
    assert.equal(await ownerTokenOf(page, pads.shopping), null, 'the owner token went with it');
    await cacheGone(page, pads.shopping);
    await other.context().close();
    await page.keyboard.press('Escape');
  });

  it('MP2 the dialog and /~pads fit desktop and phone (screenshots, light and dark)', async () => {
    // One more owned pad, so the pictures show the owner mark and Delete.
    await page.goto(url('/'));
    await typeInto(page, 'Trip to Lisbon\nflights, the hotel near Alfama, a tram day');
    mkdirSync(SHOTS, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, size] of [
        ['desktop', { width: 1280, height: 800 }],
        ['phone', { width: 390, height: 844 }],
      ] as const) {
        await page.setViewportSize(size);
        await page.goto(url(`/${pads.notes}`));
        await waitForStatus(page, 'saved', WAIT_MS);
        // The button did not push the top bar past the screen.
        assert.ok(
          (await page.evaluate(() => document.documentElement.scrollWidth)) <= size.width,
          `no overflow (${name})`,
        );
        await openDialog(page);
        await rows(page).first().waitFor({ timeout: WAIT_MS });
        await page.screenshot({ path: `${SHOTS}/my-pads-dialog-${name}-${scheme}.png` });
        // The dialog fits the screen: nothing wider than the viewport.
        const box = (await page.getByTestId('my-pads-dialog').boundingBox())!;
        assert.ok(box.x >= 0 && box.x + box.width <= size.width + 1, `the dialog fits ${name}: ${JSON.stringify(box)}`);
        await page.goto(url('/~pads'));
        await page.getByTestId('my-pads-page').waitFor({ timeout: WAIT_MS });
        await rows(page).first().waitFor({ timeout: WAIT_MS });
        await page.screenshot({ path: `${SHOTS}/my-pads-page-${name}-${scheme}.png` });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('MP6 works while the server is stopped: /~pads and the dialog list from the device; delete says it needs the server', async () => {
    // The service worker (app shell) controls pages loaded after it activates.
    await page.goto(url('/~pads'));
    const deadline = Date.now() + WAIT_MS;
    while (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) {
      if (Date.now() > deadline) throw new Error('the service worker never took control of the page');
      await page.waitForTimeout(300);
      await page.reload();
    }
    // The chunk of the dialog must be in the cache too: open it once online.
    await page.goto(url(`/${pads.notes}`));
    await waitForStatus(page, 'saved', WAIT_MS);

    await srv!.close();
    srv = null;
    await page.goto(url('/~pads'));
    await page.getByTestId('my-pads-page').waitFor({ timeout: WAIT_MS });
    await row(page, pads.notes).waitFor({ timeout: WAIT_MS });
    await page.getByTestId('my-pads-search').fill('lisbon');
    assert.equal(await rows(page).count(), 1);
    const trip = rows(page).first();
    assert.equal(await trip.locator('.mp-title-text').textContent(), 'Trip to Lisbon');
    await trip.getByTestId('my-pads-delete').click();
    await trip.getByRole('button', { name: 'Delete for everyone' }).click();
    await trip.locator('.error:has-text("needs the server")').waitFor({ timeout: WAIT_MS });
    assert.equal(await rows(page).count(), 1, 'nothing was removed');

    // From a pad opened offline (from its cache), the dialog lists the same pads.
    await page.goto(url(`/${pads.notes}`));
    await page.waitForFunction(() => window.padmesh?.doc.getText('content').toString().includes('Monday'), null, {
      timeout: WAIT_MS,
    });
    await openDialog(page);
    await row(page, pads.notes).waitFor({ timeout: WAIT_MS });
    assert.equal(await rows(page).count(), 2);
    await up();
  });
  it('MP1 a pad seen through a read-only link is listed by its first line, marked read-only, and opens the link', async () => {
    // This device claimed mp-team-notes when it was empty (MP1), so it can make a read-only link.
    const token = (await ownerTokenOf(page, pads.notes))!;
    const res = await fetch(url(`/api/pads/${pads.notes}/read-only-link`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-padmesh-owner': token },
      body: '{}',
    });
    assert.equal(res.status, 200);
    const { id } = (await res.json()) as { id: string };
    const viewer = await (await browser.newContext()).newPage();
    await viewer.goto(url(`/ro/${id}`));
    await viewer.waitForFunction(() => window.padmesh?.doc.getText('content').toString().includes('Monday'), null, {
      timeout: WAIT_MS,
    });
    // The record is written as soon as the text arrives; the list reads it when it opens.
    const deadline = Date.now() + WAIT_MS;
    while (!(await indexHas(viewer, `ro:${id}`))) {
      if (Date.now() > deadline) throw new Error('the read-only visit never reached the index');
      await viewer.waitForTimeout(100);
    }
    await openDialog(viewer);
    const line = viewer.locator(`[data-testid="my-pads-row"][data-key="ro:${id}"]`);
    await line.waitFor({ timeout: WAIT_MS });
    assert.equal(await line.locator('.mp-title-text').textContent(), 'Monday agenda');
    assert.match((await line.locator('.mp-title').textContent())!, /Read-only/);
    assert.equal(await line.locator('a').getAttribute('href'), `/ro/${id}`);
    assert.equal(await line.getByTestId('my-pads-delete').count(), 0, 'a viewer cannot delete');
    await viewer.context().close();
  });
});
