import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const WEB = resolve(import.meta.dirname, '../../packages/web');
export const WEB_DIST = join(WEB, 'dist');

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, with the flags this sandbox needs (no background network). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with scripts/system-deps.sh`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
}

/**
 * Builds the web app when dist is missing or older than its sources: `node scripts/test.mjs`
 * (unlike `npm test`) does not build first, and a stale bundle would test yesterday's code.
 */
export function ensureWebBuild(): string {
  const built = existsSync(join(WEB_DIST, 'index.html')) ? statSync(join(WEB_DIST, 'index.html')).mtimeMs : 0;
  const sources = ['src', 'public', 'index.html', 'vite.config.ts', '../protocol/src'].map((p) =>
    newestMtime(join(WEB, p)),
  );
  if (built < Math.max(...sources))
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: WEB, stdio: 'inherit' });
  return WEB_DIST;
}

/** Waits until the page's pad provider reports `status`; fails loudly with what it saw. */
export async function waitForStatus(page: Page, status: string, timeoutMs = 10_000): Promise<void> {
  try {
    await page.waitForFunction((s) => window.padmesh?.status === s, status, { timeout: timeoutMs });
  } catch {
    const seen = await page.evaluate(() => window.padmesh?.status ?? 'no provider');
    throw new Error(`status never became "${status}" within ${timeoutMs} ms (it is "${seen}")`);
  }
}

declare global {
  interface Window {
    padmesh?: { readonly status: string; doc: { getText(name: string): { toString(): string } } };
  }
}

/**
 * Clicks a top-bar control wherever the bar put it: in the bar, or (a phone, a narrow window)
 * in the More menu, which it opens first (SPEC PH1: wrapped controls move there when they do not fit).
 */
export async function clickTopBarControl(page: Page, selector: string): Promise<void> {
  // Wait for the bar first (a page just loaded or reloaded has neither yet).
  await page.locator(`${selector}:visible, [data-testid="topbar-more"]:visible`).first().waitFor();
  if (!(await page.locator(selector).isVisible())) await page.click('[data-testid="topbar-more"]');
  await page.click(selector);
}
