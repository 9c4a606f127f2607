import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '@padmesh/server/testing';
import { ensureWebBuild, launchBrowser, waitForStatus } from '../helpers/browser.js';

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');

const textOf = (page: Page) => page.evaluate(() => window.padmesh?.doc.getText('content').toString() ?? '');

describe('Browser: two editors on one pad', () => {
  let srv: TestServer;
  let browser: Browser;
  before(async () => {
    const webRoot = ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    srv = await startTestServer({ WEB_ROOT: webRoot });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await srv?.dispose();
  });

  it('B1 / redirects to a fresh random pad that opens the editor', async () => {
    const page = await browser.newPage();
    await page.goto(`${srv.url}/`);
    assert.match(new URL(page.url()).pathname, /^\/[a-z2-9]{12}$/);
    await page.waitForSelector('.cm-content', { timeout: 10_000 });
    await waitForStatus(page, 'saved');
    await page.close();
  });

  it("B2 both type at once and each sees the other's text, caret with name, and presence; status reaches Saved", async () => {
    const ctxA = await browser.newContext({
      viewport: { width: 1100, height: 600 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const ctxB = await browser.newContext({ viewport: { width: 1100, height: 600 } });
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await Promise.all([a.goto(`${srv.url}/browser-pad`), b.goto(`${srv.url}/browser-pad`)]);
    await Promise.all([a.waitForSelector('.cm-content'), b.waitForSelector('.cm-content')]);
    await Promise.all([waitForStatus(a, 'saved'), waitForStatus(b, 'saved')]);
    await a.click('.cm-content');
    await b.click('.cm-content');
    await Promise.all([
      a.keyboard.type('alpha from A. ', { delay: 15 }),
      b.keyboard.type('beta from B. ', { delay: 15 }),
    ]);
    await a.waitForFunction(
      () =>
        /alpha from A/.test(window.padmesh!.doc.getText('content').toString()) &&
        /beta from B/.test(window.padmesh!.doc.getText('content').toString()),
      null,
      { timeout: 10_000 },
    );
    await b.waitForFunction(
      () =>
        /alpha from A/.test(window.padmesh!.doc.getText('content').toString()) &&
        /beta from B/.test(window.padmesh!.doc.getText('content').toString()),
      null,
      { timeout: 10_000 },
    );
    assert.equal(await textOf(a), await textOf(b));

    // Each sees the other: a caret labelled with the author's name, and an avatar in the presence list.
    for (const [viewer, author] of [
      [a, b],
      [b, a],
    ] as const) {
      const name = await author.evaluate(() => JSON.parse(localStorage.getItem('padmesh.identity')!).name as string);
      await viewer.waitForSelector('.cm-ySelectionCaret', { timeout: 10_000 });
      await viewer.waitForFunction(
        (n) => Array.from(document.querySelectorAll('.cm-ySelectionInfo')).some((e) => e.textContent === n),
        name,
        { timeout: 10_000 },
      );
      await viewer.waitForSelector(`.presence .avatar[data-name="${name}"]`, { timeout: 10_000 });
    }
    await Promise.all([waitForStatus(a, 'saved'), waitForStatus(b, 'saved')]);
    assert.equal(await a.locator('.status-text').textContent(), 'Saved');
    await a.screenshot({ path: `${ARTIFACTS}/two-editors.png` });

    // Renaming yourself (click your avatar) is remembered and reaches the other editor's caret label.
    await b.click('.presence .avatar.me');
    await b.fill('.presence input[aria-label="Your name"]', 'Beatrix Bee');
    await b.keyboard.press('Enter');
    await a.waitForSelector('.presence .avatar[data-name="Beatrix Bee"]', { timeout: 10_000 });
    await a.waitForFunction(
      () => Array.from(document.querySelectorAll('.cm-ySelectionInfo')).some((e) => e.textContent === 'Beatrix Bee'),
      null,
      { timeout: 10_000 },
    );
    assert.equal(await b.evaluate(() => JSON.parse(localStorage.getItem('padmesh.identity')!).name), 'Beatrix Bee');

    // Copy link puts the pad's URL on the clipboard and says so.
    await a.click('.copy-link');
    await a.waitForSelector('.copy-link:has-text("Copied")', { timeout: 5_000 });
    await a.screenshot({ path: `${ARTIFACTS}/renamed-and-copied.png` });
    assert.equal(await a.evaluate(() => navigator.clipboard.readText()), `${srv.url}/browser-pad`);

    const stored = await (await fetch(`${srv.url}/browser-pad.txt`)).text();
    assert.equal(stored, await textOf(a), 'the server stored what both see');
    await ctxA.close();
    await ctxB.close();
  });

  it('B4 the editing keys, loaded after the editor shows, work: Tab indents, Enter keeps it, Alt+ArrowDown moves a line', async () => {
    const page = await browser.newPage();
    await page.goto(`${srv.url}/keys-pad`);
    await page.waitForSelector('.cm-content[contenteditable="true"]', { timeout: 10_000 });
    await waitForStatus(page, 'saved');
    await page.click('.cm-content');
    await page.keyboard.press('Tab');
    await page.keyboard.type('one');
    await page.keyboard.press('Enter');
    await page.keyboard.type('two');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Alt+ArrowDown');
    const text = () => page.evaluate(() => window.padmesh!.doc.getText('content').toString());
    await page.waitForFunction(() => /^\s+two\n/.test(window.padmesh!.doc.getText('content').toString()), null, {
      timeout: 10_000,
    });
    assert.match(await text(), /^( +|\t)two\n\1one$/, 'both lines indented alike, swapped');
    await page.close();
  });

  it('B3 a protected pad asks for the password; a read-only link shows live text and cannot edit', async () => {
    const owner = await browser.newContext();
    const page = await owner.newPage();
    await page.goto(`${srv.url}/locked-pad`);
    await page.waitForSelector('.cm-content');
    // An empty pad nobody owns is claimed in the background; only its owner may protect it.
    await page.waitForFunction(() => localStorage.getItem('padmesh.owner.locked-pad') !== null, null, {
      timeout: 10_000,
    });
    await page.click('.cm-content');
    await page.keyboard.type('top secret <script>alert(1)</script>');
    await waitForStatus(page, 'saved');
    await page.click('text=Share');
    await page.fill('input[aria-label="Set a password"]', 'open sesame');
    await page.click('section[aria-label="Password"] button:has-text("Set")');
    await page.waitForSelector('text=Password set');
    await page.click('text=Create read-only link');
    const ro = new URL((await page.locator('[data-testid="read-only-url"]').textContent({ timeout: 10_000 }))!)
      .pathname;

    const stranger = await (await browser.newContext()).newPage();
    await stranger.goto(`${srv.url}/locked-pad`);
    await stranger.waitForSelector('text=This pad is protected');
    assert.equal(await stranger.locator('.cm-content').count(), 0, 'no editor, no text before unlocking');
    await stranger.screenshot({ path: `${ARTIFACTS}/password-prompt.png` });
    await stranger.fill('input[type=password]', 'wrong');
    await stranger.click('text=Unlock');
    await stranger.waitForSelector('text=wrong password');
    await stranger.fill('input[type=password]', 'open sesame');
    await stranger.click('text=Unlock');
    await stranger.waitForSelector('.cm-content');
    await stranger.waitForFunction(
      () => window.padmesh?.doc.getText('content').toString().includes('top secret'),
      null,
      { timeout: 10_000 },
    );

    const watcher = await (await browser.newContext()).newPage();
    await watcher.goto(`${srv.url}${ro}`);
    await watcher.waitForSelector('.cm-content');
    await watcher.waitForFunction(
      () => window.padmesh?.doc.getText('content').toString().includes('top secret'),
      null,
      { timeout: 10_000 },
    );
    assert.equal(await watcher.locator('.cm-content').getAttribute('contenteditable'), 'false');
    assert.equal(
      await watcher.locator('script:has-text("alert(1)")').count(),
      0,
      'injected markup is shown as text, never run',
    );
    await page.click('text=Share'); // close the popover
    await page.click('.cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' and more');
    await watcher
      .waitForFunction(() => window.padmesh?.doc.getText('content').toString().includes('and more'), null, {
        timeout: 10_000,
      })
      .catch(async (e) => {
        throw new Error(
          `watcher never saw the edit: owner has ${JSON.stringify(await textOf(page))} (${await page.evaluate(() => window.padmesh?.status)}), watcher ${JSON.stringify(await textOf(watcher))} (${await watcher.evaluate(() => window.padmesh?.status)}): ${(e as Error).message}`,
        );
      });
    await watcher.screenshot({ path: `${ARTIFACTS}/read-only.png` });
  });
});
