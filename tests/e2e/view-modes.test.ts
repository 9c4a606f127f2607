import { OWNER_HEADER } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { startTestServer, waitFor, type TestServer } from '@padmesh/server/testing';
import { ensureWebBuild, launchBrowser, waitForStatus } from '../helpers/browser.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
/** Every wait in these scenarios; a slow shared machine gets this long, never an endless loop. */
const WAIT_MS = 15_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let padCounter = 0;
const newPadId = (name: string) => `vm-${name}-${process.pid}-${++padCounter}`;
const modeOf = (page: Page) => page.getAttribute('.cm-editor', 'data-view-mode');
const waitForMode = (page: Page, mode: string) =>
  page.waitForSelector(`.cm-editor[data-view-mode="${mode}"]`, { timeout: WAIT_MS });

/** Hostile Markdown: every way pad text could try to become script or a script link. */
const HOSTILE_MARKDOWN = [
  '# Heading one',
  '',
  '## Heading two',
  '',
  '- item a',
  '- item b',
  '',
  '1. first',
  '2. second',
  '',
  'Some `inline code` and **bold**.',
  '',
  '```',
  'const block = 1;',
  '```',
  '',
  `<script>window.__pwned = 'script'</script>`,
  '',
  `<img src=x onerror="window.__pwned = 'img'">`,
  '',
  `<a href="javascript:window.__pwned = 'raw-a'">raw link</a>`,
  '',
  `<svg onload="window.__pwned = 'svg'"></svg>`,
  '',
  `[js link](javascript:window.__pwned='md-link')`,
  '',
  `[entity link](javascript&#58;window.__pwned='entity')`,
  '',
  `[spaced link](<java script:window.__pwned='spaced'>)`,
  '',
  '[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '',
  `![image](javascript:window.__pwned='image')`,
  '',
  '![pixel](data:image/png;base64,iVBORw0KGgo=)',
  '',
  `<javascript:window.__pwned='autolink'>`,
  '',
  '[vb link](vbscript:msgbox(1))',
  '',
  '[good link](https://example.com/page) and [mail](mailto:a@example.com)',
].join('\n');

describe('View modes: a shared mode per pad, Markdown preview, highlighting, per-device look (VM)', () => {
  let srv: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const context = async (options: Parameters<Browser['newContext']>[0] = {}) => {
    const ctx = await browser.newContext({ viewport: DESKTOP, ...options });
    contexts.push(ctx);
    return ctx;
  };
  before(async () => {
    const webRoot = ensureWebBuild();
    mkdirSync(SCREENSHOTS, { recursive: true });
    srv = await startTestServer({ WEB_ROOT: webRoot });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const ctx of contexts) await ctx.close().catch(() => {});
    await browser?.close();
    await srv?.dispose();
  });

  async function open(path: string, ctx?: BrowserContext): Promise<Page> {
    const page = await (ctx ?? (await context())).newPage();
    await page.goto(`${srv.url}${path}`);
    await page.waitForSelector('.cm-content', { timeout: WAIT_MS });
    await waitForStatus(page, 'saved', WAIT_MS);
    return page;
  }

  const putText = async (pad: string, text: string) =>
    assert.equal((await fetch(`${srv.url}/api/pads/${pad}/text`, { method: 'PUT', body: text })).status, 200);

  /**
   * Opens the View menu; where the bar is too narrow for it (a phone, or a desktop whose status
   * word grew, e.g. offline) the button lives in the More menu, as the top-bar convention says.
   */
  async function openViewMenu(page: Page): Promise<void> {
    if (!(await page.locator('[data-testid="view-mode-button"]').isVisible()))
      await page.click('[data-testid="topbar-more"]');
    await page.click('[data-testid="view-mode-button"]');
  }

  /** Picks a mode from the top bar's menu, as a person would, and closes the menu with Escape. */
  async function chooseMode(page: Page, mode: string): Promise<void> {
    await openViewMenu(page);
    await page.selectOption('[data-testid="view-mode-select"]', mode);
    await page.keyboard.press('Escape');
    await page.waitForSelector('.view-popover', { state: 'detached', timeout: WAIT_MS });
  }

  it('VM1 switching the mode in one tab switches another browser live and after a reload; the text API and history ignore it', async () => {
    const pad = newPadId('live');
    const text = '# Title\n\nsome *text*\n';
    await putText(pad, text);
    const a = await open(`/${pad}`);
    const b = await open(`/${pad}`);
    assert.equal(await modeOf(b), 'plain');

    await chooseMode(a, 'markdown');
    await waitForMode(b, 'markdown');
    await b.waitForSelector('[data-testid="markdown-preview"] h1:has-text("Title")', { timeout: WAIT_MS });
    assert.equal((await b.textContent('[data-testid="view-mode-button"]'))?.trim(), 'Markdown');

    await chooseMode(a, 'code:python');
    await waitForMode(b, 'code:python');
    assert.equal(await b.locator('[data-testid="markdown-preview"]').count(), 0, 'the preview goes with the mode');
    await waitForStatus(a, 'saved', WAIT_MS);

    await b.reload();
    await waitForMode(b, 'code:python');
    // A browser that never saw the pad gets it from the server, not from its own cache.
    const c = await open(`/${pad}`);
    await waitForMode(c, 'code:python');

    // The mode lives beside the text: what the text API, a saved version and its restore read is the text alone.
    assert.equal(await (await fetch(`${srv.url}/${pad}.txt`)).text(), text);
    const saved = await fetch(`${srv.url}/api/pads/${pad}/versions`, { method: 'POST', body: '{}' });
    assert.equal(saved.status, 201, await saved.clone().text());
    const { id } = ((await saved.json()) as { version: { id: string } }).version;
    assert.equal(await (await fetch(`${srv.url}/api/pads/${pad}/versions/${id}`)).text(), text);
  });

  it('VM2 the Markdown preview renders headings, lists and code, and no script, handler or script link from the pad text', async () => {
    const pad = newPadId('md');
    await putText(pad, HOSTILE_MARKDOWN);
    const page = await (await context()).newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => (dialogs.push(d.message()), void d.dismiss()));
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective}: ${e.blockedURI}`));
    });
    await page.goto(`${srv.url}/${pad}`);
    await waitForStatus(page, 'saved', WAIT_MS);
    await chooseMode(page, 'markdown');
    const preview = '[data-testid="markdown-preview"]';
    await page.waitForSelector(`${preview} h1`, { timeout: WAIT_MS });

    const seen = await page.evaluate((sel) => {
      const root = document.querySelector(sel)!;
      const all = Array.from(root.querySelectorAll('*'));
      return {
        h1: root.querySelector('h1')?.textContent,
        h2: root.querySelector('h2')?.textContent,
        ul: Array.from(root.querySelectorAll('ul > li')).map((li) => li.textContent),
        ol: Array.from(root.querySelectorAll('ol > li')).map((li) => li.textContent),
        inlineCode: root.querySelector('p > code')?.textContent,
        block: root.querySelector('pre > code')?.textContent,
        tags: [...new Set(all.map((e) => e.tagName.toLowerCase()))].sort(),
        handlers: all.flatMap((e) => e.getAttributeNames().filter((n) => n.toLowerCase().startsWith('on'))),
        styles: all.filter((e) => e.hasAttribute('style')).length,
        links: Array.from(root.querySelectorAll('a')).map((a) => ({
          href: a.getAttribute('href'),
          protocol: a.protocol, // as the browser resolves it
          rel: a.getAttribute('rel'),
          target: a.getAttribute('target'),
        })),
        text: root.textContent ?? '',
      };
    }, preview);
    assert.equal(seen.h1, 'Heading one');
    assert.equal(seen.h2, 'Heading two');
    assert.deepEqual(seen.ul, ['item a', 'item b']);
    assert.deepEqual(seen.ol, ['first', 'second']);
    assert.equal(seen.inlineCode, 'inline code');
    assert.equal(seen.block, 'const block = 1;\n');
    for (const bad of ['script', 'img', 'svg', 'iframe', 'object', 'embed', 'style', 'form', 'input'])
      assert.ok(!seen.tags.includes(bad), `no <${bad}> in the preview (tags: ${seen.tags.join(' ')})`);
    assert.deepEqual(seen.handlers, [], 'no on* attribute');
    assert.equal(seen.styles, 0, 'no style attribute');
    // Every link resolves to http(s) or mailto (a relative one, like `java%20script:`, stays on this
    // server); every javascript:, data: and vbscript: one stays text.
    for (const l of seen.links) assert.ok(['http:', 'https:', 'mailto:'].includes(l.protocol), JSON.stringify(l));
    const hrefs = seen.links.map((l) => l.href);
    assert.ok(hrefs.includes('https://example.com/page') && hrefs.includes('mailto:a@example.com'), hrefs.join(' '));
    assert.ok(!hrefs.some((h) => /^\s*(javascript|data|vbscript):/i.test(h ?? '')), hrefs.join(' '));
    for (const l of seen.links) assert.deepEqual([l.rel, l.target], ['noopener noreferrer nofollow', '_blank']);
    assert.match(seen.text, /<script>window.__pwned = 'script'<\/script>/, 'raw HTML shows as text');
    assert.match(seen.text, /\[js link\]\(javascript:/, 'a javascript: link shows as text');

    // Click everything in the preview that looks like a link but is not an http(s)/mailto one.
    for (const label of ['raw link', 'js link', 'entity link', 'spaced link', 'data link', 'image', 'vb link'])
      await page.click(`${preview} >> text=${label}`, { timeout: WAIT_MS }).catch(() => {});
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned ?? null), null);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations), []);
    assert.equal(new URL(page.url()).pathname, `/${pad}`, 'no click navigated away');

    // Live: typing re-renders the preview.
    await page.click('.cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n\n### Typed later\n');
    await page.waitForSelector(`${preview} h3:has-text("Typed later")`, { timeout: WAIT_MS });
  });

  it('VM5 highlighting for a chosen language applies token classes, loaded on first use; plain removes them', async () => {
    const pad = newPadId('code');
    await putText(pad, 'def greet(name):\n    return "hi " + name  # a comment\n\nanswer = 42\n');
    const page = await open(`/${pad}`);
    assert.equal(await page.locator('.cm-content [class*="tok-"]').count(), 0, 'a plain pad has no tokens');
    const scripts: string[] = [];
    page.on('response', (r) => r.url().includes('/assets/') && r.url().endsWith('.js') && scripts.push(r.url()));
    await chooseMode(page, 'code:python');
    await waitForMode(page, 'code:python');
    await page.waitForSelector('.cm-content .tok-keyword', { timeout: WAIT_MS });
    const tokens = await page.evaluate(() =>
      Object.fromEntries(
        ['keyword', 'string', 'comment', 'number'].map((t) => [
          t,
          Array.from(document.querySelectorAll(`.cm-content .tok-${t}`)).map((e) => e.textContent),
        ]),
      ),
    );
    assert.ok(tokens.keyword!.includes('def') && tokens.keyword!.includes('return'), JSON.stringify(tokens));
    assert.deepEqual(tokens.string, ['"hi "']);
    assert.deepEqual(tokens.comment, ['# a comment']);
    assert.deepEqual(tokens.number, ['42']);
    assert.ok(scripts.length > 0, 'the grammar was fetched when chosen, not with the page');
    // Coloured from the theme's variables, not left in the text colour.
    const [kw, fg] = await page.evaluate(() => [
      getComputedStyle(document.querySelector('.cm-content .tok-keyword')!).color,
      getComputedStyle(document.querySelector('.cm-content')!).color,
    ]);
    assert.notEqual(kw, fg);

    await chooseMode(page, 'code:javascript');
    await page.click('.cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('const x = `t`;');
    await page.waitForSelector('.cm-content .tok-keyword:has-text("const")', { timeout: WAIT_MS });

    await chooseMode(page, 'plain');
    await waitForMode(page, 'plain');
    await page.waitForFunction(() => !document.querySelector('.cm-content [class*="tok-"]'), null, {
      timeout: WAIT_MS,
    });
  });

  it('VM3 a hostile value in the shared mode (from a stock Yjs client) shows plain text; a valid one still applies', async () => {
    const pad = newPadId('hostile');
    await putText(pad, '# not a heading while plain\n');
    const page = await open(`/${pad}`);
    const doc = new Y.Doc();
    const evil = new WebsocketProvider(srv.wsUrl, pad, doc, { WebSocketPolyfill: WebSocket as never, disableBc: true });
    try {
      await waitFor(() => evil.synced && doc.getText('content').length > 0, 'stock client synced', WAIT_MS);
      const view = doc.getMap('view');
      // A valid value first, so each hostile one below is a change the page must notice.
      const hostile: unknown[] = [
        '<img src=x onerror=alert(1)>',
        'code:__proto__',
        'code:constructor',
        'code:toString',
        'javascript:alert(1)',
        'Markdown',
        ' markdown',
        { mode: 'markdown' },
        ['markdown'],
        42,
        null,
        new Y.Text('markdown'),
      ];
      for (const value of hostile) {
        view.set('mode', 'markdown');
        await waitForMode(page, 'markdown');
        view.set('mode', value as never);
        await waitForMode(page, 'plain').catch(() => {
          throw new Error(`the page did not fall back to plain for ${JSON.stringify(value)}`);
        });
        assert.equal((await page.textContent('[data-testid="view-mode-button"]'))?.trim(), 'Plain text');
        assert.equal(await page.locator('[data-testid="markdown-preview"]').count(), 0);
        assert.equal(await page.locator('.cm-content [class*="tok-"]').count(), 0);
      }
    } finally {
      evil.destroy();
      doc.destroy();
    }
    // And one that reloads with a hostile value stored opens plain.
    await page.reload();
    await waitForStatus(page, 'saved', WAIT_MS);
    assert.equal(await modeOf(page), 'plain');
  });

  it('VM4 monospace and wrap are per device: kept across reloads, other browsers and tabs already open keep theirs', async () => {
    const pad = newPadId('device');
    await putText(pad, `${'a long line '.repeat(40)}\nshort\n`);
    const mine = await context();
    const a = await open(`/${pad}`, mine);
    const sameDeviceOpen = await open(`/${pad}`, mine);
    const other = await open(`/${pad}`);
    const look = (page: Page) =>
      page.evaluate(() => ({
        proportional: document.querySelector('.cm-editor')!.classList.contains('pm-proportional'),
        wrap: document.querySelector('.cm-content')!.classList.contains('cm-lineWrapping'),
        font: getComputedStyle(document.querySelector('.cm-scroller')!).fontFamily,
      }));
    const before = await look(a);
    assert.deepEqual([before.proportional, before.wrap], [false, true], 'default: monospace, wrapped');

    await a.click('[data-testid="view-mode-button"]');
    await a.uncheck('[data-testid="view-monospace"]');
    await a.uncheck('[data-testid="view-wrap"]');
    await a.keyboard.press('Escape');
    const after = await look(a);
    assert.deepEqual([after.proportional, after.wrap], [true, false]);
    assert.notEqual(after.font, before.font, 'the font really changed');

    await a.waitForTimeout(300);
    assert.deepEqual(await look(other), before, 'another browser is untouched');
    assert.deepEqual(await look(sameDeviceOpen), before, 'a tab already open keeps its look');
    assert.equal(await modeOf(other), 'plain', 'the shared mode did not change');

    await a.reload();
    await a.waitForSelector('.cm-content', { timeout: WAIT_MS });
    assert.deepEqual(await look(a), after, 'kept across a reload');
    const later = await open(`/${pad}`, mine);
    assert.deepEqual(await look(later), after, 'a tab opened later on this device gets it');
    assert.deepEqual(await look(await open(`/${pad}`)), before, 'a new browser gets the defaults');
  });

  it('VM6 a read-only link shows the shared mode but cannot change it; a forced write is refused by the server', async () => {
    const pad = newPadId('ro');
    const claim = await fetch(`${srv.url}/api/pads/${pad}/claim`, { method: 'POST', body: '{}' });
    assert.equal(claim.status, 201);
    const { ownerToken } = (await claim.json()) as { ownerToken: string };
    const link = await fetch(`${srv.url}/api/pads/${pad}/read-only-link`, {
      method: 'POST',
      headers: { [OWNER_HEADER]: ownerToken },
    });
    const { url } = (await link.json()) as { url: string };
    await putText(pad, '# Shared heading\n');
    const writer = await open(`/${pad}`);
    await chooseMode(writer, 'markdown');
    await waitForStatus(writer, 'saved', WAIT_MS);

    const viewer = await open(url);
    await waitForMode(viewer, 'markdown');
    await viewer.waitForSelector('[data-testid="markdown-preview"] h1:has-text("Shared heading")', {
      timeout: WAIT_MS,
    });
    await viewer.click('[data-testid="view-mode-button"]');
    assert.equal(await viewer.isDisabled('[data-testid="view-mode-select"]'), true);
    assert.equal(await viewer.isEnabled('[data-testid="view-monospace"]'), true, 'the device toggles still work');
    await viewer.keyboard.press('Escape');

    // Past the disabled control, straight into the doc: the server refuses the write (4405) and nobody sees it.
    await viewer.evaluate(() => (window.padmesh!.doc as unknown as Y.Doc).getMap('view').set('mode', 'code:python'));
    await viewer.waitForFunction(() => window.padmesh?.status === 'failed', null, { timeout: WAIT_MS });
    await writer.waitForTimeout(500);
    assert.equal(await modeOf(writer), 'markdown');
    const fresh = await open(`/${pad}`);
    await waitForMode(fresh, 'markdown');
  });

  it('VM2 a huge pad previews its first 200,000 characters and says so (bounded work for every reader)', async () => {
    const pad = newPadId('huge');
    const head = '# Start of a huge pad\n\n';
    await putText(pad, head + 'filler line of text\n'.repeat(15_000) + '\n# TAIL-MARKER\n');
    const page = await open(`/${pad}`);
    await chooseMode(page, 'markdown');
    const cut = await page.waitForSelector('[data-testid="markdown-preview-cut"]', { timeout: WAIT_MS });
    assert.match((await cut.textContent()) ?? '', /first 200,000 characters of 300,0\d\d/);
    assert.equal(await page.locator('[data-testid="markdown-preview"] h1:has-text("Start of a huge pad")').count(), 1);
    assert.equal(await page.locator('[data-testid="markdown-preview"] :text("TAIL-MARKER")').count(), 0);
  });

  it('VM5 once the service worker is installed, Markdown and a grammar never fetched before still load offline', async () => {
    const pad = newPadId('offline');
    await putText(pad, '# Offline heading\n\nfn main() { let x = 1; }\n');
    const ctx = await context();
    const page = await open(`/${pad}`, ctx);
    await page.waitForFunction(
      () => navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller),
      null,
      {
        timeout: WAIT_MS,
      },
    );
    await ctx.setOffline(true);
    await waitForStatus(page, 'offline', WAIT_MS);
    await chooseMode(page, 'markdown');
    await page.waitForSelector('[data-testid="markdown-preview"] h1:has-text("Offline heading")', { timeout: WAIT_MS });
    await chooseMode(page, 'code:rust');
    await page.waitForSelector('.cm-content .tok-keyword:has-text("fn")', { timeout: WAIT_MS });
    await ctx.setOffline(false);
    await waitForStatus(page, 'saved', WAIT_MS);
    const other = await open(`/${pad}`);
    await waitForMode(other, 'code:rust');
  });

  it('VM7 keyboard: Tab reaches the view button, Enter opens the menu on its select, Escape closes it and returns focus', async () => {
    const pad = newPadId('keys');
    await putText(pad, 'text\n');
    const page = await open(`/${pad}`);
    const label = await page.getAttribute('[data-testid="view-mode-button"]', 'aria-label');
    assert.equal(label, 'View: Plain text');
    await page.focus('[data-testid="view-mode-button"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.view-popover[role="dialog"]', { timeout: WAIT_MS });
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'view-mode-select');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'view-monospace');
    await page.keyboard.press('Escape');
    await page.waitForSelector('.view-popover', { state: 'detached', timeout: WAIT_MS });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'view-mode-button');
    // Reachable from the pad name by Tab alone (no tabindex tricks).
    const order: string[] = [];
    await page.focus('.brand');
    for (let i = 0; i < 12 && !order.includes('view-mode-button'); i++) {
      await page.keyboard.press('Tab');
      order.push((await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) ?? '');
    }
    assert.ok(order.includes('view-mode-button'), `Tab order: ${order.join(', ')}`);
  });

  it('VM8 screenshots: Markdown side by side (desktop) and toggled (phone), code highlighting, light and dark', async () => {
    const pad = newPadId('shots');
    const md = [
      '# Meeting notes',
      '',
      'Decisions from **Tuesday**, see [the plan](https://example.com/plan).',
      '',
      '## Actions',
      '',
      '- Ship the Markdown preview',
      '- Check it on a phone',
      '- Write the `README` section',
      '',
      '> Nothing from the pad text ever runs as script.',
      '',
      '```',
      'npm run build -w @padmesh/web',
      '```',
      '',
      '| who | what |',
      '| --- | --- |',
      '| Ana | preview |',
      '| Bo | phone |',
    ].join('\n');
    await putText(pad, md);
    const setup = await open(`/${pad}`);
    await chooseMode(setup, 'markdown');
    await waitForStatus(setup, 'saved', WAIT_MS);
    for (const scheme of ['light', 'dark'] as const) {
      const desk = await open(`/${pad}`, await context({ viewport: DESKTOP, colorScheme: scheme }));
      await desk.waitForSelector('[data-testid="markdown-preview"] table', { timeout: WAIT_MS });
      await desk.screenshot({ path: `${SCREENSHOTS}/view-markdown-desktop-${scheme}.png` });

      const phone = await open(
        `/${pad}`,
        await context({ viewport: PHONE, colorScheme: scheme, isMobile: true, hasTouch: true }),
      );
      await phone.waitForSelector('[data-testid="view-show-preview"]', { timeout: WAIT_MS });
      assert.equal(await phone.isVisible('[data-testid="markdown-preview"]'), false, 'phone: text first');
      await phone.screenshot({ path: `${SCREENSHOTS}/view-markdown-phone-text-${scheme}.png` });
      await phone.tap('[data-testid="view-show-preview"]');
      await phone.waitForSelector('[data-testid="markdown-preview"] h1', { state: 'visible', timeout: WAIT_MS });
      assert.equal(await phone.isVisible('.cm-editor'), false, 'phone: the preview replaces the text');
      const width = await phone.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= PHONE.width, `nothing wider than the phone (${width} px)`);
      await phone.screenshot({ path: `${SCREENSHOTS}/view-markdown-phone-preview-${scheme}.png` });
    }

    const code = newPadId('shots-code');
    await putText(
      code,
      [
        'import { readFile } from "node:fs/promises";',
        '',
        '// Counts the lines of a file.',
        'export async function countLines(path: string): Promise<number> {',
        '  const text = await readFile(path, "utf8");',
        '  return text.split("\\n").length - 1;',
        '}',
      ].join('\n'),
    );
    const codeSetup = await open(`/${code}`);
    await chooseMode(codeSetup, 'code:typescript');
    await waitForStatus(codeSetup, 'saved', WAIT_MS);
    for (const scheme of ['light', 'dark'] as const) {
      const desk = await open(`/${code}`, await context({ viewport: DESKTOP, colorScheme: scheme }));
      await desk.waitForSelector('.cm-content .tok-keyword', { timeout: WAIT_MS });
      await desk.click('[data-testid="view-mode-button"]');
      await desk.waitForSelector('.view-popover', { timeout: WAIT_MS });
      await desk.screenshot({ path: `${SCREENSHOTS}/view-code-menu-desktop-${scheme}.png` });
      const phone = await open(`/${code}`, await context({ viewport: PHONE, colorScheme: scheme, isMobile: true }));
      await phone.waitForSelector('.cm-content .tok-keyword', { timeout: WAIT_MS });
      await phone.screenshot({ path: `${SCREENSHOTS}/view-code-phone-${scheme}.png` });
      await openViewMenu(phone);
      const menu = (await phone.locator('.view-popover').boundingBox())!;
      assert.ok(menu.x >= 0 && menu.x + menu.width <= PHONE.width, `the menu fits the phone: ${JSON.stringify(menu)}`);
      await phone.screenshot({ path: `${SCREENSHOTS}/view-menu-phone-${scheme}.png` });
    }
  });
});
