import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '@padmesh/server/testing';
import { describeViolations, seriousViolations } from '../helpers/axe.js';
import { ensureWebBuild, launchBrowser, waitForStatus } from '../helpers/browser.js';

const SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const WAIT_MS = 15_000;
const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
} as const;

/** The accessible name and role of whatever has focus, as a screen reader would announce it. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const e = document.activeElement as HTMLElement | null;
    if (!e || e === document.body) return null;
    const label = e.getAttribute('aria-label') ?? e.textContent ?? '';
    return { tag: e.tagName.toLowerCase(), testid: e.getAttribute('data-testid'), label: label.trim() };
  });

describe('Keyboard and screen reader: every control reachable and labelled, no serious axe violations (KB)', () => {
  let srv: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const open = async (path: string, size: keyof typeof SIZES, colorScheme: 'light' | 'dark' = 'light') => {
    const ctx = await browser.newContext({ ...SIZES[size], colorScheme });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${srv.url}${path}`);
    await page.waitForSelector('.cm-content', { timeout: WAIT_MS });
    await waitForStatus(page, 'saved', WAIT_MS);
    return page;
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

  it('KB1 Tab reaches every top-bar control and the text, each with a name', async () => {
    for (const size of ['desktop', 'phone'] as const) {
      const page = await open(`/kb1-${size}`, size);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const seen: NonNullable<Awaited<ReturnType<typeof focused>>>[] = [];
      for (let i = 0; i < 15; i++) {
        await page.keyboard.press('Tab');
        const f = await focused(page);
        if (f) seen.push(f);
        if (f?.tag === 'div' && (await page.evaluate(() => document.activeElement?.classList.contains('cm-content'))))
          break;
      }
      const unnamed = seen.filter((f) => f.label === '');
      assert.deepEqual(unnamed, [], `${size}: every stop has a name`);
      const ids = seen.map((f) => f.testid ?? f.label);
      const expected =
        size === 'desktop'
          ? ['Copy link', 'rename-me', 'history-button', 'share-button']
          : ['rename-me', 'share-button', 'topbar-more'];
      for (const want of expected) assert.ok(ids.includes(want), `${size}: Tab reaches ${want} (${ids.join(' → ')})`);
      assert.ok(
        await page.evaluate(() => document.activeElement?.classList.contains('cm-content')),
        `${size}: Tab reaches the text (${ids.join(' → ')})`,
      );
    }
  });

  it('KB2 Escape closes the Share menu and the History panel and gives focus back to their buttons', async () => {
    const page = await open('/kb2-escape', 'desktop');
    await page.click('.share > button');
    await page.waitForSelector('.share-menu');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    await page.waitForSelector('.share-menu', { state: 'detached', timeout: WAIT_MS });
    assert.equal((await focused(page))?.testid, 'share-button');

    await page.click('[data-testid="history-button"]');
    await page.waitForSelector('[data-testid="history-panel"]');
    await page.focus('input[aria-label="Version name"]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="history-panel"]', { state: 'detached', timeout: WAIT_MS });
    assert.equal((await focused(page))?.testid, 'history-button');
  });

  it('KB3 axe-core finds no serious or critical violation on the pad, the Share menu, History and a version, desktop and phone, light and dark', async () => {
    const pad = 'kb3-axe';
    const found: string[] = [];
    const check = async (page: Page, where: string) => {
      const vs = await seriousViolations(page);
      if (vs.length > 0) found.push(`${where}:\n${describeViolations(vs)}`);
    };
    let version = '';
    for (const size of ['desktop', 'phone'] as const)
      for (const scheme of ['light', 'dark'] as const) {
        const where = `${size} ${scheme}`;
        const page = await open(`/${pad}`, size, scheme);
        if (!version) {
          await page.click('.cm-content');
          await page.keyboard.type('Accessible text.\nSecond line.\n');
          await waitForStatus(page, 'saved', WAIT_MS);
          const r = await fetch(`${srv.url}/api/pads/${pad}/versions`, { method: 'POST', body: '{"name":"Axe"}' });
          version = ((await r.json()) as { version: { id: string } }).version.id;
        }
        await check(page, `${where}: pad`);

        await page.click('.share > button');
        await page.waitForSelector('.share-menu');
        await check(page, `${where}: Share menu`);
        await page.screenshot({ path: `${SHOTS}/a11y-share-menu-${size}-${scheme}.png` });
        await page.keyboard.press('Escape');

        if (size === 'phone') await page.click('[data-testid="topbar-more"]');
        await page.click('[data-testid="history-button"]');
        await page.waitForSelector('.version-title:has-text("Axe")', { timeout: WAIT_MS });
        await check(page, `${where}: History`);
        await page.screenshot({ path: `${SHOTS}/a11y-history-${size}-${scheme}.png` });

        await page.goto(`${srv.url}/${pad}/history/${version}`);
        await page.waitForSelector('text=Restore this version', { timeout: WAIT_MS });
        await check(page, `${where}: version view`);
        await page.screenshot({ path: `${SHOTS}/a11y-version-${size}-${scheme}.png` });
      }
    assert.deepEqual(found, [], found.join('\n\n'));
  });
});
