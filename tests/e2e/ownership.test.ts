import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '@padmesh/server/testing';
import { ensureWebBuild, launchBrowser, waitForStatus } from '../helpers/browser.js';

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');
/** Every wait in these scenarios; a slow shared machine gets this long, never an endless loop. */
const WAIT_MS = 15_000;

const textOf = (page: Page) => page.evaluate(() => window.padmesh?.doc.getText('content').toString() ?? '');
const padOf = (page: Page) => new URL(page.url()).pathname.slice(1);
const ownerTokenOf = (page: Page, pad: string) => page.evaluate((p) => localStorage.getItem(`padmesh.owner.${p}`), pad);

/** Counts the WebSockets a page opens, to show that a final close is not retried. */
function countSockets(page: Page): () => number {
  let n = 0;
  page.on('websocket', () => n++);
  return () => n;
}

describe('Ownership in the browser: owner controls, live lock-out, revocation, deletion (OW-UI)', () => {
  let srv: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const context = async (options: Parameters<Browser['newContext']>[0] = {}) => {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 700 }, ...options });
    contexts.push(ctx);
    return ctx;
  };
  before(async () => {
    const webRoot = ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    srv = await startTestServer({ WEB_ROOT: webRoot });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const ctx of contexts) await ctx.close().catch(() => {});
    await browser?.close();
    await srv?.dispose();
  });

  /** Opens `/` in a fresh context: the redirect makes a pad and the app claims it before the editor opens. */
  async function newOwnedPad(text: string): Promise<{ page: Page; pad: string; ctx: BrowserContext }> {
    const ctx = await context({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/`);
    await page.waitForSelector('.cm-content', { timeout: WAIT_MS });
    const pad = padOf(page);
    assert.ok(await ownerTokenOf(page, pad), 'the pad made by the / redirect was claimed');
    await waitForStatus(page, 'saved', WAIT_MS);
    await page.focus('.cm-content');
    await page.keyboard.type(text);
    await waitForStatus(page, 'saved', WAIT_MS);
    return { page, pad, ctx };
  }

  async function openPad(path: string): Promise<Page> {
    const page = await (await context()).newPage();
    await page.goto(`${srv.url}${path}`);
    await page.waitForSelector('.cm-content', { timeout: WAIT_MS });
    await waitForStatus(page, 'saved', WAIT_MS);
    return page;
  }

  const openShare = async (page: Page) => {
    await page.click('.share > button');
    await page.waitForSelector('.share-menu', { timeout: WAIT_MS });
  };

  it('OW-UI1 the owner sets a password: the other tab is locked out at once, keeps what it types, unlocks, and the edit arrives', async () => {
    const { page: owner, pad } = await newOwnedPad('owner text. ');
    const other = await openPad(`/${pad}`);
    assert.match(await textOf(other), /owner text/);

    await openShare(owner);
    await owner.fill('input[aria-label="Set a password"]', 'hunter22');
    await owner.click('section[aria-label="Password"] button:has-text("Set")');
    await owner.waitForSelector('.note:has-text("Password set")', { timeout: WAIT_MS });

    // Locked out live: the prompt over the pad, the editor still there with its text.
    await other.waitForSelector('.lock-overlay .password-prompt', { timeout: WAIT_MS });
    assert.match(await textOf(other), /owner text/, 'the local doc is kept');
    await other.focus('.cm-content');
    await other.keyboard.press('Control+End');
    await other.keyboard.type('typed while locked');
    assert.match(await textOf(other), /typed while locked/);
    assert.notEqual(await other.evaluate(() => window.padmesh?.status), 'saved', 'not "Saved" while nothing was sent');
    await other.screenshot({ path: `${ARTIFACTS}/ownership-locked-out.png` });

    // The owner was not locked out (it unlocked with the password it set) and never got the locked edit.
    await waitForStatus(owner, 'saved', WAIT_MS);
    assert.equal(await owner.locator('.lock-overlay').count(), 0);
    assert.doesNotMatch(await textOf(owner), /typed while locked/);

    await other.fill('.lock-overlay input[type=password]', 'wrong one');
    await other.click('.lock-overlay button:has-text("Unlock")');
    await other.waitForSelector('.lock-overlay .error', { timeout: WAIT_MS });
    await other.fill('.lock-overlay input[type=password]', 'hunter22');
    await other.click('.lock-overlay button:has-text("Unlock")');
    await other.waitForSelector('.lock-overlay', { state: 'detached', timeout: WAIT_MS });
    await waitForStatus(other, 'saved', WAIT_MS);
    await owner.waitForFunction(
      () => window.padmesh?.doc.getText('content').toString().includes('typed while locked'),
      null,
      { timeout: WAIT_MS },
    );

    // The server stored it: read with the unlock cookie the other context got (and refused without it).
    const cookie = (await other.context().cookies()).find((c) => c.name === `pm_${pad}`);
    assert.ok(cookie, 'unlocking set the pad cookie');
    const stored = await fetch(`${srv.url}/api/pads/${pad}/text`, {
      headers: { cookie: `${cookie.name}=${cookie.value}` },
    });
    assert.equal(stored.status, 200);
    assert.match(await stored.text(), /owner text\. typed while locked/);
    assert.equal((await fetch(`${srv.url}/api/pads/${pad}/text`)).status, 403);
  });

  it('OW-UI2 the owner revokes the read-only link and the viewer is told so, with no retry loop', async () => {
    const { page: owner, pad } = await newOwnedPad('for viewers. ');
    await openShare(owner);
    await owner.click('button:has-text("Create read-only link")');
    const url = (await owner.locator('[data-testid="read-only-url"]').textContent({ timeout: WAIT_MS }))!;
    assert.match(url, /\/ro\/[A-Za-z0-9_-]+$/);
    await owner.screenshot({ path: `${ARTIFACTS}/ownership-share-menu.png` });

    const viewer = await (await context()).newPage();
    const sockets = countSockets(viewer);
    await viewer.goto(url);
    await viewer.waitForFunction(
      () => window.padmesh?.doc.getText('content').toString().includes('for viewers'),
      null,
      {
        timeout: WAIT_MS,
      },
    );
    assert.equal(await viewer.locator('.cm-content').getAttribute('contenteditable'), 'false');

    await owner.click('section[aria-label="Read-only link"] button:has-text("Revoke")');
    await viewer.waitForSelector('text=This read-only link was revoked', { timeout: WAIT_MS });
    const opened = sockets();
    await viewer.waitForTimeout(2_000);
    assert.equal(sockets(), opened, 'a revoked link is not retried');
    assert.equal(await viewer.locator('.cm-content').count(), 0);
    // And a fresh visit of the old link is refused too (the server can't tell it from a mistyped one).
    const again = await (await context()).newPage();
    await again.goto(url);
    await again.waitForSelector("text=This read-only link doesn't work", { timeout: WAIT_MS });
    // The owner can make a new one, different from the revoked one.
    await owner.click('button:has-text("Create read-only link")');
    await owner.waitForSelector('[data-testid="read-only-url"]', { timeout: WAIT_MS });
    assert.notEqual(await owner.locator('[data-testid="read-only-url"]').textContent(), url);
    assert.ok(pad);
  });

  it("OW-UI3 a stranger (no owner token) is not offered the owner's controls, and the API refuses them", async () => {
    const { pad } = await newOwnedPad('mine. ');
    const stranger = await openPad(`/${pad}`);
    await openShare(stranger);
    await stranger.waitForSelector(`text=Only the pad's owner can change access`, { timeout: WAIT_MS });
    for (const control of ['input[type=password]', 'text=Delete pad', 'text=Create read-only link', 'text=Owner link'])
      assert.equal(await stranger.locator('.share-menu').locator(control).count(), 0, `${control} is not offered`);

    // No helper functions inside evaluate: tsx names them with a helper the page doesn't have.
    const statuses = await stranger.evaluate(async (p) => {
      const out: number[] = [];
      for (const headers of [{}, { 'x-padmesh-owner': 'A'.repeat(43) }] as Record<string, string>[]) {
        const r = await fetch(`/api/pads/${p}/password`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ password: 'gotcha' }),
        });
        out.push(r.status);
      }
      return out;
    }, pad);
    assert.deepEqual(statuses, [403, 403], 'no header and a guessed token are both refused');
    const access = (await (await fetch(`${srv.url}/api/pads/${pad}/access`)).json()) as { protected: boolean };
    assert.equal(access.protected, false, 'the pad is still open');
    await waitForStatus(stranger, 'saved', WAIT_MS);
  });

  it('OW-UI4 delete shows "deleted" in every open tab, clears the cached copy, and a reload does not bring the pad back', async () => {
    const { page: owner, pad, ctx: ownerCtx } = await newOwnedPad('doomed text. ');
    const ownerTab2 = await ownerCtx.newPage();
    await ownerTab2.goto(`${srv.url}/${pad}`);
    await ownerTab2.waitForSelector('.cm-content', { timeout: WAIT_MS });
    const other = await openPad(`/${pad}`);
    const sockets = countSockets(other);
    // A browser that visited the pad and closed it: its IndexedDB copy outlives the tab.
    const closedCtx = await context();
    const visit = await closedCtx.newPage();
    await visit.goto(`${srv.url}/${pad}`);
    await visit.waitForSelector('.cm-content', { timeout: WAIT_MS });
    await waitForStatus(visit, 'saved', WAIT_MS);
    await visit.close();
    await other.focus('.cm-content');
    await other.keyboard.type('other writes too. ');
    await waitForStatus(other, 'saved', WAIT_MS);
    const dbName = `padmesh:pad:${pad}`;
    const hasDb = (page: Page) =>
      page.evaluate(async (n) => (await indexedDB.databases()).some((d) => d.name === n), dbName);
    assert.equal(await hasDb(other), true, 'the pad is cached in the other browser');

    await openShare(owner);
    await owner.click('button:has-text("Delete pad")');
    // The confirmation names the pad.
    await owner.click(`button:has-text("Delete “${pad}”")`);
    for (const page of [owner, ownerTab2, other])
      await page.waitForSelector('text=This pad was deleted', { timeout: WAIT_MS });
    await other.waitForFunction(async (n) => !(await indexedDB.databases()).some((d) => d.name === n), dbName, {
      timeout: WAIT_MS,
      polling: 200,
    });
    const opened = sockets();
    await other.waitForTimeout(2_000);
    assert.equal(sockets(), opened, 'a deleted pad is not retried');
    assert.equal(await ownerTokenOf(owner, pad), null, 'the owner token of a deleted pad is forgotten');

    await other.reload();
    await other.waitForSelector('text=This pad was deleted', { timeout: WAIT_MS });
    assert.equal(await other.locator('.cm-content').count(), 0);
    // The closed browser comes back: told at once, its cached copy deleted before it could be sent.
    const back = await closedCtx.newPage();
    const backSockets = countSockets(back);
    await back.goto(`${srv.url}/${pad}`);
    await back.waitForSelector('text=This pad was deleted', { timeout: WAIT_MS });
    await back.waitForFunction(async (n) => !(await indexedDB.databases()).some((d) => d.name === n), dbName, {
      timeout: WAIT_MS,
      polling: 200,
    });
    assert.equal(backSockets(), 0, 'no socket was opened for a deleted pad');
    const text = await fetch(`${srv.url}/api/pads/${pad}/text`);
    assert.ok(text.status !== 200 || (await text.text()) === '', `the pad stays gone (status ${text.status})`);
  });

  it('OW-UI5 a history URL whose id is not an id (a path to another pad) is refused with a plain "No such version"', async () => {
    const { page: victim, pad: victimPad } = await newOwnedPad('victim secret. ');
    const saved = await victim.evaluate(async (p) => {
      const r = await fetch(`/api/pads/${p}/versions`, { method: 'POST', body: '{}' });
      return ((await r.json()) as { version: { id: string } }).version.id;
    }, victimPad);
    assert.match(saved, /^[0-9a-f]{16}$/);

    const page = await (await context()).newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    for (const id of [`..%2F..%2F${victimPad}%2Fversions%2F${saved}`, '0123456789abcdef', '%E0%A4%A']) {
      await page.goto(`${srv.url}/attacker-pad/history/${id}`);
      await page.waitForSelector('text=No such version', { timeout: WAIT_MS });
      assert.doesNotMatch((await page.locator('.version-view').textContent()) ?? '', /victim|16 hex|request failed/);
    }
    const api = requests.filter((p) => p.startsWith('/api/'));
    assert.ok(!api.some((p) => p.includes(victimPad)), `no API call reached the other pad: ${api.join(' ')}`);
    assert.ok(
      !api.some((p) => p.includes('/versions/') && !p.endsWith('/versions/0123456789abcdef')),
      'only the well-formed (unknown) id was asked for',
    );
    await page.click('button:has-text("Back to pad")');
    await page.waitForURL(`${srv.url}/attacker-pad`, { timeout: WAIT_MS });
    await page.waitForSelector('.cm-content', { timeout: WAIT_MS });
  });

  it('OW-UI6 the owner link installs ownership on another device and leaves the address bar at once', async () => {
    const { page: owner, pad } = await newOwnedPad('portable. ');
    await openShare(owner);
    await owner.waitForSelector('text=Whoever has this link controls the pad', { timeout: WAIT_MS });
    await owner.click('button:has-text("Copy owner link")');
    await owner.waitForSelector('.note:has-text("Owner link copied")', { timeout: WAIT_MS });
    const link = await owner.evaluate(() => navigator.clipboard.readText());
    assert.match(link, new RegExp(`/${pad}#owner=[A-Za-z0-9_-]+$`));

    const device = await (await context()).newPage();
    await device.goto(link);
    await device.waitForSelector('.cm-content', { timeout: WAIT_MS });
    assert.equal(new URL(device.url()).hash, '', 'the token left the address bar');
    assert.equal(await ownerTokenOf(device, pad), link.split('#owner=')[1]);
    await openShare(device);
    await device.waitForSelector('section[aria-label="Password"]', { timeout: WAIT_MS });
  });

  it('OW-UI7 the owner sets an expiry from the menu (a preset, a date, then never) and the server keeps it', async () => {
    const { page: owner, pad } = await newOwnedPad('short-lived. ');
    const token = (await ownerTokenOf(owner, pad))!;
    const expiresAt = async () =>
      (
        (await (
          await fetch(`${srv.url}/api/pads/${pad}/access`, { headers: { 'x-padmesh-owner': token } })
        ).json()) as {
          expiresAt: number | null;
        }
      ).expiresAt;
    await openShare(owner);
    const section = owner.locator('section[aria-label="Expiry"]');

    const before = Date.now();
    await section.locator('select').selectOption('7');
    await section.locator('button:has-text("Save")').click();
    await owner.waitForSelector('.note:has-text("The pad expires")', { timeout: WAIT_MS });
    const week = 7 * 24 * 3600 * 1000;
    const at = await expiresAt();
    assert.ok(at !== null && at >= before + week && at <= Date.now() + week, `expires in 7 days (${at})`);
    await owner.waitForSelector('[data-testid="expiry-now"]:has-text("Deleted for everyone on")', { timeout: WAIT_MS });

    await section.locator('select').selectOption('date');
    await section.locator('input[type=date]').fill('2031-03-04');
    await section.locator('button:has-text("Save")').click();
    await owner.waitForFunction(() => document.querySelector('.note')?.textContent?.includes('2031'), null, {
      timeout: WAIT_MS,
    });
    assert.equal(new Date((await expiresAt())!).getFullYear(), 2031);

    await section.locator('select').selectOption('never');
    await section.locator('button:has-text("Save")').click();
    await owner.waitForSelector('.note:has-text("no longer expires")', { timeout: WAIT_MS });
    assert.equal(await expiresAt(), null);
  });
});
