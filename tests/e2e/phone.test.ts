import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '@padmesh/server/testing';
import { ensureWebBuild, launchBrowser, waitForStatus } from '../helpers/browser.js';
import { barFit, fits } from '../helpers/layout.js';
import { joinPeople } from '../helpers/people.js';

const SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const WAIT_MS = 15_000;
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1280, height: 800 } };

const focusedTestId = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

describe('The phone: a top bar that fits, +N, the status, the lock, the History sheet (PH, KB)', () => {
  let srv: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const open = async (path: string, options: Parameters<Browser['newContext']>[0] = PHONE) => {
    const ctx = await browser.newContext(options);
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${srv.url}${path}`);
    await page.waitForSelector('.cm-content', { timeout: WAIT_MS });
    await waitForStatus(page, 'saved', WAIT_MS);
    return page;
  };
  const type = async (page: Page, text: string) => {
    await page.click('.cm-content');
    await page.keyboard.type(text);
    await waitForStatus(page, 'saved', WAIT_MS);
  };
  const assertFits = async (page: Page, state: string) => {
    const fit = await barFit(page);
    assert.ok(fits(fit), `${state}: the bar fits ${fit.viewport} px: ${JSON.stringify(fit)}`);
    return fit;
  };

  before(async () => {
    const webRoot = ensureWebBuild();
    mkdirSync(SHOTS, { recursive: true });
    srv = await startTestServer({ WEB_ROOT: webRoot, VERSION_IDLE_MS: '600000' });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const ctx of contexts) await ctx.close().catch(() => {});
    await browser?.close();
    await srv?.dispose();
  });

  it('PH1 PH2 PH3 PH4 the top bar fits 390 px in every state (rename open, protected, 5 people); "+N" for who does not fit; the lock is a labelled SVG; the status word shows', async () => {
    // A protected pad: claimed and given a password through the API, unlocked in the phone's context.
    const pad = 'ph1-protected-pad-name';
    const claim = await fetch(`${srv.url}/api/pads/${pad}/claim`, { method: 'POST' });
    const { ownerToken } = (await claim.json()) as { ownerToken: string };
    const pw = await fetch(`${srv.url}/api/pads/${pad}/password`, {
      method: 'POST',
      headers: { 'x-padmesh-owner': ownerToken, 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'open sesame' }),
    });
    assert.equal(pw.status, 200);
    const ctx = await browser.newContext(PHONE);
    contexts.push(ctx);
    const unlock = await ctx.request.post(`${srv.url}/api/pads/${pad}/unlock`, { data: { password: 'open sesame' } });
    assert.equal(unlock.status(), 200);
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/${pad}`);
    await page.waitForSelector('.cm-content', { timeout: WAIT_MS });
    await waitForStatus(page, 'saved', WAIT_MS);
    await type(page, 'A pad read on a phone.\n');

    // PH3: the lock is drawn and named; no emoji that needs a font.
    const lock = page.locator('.pad-name svg[role="img"]');
    assert.equal(await lock.getAttribute('aria-label'), 'Password protected');
    assert.ok((await lock.boundingBox())!.width > 0, 'the lock is drawn');
    assert.doesNotMatch((await page.locator('.pad-name').textContent()) ?? '', /\p{Extended_Pictographic}/u);

    // PH4: the short status word is on screen; the full sentence is what a screen reader hears.
    const short = page.locator('.status-short');
    assert.equal(await short.textContent(), 'Saved');
    const box = (await short.boundingBox())!;
    assert.ok(box.width > 20 && box.x + box.width <= 390, `status word visible: ${JSON.stringify(box)}`);
    assert.equal(await page.locator('.status').getAttribute('role'), 'status');
    assert.equal(await page.locator('.status-text').textContent(), 'Saved');

    const plain = await assertFits(page, 'protected');
    assert.ok(plain.visible.includes('Share'), 'Share is in the bar');
    assert.ok(plain.visible.includes('More controls'), 'the overflow menu is offered');
    assert.equal(
      await page.locator('.topbar > .topbar-item [data-testid="history-button"]').count(),
      0,
      'History is in the menu',
    );

    // The More menu holds what does not fit, reachable and working.
    await page.click('[data-testid="topbar-more"]');
    await page.waitForSelector('#topbar-more-menu:not([hidden]) .copy-link', { timeout: WAIT_MS });
    assert.ok(await page.locator('#topbar-more-menu [data-testid="history-button"]').isVisible());
    await assertFits(page, 'More menu open');
    await page.screenshot({ path: `${SHOTS}/phone-more-menu-light.png` });
    await page.keyboard.press('Escape');
    await page.waitForSelector('#topbar-more-menu[hidden]', { state: 'attached', timeout: WAIT_MS });
    assert.equal(await focusedTestId(page), 'topbar-more', 'Escape gives focus back to the More button');

    // Rename open: the field takes the circles' place; Share stays on screen.
    await page.click('[data-testid="rename-me"]');
    await page.waitForSelector('.rename input');
    const renaming = await assertFits(page, 'rename open');
    assert.ok(renaming.visible.includes('Share'), 'Share still on screen while renaming');
    await page.keyboard.press('Escape');

    // Five people: two circles besides mine, then "+2", which lists everyone.
    const cookie = (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const leave = await joinPeople(srv.wsUrl, pad, ['Ada', 'Bo', 'Cy', 'Di'], cookie);
    try {
      await page.waitForSelector('[data-testid="more-people"]', { timeout: WAIT_MS });
      assert.equal(await page.locator('.presence span.avatar').count(), 2);
      const more = page.locator('[data-testid="more-people"]');
      assert.equal(await more.textContent(), '+2');
      assert.equal(await more.getAttribute('aria-label'), '2 more: Cy, Di');
      await assertFits(page, '5 people');
      await page.screenshot({ path: `${SHOTS}/phone-topbar-5-people-light.png` });
      await more.click();
      const list = page.locator('.people-list');
      for (const n of ['Ada', 'Bo', 'Cy', 'Di']) assert.match((await list.textContent()) ?? '', new RegExp(n));
      await page.keyboard.press('Escape');
      await page.waitForSelector('.people-list', { state: 'detached', timeout: WAIT_MS });
      assert.equal(await focusedTestId(page), 'more-people');
      // Rename with five people: still fits.
      await page.click('[data-testid="rename-me"]');
      await page.waitForSelector('.rename input');
      await assertFits(page, 'rename open with 5 people');
      await page.screenshot({ path: `${SHOTS}/phone-topbar-renaming-light.png` });
      await page.keyboard.press('Escape');

      // Dark: the same bar (the theme's colours are the dark-mode work; the layout must hold).
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: `${SHOTS}/phone-topbar-5-people-dark.png` });
      await page.emulateMedia({ colorScheme: 'light' });
    } finally {
      leave();
    }
  });

  it('PH2 on a desktop, 4 people all show and 10 show 7 circles and "+3"; the bar keeps every control', async () => {
    const page = await open('/ph2-desk', DESKTOP);
    const leave = await joinPeople(srv.wsUrl, 'ph2-desk', ['Ada', 'Bo', 'Cy']);
    let leaveMore = () => {};
    try {
      await page.waitForFunction(() => document.querySelectorAll('.presence span.avatar').length === 3, null, {
        timeout: WAIT_MS,
      });
      assert.equal(await page.locator('[data-testid="more-people"]').count(), 0);
      const fit = await assertFits(page, 'desktop');
      assert.equal(await page.locator('[data-testid="topbar-more"]').count(), 0, 'a desktop needs no More menu');
      assert.ok(fit.visible.includes('History') && fit.visible.includes('Copy link'));
      leaveMore = await joinPeople(srv.wsUrl, 'ph2-desk', ['Ed', 'Flo', 'Gus', 'Hal', 'Ivy', 'Jo', 'Kim']);
      await page.waitForSelector('[data-testid="more-people"]:has-text("+3")', { timeout: WAIT_MS });
      assert.equal(await page.locator('.presence span.avatar').count(), 7);
      await page.screenshot({ path: `${SHOTS}/desktop-topbar-10-people-light.png` });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: `${SHOTS}/desktop-topbar-10-people-dark.png` });
    } finally {
      leave();
      leaveMore();
    }
  });

  it('PH5 V7 the History list refreshes live when another tab saves or restores a version', async () => {
    const a = await open('/ph5-live', DESKTOP);
    const b = await open('/ph5-live', PHONE);
    await type(a, 'first words\n');
    await a.click('[data-testid="history-button"]');
    await a.waitForSelector('[data-testid="history-panel"]');
    await b.click('[data-testid="topbar-more"]');
    await b.click('#topbar-more-menu [data-testid="history-button"]');
    await b.waitForSelector('[data-testid="history-panel"]');
    await b.waitForSelector('text=No versions yet', { timeout: WAIT_MS });

    await a.fill('input[aria-label="Version name"]', 'Saved in tab A');
    await a.click('text=Save version');
    await b.waitForSelector('.version-title:has-text("Saved in tab A")', { timeout: WAIT_MS });

    // B restores it after A wrote more: A's list shows the restore without a reload.
    await type(a, 'more words\n');
    await b.click('.version-title:has-text("Saved in tab A")');
    b.on('dialog', (d) => void d.accept());
    await b.click('text=Restore this version');
    await a.waitForSelector('.version-title:has-text("Restored Saved in tab A")', { timeout: WAIT_MS });
    await a.waitForFunction(() => window.padmesh?.doc.getText('content').toString() === 'first words\n', null, {
      timeout: WAIT_MS,
    });
  });

  it('PH6 KB2 History is a bottom sheet on a phone: full width, the text above it, save and open versions, Escape closes it', async () => {
    const page = await open('/ph6-sheet');
    await type(page, 'Dear diary,\ntoday I wrote on a phone.\n');
    await page.click('[data-testid="topbar-more"]');
    await page.click('#topbar-more-menu [data-testid="history-button"]');
    const sheet = page.locator('[data-testid="history-panel"]');
    await sheet.waitFor({ timeout: WAIT_MS });
    assert.ok(await page.locator('#topbar-more-menu').isHidden(), 'a toggle used from the menu closes it');
    const box = (await sheet.boundingBox())!;
    assert.equal(Math.round(box.width), 390, 'full width, not a 300 px side panel');
    assert.ok(Math.abs(box.y + box.height - 844) <= 1, `anchored to the bottom: ${JSON.stringify(box)}`);
    assert.ok(box.height <= 844 * 0.63, `leaves the text visible above: ${JSON.stringify(box)}`);
    const editor = (await page.locator('.cm-content').boundingBox())!;
    assert.ok(editor.y + 40 < box.y, 'the first lines of the text stay visible');
    await assertFits(page, 'history sheet open');

    await page.fill('input[aria-label="Version name"]', 'On the bus');
    await page.click('text=Save version');
    await page.waitForSelector('.version-title:has-text("On the bus")', { timeout: WAIT_MS });
    await page.screenshot({ path: `${SHOTS}/phone-history-sheet-light.png` });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${SHOTS}/phone-history-sheet-dark.png` });
    await page.emulateMedia({ colorScheme: 'light' });

    // Escape closes it and gives focus back to the More button that led to it (History was in the menu).
    await page.focus('input[aria-label="Version name"]');
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached', timeout: WAIT_MS });
    assert.equal(await focusedTestId(page), 'topbar-more');

    // Opening a version: the sheet steps aside so the version is readable, and the way back works.
    await page.click('[data-testid="topbar-more"]');
    await page.click('#topbar-more-menu [data-testid="history-button"]');
    await page.click('.version-title:has-text("On the bus")');
    await page.waitForSelector('text=Restore this version', { timeout: WAIT_MS });
    assert.equal(await sheet.count(), 0, 'the sheet stepped aside');
    await assertFits(page, 'version view');
    await page.screenshot({ path: `${SHOTS}/phone-version-view-light.png` });
    await page.click('text=Back to pad');
    await page.waitForURL(/\/ph6-sheet$/);
    await page.waitForSelector('.cm-content');
  });

  it('PH7 a made-up version id shows a friendly message with a way back that works', async () => {
    for (const id of ['not-a-version', '0123456789abcdef']) {
      const page = await open('/ph7-bad');
      await page.goto(`${srv.url}/ph7-bad/history/${id}`);
      await page.waitForSelector('.no-such-version', { timeout: WAIT_MS });
      const text = (await page.locator('main').textContent()) ?? '';
      assert.match(text, /No such version/);
      assert.doesNotMatch(text, /not a version id|request failed|error/i, `no developer wording for ${id}`);
      assert.equal(await page.locator('.history-panel .error').count(), 0);
      await assertFits(page, `no such version ${id}`);
      if (id === 'not-a-version') await page.screenshot({ path: `${SHOTS}/phone-no-such-version-light.png` });
      await page.click('.no-such-version >> text=Back to pad');
      await page.waitForURL(/\/ph7-bad$/);
      await page.waitForSelector('.cm-content', { timeout: WAIT_MS });
    }
  });
});
