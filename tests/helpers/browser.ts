import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, with the flags this sandbox needs (no background network). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it with scripts/system-deps.sh`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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
