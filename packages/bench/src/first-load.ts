/**
 * First load of a pad in Chromium: bytes transferred and time until the editor is visible
 * and until it is synced ("Saved"), on a cold cache, on a second visit (HTTP cache +
 * service worker + IndexedDB), and with no network at all (service worker + IndexedDB).
 * Times are the page's own clock (ms since navigation start), median of FIRST_LOAD_RUNS.
 *
 * Run: node --conditions=source --import tsx packages/bench/src/first-load.ts
 * Writes bench/results/first-load.json. Builds packages/web first if dist is missing.
 * FIRST_LOAD_WEB_ROOT=<dir> measures another build (e.g. a copy of an older dist) and
 * FIRST_LOAD_OUT=<file> writes elsewhere, for before/after comparisons.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BrowserContext, CDPSession } from 'playwright-core';
import { launchBrowser } from '../../../tests/helpers/browser.js';
import { startTestServer, type TestServer } from '@padmesh/server/testing';

const WEB_DIST = process.env.FIRST_LOAD_WEB_ROOT ?? resolve(import.meta.dirname, '../../web/dist');
const RUNS = Number(process.env.FIRST_LOAD_RUNS ?? 5);
const PAD = 'first-load';
/** A pad of realistic size: ~10 KB of text. */
const TEXT = Array.from({ length: 200 }, (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog`).join('\n');
/** A slow link for the throttled cold run (roughly "good 4G"). */
const THROTTLE = { offline: false, latency: 40, downloadThroughput: (10e6 / 8) | 0, uploadThroughput: (5e6 / 8) | 0 };
const WAIT_MS = 20_000;

interface Load {
  /** Bytes the page received over the network (headers + bodies, after compression); WebSocket frames excluded. */
  bytes: number;
  requests: number;
  /** Requests answered by the service worker or the HTTP cache. */
  cached: number;
  editorMs: number;
  /** Status "Saved" (synced and nothing unacknowledged); null offline. */
  syncedMs: number | null;
}

// Runs in the page before its scripts: notes when the editor shows the pad's text and when it is synced.
const PROBE = `(() => {
  const marks = (window.__firstLoad = {});
  const t = setInterval(() => {
    const content = document.querySelector('.cm-content');
    if (!marks.editor && content && content.textContent.length > 0) marks.editor = performance.now();
    if (!marks.synced && window.padmesh && window.padmesh.status === 'saved') marks.synced = performance.now();
    if (marks.editor && marks.synced) clearInterval(t);
  }, 2);
})();`;

async function load(ctx: BrowserContext, url: string, opts: { synced: boolean; throttle?: boolean }): Promise<Load> {
  const page = await ctx.newPage();
  const cdp: CDPSession = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  if (opts.throttle) await cdp.send('Network.emulateNetworkConditions', THROTTLE);
  const load: Load = { bytes: 0, requests: 0, cached: 0, editorMs: 0, syncedMs: null };
  cdp.on('Network.responseReceived', (e: { response: { fromServiceWorker?: boolean; fromDiskCache?: boolean } }) => {
    load.requests++;
    if (e.response.fromServiceWorker || e.response.fromDiskCache) load.cached++;
  });
  cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => (load.bytes += e.encodedDataLength));
  await page.addInitScript(PROBE);
  await page.goto(url);
  await page.waitForFunction((s) => window.__firstLoad?.editor && (!s || window.__firstLoad.synced), opts.synced, {
    timeout: WAIT_MS,
  });
  const marks = await page.evaluate(() => window.__firstLoad!);
  if ((await page.evaluate(() => window.padmesh?.doc.getText('content').toString())) !== TEXT)
    throw new Error('the editor did not show the pad text');
  load.editorMs = Math.round(marks.editor!);
  load.syncedMs = opts.synced ? Math.round(marks.synced!) : null;
  await page.close();
  return load;
}

/** Waits until the service worker controls pages (it precaches the shell on install). */
async function serviceWorkerReady(ctx: BrowserContext, url: string): Promise<void> {
  const page = await ctx.newPage();
  await page.goto(url);
  await page.waitForFunction(() => navigator.serviceWorker.ready.then(() => true), null, { timeout: WAIT_MS });
  await page.close();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function summary(loads: Load[]) {
  return {
    kib: Number((median(loads.map((l) => l.bytes)) / 1024).toFixed(1)),
    requests: median(loads.map((l) => l.requests)),
    fromCache: median(loads.map((l) => l.cached)),
    editorMs: median(loads.map((l) => l.editorMs)),
    syncedMs: loads[0]!.syncedMs === null ? null : median(loads.map((l) => l.syncedMs!)),
  };
}

async function assetSizes(srv: TestServer) {
  const html = await (await fetch(`${srv.url}/${PAD}`)).text();
  const paths = ['/' + PAD, '/sw.js', ...[...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!)];
  const out: Record<string, { raw: number; br: number; gzip: number }> = {};
  for (const path of paths) {
    const size = async (enc: string) =>
      Number(
        (await fetch(`${srv.url}${path}`, { method: 'HEAD', headers: { 'accept-encoding': enc } })).headers.get(
          'content-length',
        ),
      );
    out[path === '/' + PAD ? '/<pad> (index.html)' : path] = {
      raw: await size('identity'),
      br: await size('br'),
      gzip: await size('gzip'),
    };
  }
  return out;
}

if (!existsSync(`${WEB_DIST}/index.html`))
  execFileSync('npx', ['vite', 'build'], { cwd: resolve(WEB_DIST, '..'), stdio: 'inherit' });
const srv = await startTestServer({ WEB_ROOT: WEB_DIST });
const browser = await launchBrowser();
const url = `${srv.url}/${PAD}`;
try {
  const put = await fetch(`${srv.url}/api/pads/${PAD}/text`, { method: 'PUT', body: TEXT });
  if (!put.ok) throw new Error(`seeding the pad failed: ${put.status}`);
  const cold: Load[] = [];
  const throttled: Load[] = [];
  const warm: Load[] = [];
  const offline: Load[] = [];
  const contexts: BrowserContext[] = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext(); // a fresh profile: empty HTTP cache, no service worker, no IndexedDB
    cold.push(await load(ctx, url, { synced: true }));
    await serviceWorkerReady(ctx, url);
    warm.push(await load(ctx, url, { synced: true }));
    contexts.push(ctx);
    const slow = await browser.newContext();
    throttled.push(await load(slow, url, { synced: true, throttle: true }));
    await slow.close();
  }
  // No network at all: the server is gone and the browser is offline.
  await srv.close();
  for (const ctx of contexts) {
    await ctx.setOffline(true);
    offline.push(await load(ctx, url, { synced: false }));
    await ctx.close();
  }
  const result = {
    date: new Date().toISOString(),
    webRoot: WEB_DIST,
    runs: RUNS,
    padTextBytes: TEXT.length,
    note: 'localhost unless throttled (40 ms RTT, 10 Mbit/s down); ms since navigation start, medians; kib = bytes over the network, WebSocket excluded',
    cold: summary(cold),
    coldThrottled: summary(throttled),
    secondVisit: summary(warm),
    offline: summary(offline),
    assets: await (async () => {
      // Sizes come from a fresh server over the same dist (the measured one is closed).
      const again = await startTestServer({ WEB_ROOT: WEB_DIST });
      try {
        return await assetSizes(again);
      } finally {
        await again.dispose();
      }
    })(),
  };
  console.table({
    cold: result.cold,
    coldThrottled: result.coldThrottled,
    secondVisit: result.secondVisit,
    offline: result.offline,
  });
  console.table(result.assets);
  const out = process.env.FIRST_LOAD_OUT ?? resolve(import.meta.dirname, '../../../bench/results/first-load.json');
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await srv.dispose().catch(() => {});
}

declare global {
  interface Window {
    __firstLoad?: { editor?: number; synced?: number };
  }
}
