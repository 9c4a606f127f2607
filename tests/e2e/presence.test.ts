import { PRESENCE_DEFAULT_COLOR } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { startTestServer, waitFor, type TestServer } from '@padmesh/server/testing';
import { ensureWebBuild, launchBrowser, waitForStatus } from '../helpers/browser.js';

const HOSTILE = 'red;position:fixed;inset:0;z-index:9999';

/** Records every CSP violation the page reports, from before its first script runs. */
async function watchCsp(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective}: ${e.sample || e.blockedURI}`),
    );
  });
}

/** What reached styles: any style attribute text, the carets' and selections' colours, anything fixed full-screen. */
function styles(page: Page) {
  return page.evaluate(() => ({
    styleAttrs: Array.from(document.querySelectorAll('[style]')).map((e) => e.getAttribute('style') ?? ''),
    carets: Array.from(document.querySelectorAll<HTMLElement>('.cm-ySelectionCaret')).map(
      (e) => getComputedStyle(e).backgroundColor,
    ),
    selections: Array.from(document.querySelectorAll<HTMLElement>('.cm-ySelection')).map((e) => ({
      style: e.getAttribute('style'),
      background: getComputedStyle(e).backgroundColor,
    })),
    fixed: Array.from(document.querySelectorAll<HTMLElement>('body *')).filter(
      (e) => getComputedStyle(e).position === 'fixed' && e.offsetWidth >= innerWidth,
    ).length,
    editorDisplay: getComputedStyle(document.querySelector('.cm-editor')!).display,
    csp: (window as unknown as { cspViolations: string[] }).cspViolations,
  }));
}

describe('Browser: presence values never reach a style (SPEC PR5, PR7)', () => {
  let srv: TestServer;
  let browser: Browser;
  before(async () => {
    srv = await startTestServer({ WEB_ROOT: ensureWebBuild() });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await srv?.dispose();
  });

  it('PR7 the CSP has no unsafe-inline for styles, and the editor renders styled under it without a violation', async () => {
    const res = await fetch(`${srv.url}/pr7-pad`);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /style-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    const page = await browser.newPage();
    await watchCsp(page);
    await page.goto(`${srv.url}/pr7-pad`);
    await page.waitForSelector('.cm-content');
    await waitForStatus(page, 'saved');
    const s = await styles(page);
    assert.equal(s.editorDisplay, 'flex', "CodeMirror's own theme (style-mod) applied");
    assert.deepEqual(s.csp, []);
    await page.close();
  });

  it('PR6 a tab whose socket drops is back in the other tab within 1 s, and sees the other again as fast', async () => {
    const [a, b] = await Promise.all([browser.newContext(), browser.newContext()]).then((cs) =>
      Promise.all(cs.map((c) => c.newPage())),
    );
    try {
      await Promise.all([a!.goto(`${srv.url}/pr6-pad`), b!.goto(`${srv.url}/pr6-pad`)]);
      await Promise.all([waitForStatus(a!, 'saved'), waitForStatus(b!, 'saved')]);
      const nameOf = (p: Page) =>
        p.evaluate(() => JSON.parse(localStorage.getItem('padmesh.identity')!).name as string);
      const avatar = (name: string) => `.presence .avatar[data-name="${name}"]`;
      const [nameA, nameB] = [await nameOf(a!), await nameOf(b!)];
      await a!.waitForSelector(avatar(nameB), { timeout: 10_000 });
      await b!.waitForSelector(avatar(nameA), { timeout: 10_000 });
      // B's socket drops (as on a network blip); its provider reconnects by itself.
      await b!.evaluate(() => (window.padmesh as unknown as { provider: { ws: WebSocket } }).provider.ws.close());
      await a!.waitForSelector(avatar(nameB), { state: 'detached', timeout: 10_000 });
      const gone = Date.now();
      await a!.waitForSelector(avatar(nameB), { timeout: 1_000 });
      await b!.waitForSelector(avatar(nameA), { timeout: 1_000 });
      assert.ok(Date.now() - gone < 1_000, `back after ${Date.now() - gone} ms`);
    } finally {
      await a!.context().close();
      await b!.context().close();
    }
  });

  it("PR5 a stock client's hostile colour reaches no style in the browser (server-normalised), and one injected past the server neither (client check)", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    await watchCsp(page);
    await page.goto(`${srv.url}/pr5-pad`);
    await page.waitForSelector('.cm-content');
    await page.click('.cm-content');
    await page.keyboard.type('hello hostile world');
    await waitForStatus(page, 'saved');

    // A stock y-websocket client publishes a caret, a selection and a colour that is CSS.
    const doc = new Y.Doc();
    const evil = new WebsocketProvider(srv.wsUrl, 'pr5-pad', doc, {
      WebSocketPolyfill: WebSocket as never,
      disableBc: true,
    });
    try {
      await waitFor(() => evil.synced && doc.getText('content').length > 0, 'hostile client synced');
      const text = doc.getText('content');
      evil.awareness.setLocalState({
        user: { name: 'Evil', color: HOSTILE, colorLight: HOSTILE },
        cursor: {
          anchor: Y.createRelativePositionFromTypeIndex(text, 0),
          head: Y.createRelativePositionFromTypeIndex(text, 5),
        },
      });
      await page.waitForSelector('.presence .avatar[data-name="Evil"]', { timeout: 10_000 });
      await page.waitForSelector('.cm-ySelection', { timeout: 10_000 });
      const seen = await styles(page);
      const grey = 'rgb(110, 119, 129)'; // PRESENCE_DEFAULT_COLOR
      assert.equal(PRESENCE_DEFAULT_COLOR, '#6e7781');
      assert.ok(!seen.styleAttrs.some((a) => /fixed|inset|\bred\b/.test(a)), seen.styleAttrs.join(' | '));
      assert.deepEqual(seen.carets, [grey]);
      assert.deepEqual(seen.selections, [{ style: null, background: 'rgba(110, 119, 129, 0.2)' }]);
      assert.equal(seen.fixed, 0, 'no full-screen overlay');
      assert.deepEqual(seen.csp, []);

      // The same state put straight into the page's awareness (as a server that relays anything would).
      await page.evaluate(
        ({ hostile }) => {
          type Aw = {
            states: Map<number, unknown>;
            meta: Map<number, { clock: number; lastUpdated: number }>;
            getStates(): Map<number, { cursor?: unknown }>;
            emit(name: string, args: unknown[]): void;
          };
          const pm = (window as unknown as { padmesh: { provider: { awareness: Aw } } }).padmesh;
          const aw = pm.provider.awareness;
          const cursor = [...aw.getStates().values()].find((s) => s.cursor)?.cursor;
          aw.states.set(4242, { user: { name: 'Raw', color: hostile, colorLight: hostile }, cursor });
          aw.meta.set(4242, { clock: 1, lastUpdated: Date.now() });
          aw.emit('change', [{ added: [4242], updated: [], removed: [] }, 'test']);
        },
        { hostile: HOSTILE },
      );
      await page.waitForSelector('.presence .avatar[data-name="Raw"]', { timeout: 10_000 });
      await page.waitForFunction(() => document.querySelectorAll('.cm-ySelectionCaret').length === 2, null, {
        timeout: 10_000,
      });
      const raw = await styles(page);
      assert.ok(!raw.styleAttrs.some((a) => /fixed|inset|\bred\b/.test(a)), raw.styleAttrs.join(' | '));
      assert.deepEqual(raw.carets, [grey, grey]);
      assert.ok(raw.selections.every((x) => x.style === null));
      assert.equal(raw.fixed, 0);
      assert.deepEqual(raw.csp, []);
    } finally {
      evil.awareness.destroy();
      evil.destroy();
      await page.close();
    }
  });
});
