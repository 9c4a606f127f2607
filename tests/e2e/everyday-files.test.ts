import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '@padmesh/server/testing';
import { clickTopBarControl, ensureWebBuild, launchBrowser, waitForStatus } from '../helpers/browser.js';

const SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** The pad's shared text as this tab sees it. */
const textOf = (page: Page) => page.evaluate(() => window.padmesh!.doc.getText('content').toString());

async function waitForText(page: Page, want: string, timeoutMs = 10_000): Promise<void> {
  try {
    await page.waitForFunction((w) => window.padmesh?.doc.getText('content').toString() === w, want, {
      timeout: timeoutMs,
    });
  } catch {
    throw new Error(`text never became ${JSON.stringify(want)}; it is ${JSON.stringify(await textOf(page))}`);
  }
}

/** Opens the File menu; on a phone the button lives in the top bar's More menu (the top-bar convention). */
async function openFileMenu(page: Page): Promise<void> {
  await clickTopBarControl(page, '[data-testid="file-menu"]');
}

/** Puts `text` into the editor as one paste-like insertion at the start (fast for long text). */
async function insert(page: Page, text: string): Promise<void> {
  await page.click('.cm-content');
  await page.keyboard.press('Control+Home');
  await page.keyboard.insertText(text);
}

/** A file dropped on the editor, as a browser builds it from a drag out of the file manager. */
async function dropFile(page: Page, name: string, type: string, text: string): Promise<void> {
  await page.evaluate(
    ({ name, type, text }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], name, { type }));
      const target = document.querySelector('.cm-content')!;
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { name, type, text },
  );
}

/** Counts Yjs updates this tab's doc emits from now on. */
const countUpdates = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { updates: number };
    w.updates = 0;
    (window.padmesh!.doc as unknown as { on(e: string, f: () => void): void }).on('update', () => w.updates++);
  });
const updates = (page: Page) => page.evaluate(() => (window as unknown as { updates: number }).updates);

describe('Browser: everyday pad, files, find, counts, dark mode (EF)', () => {
  let srv: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const open = async (pad: string, opts: Parameters<Browser['newContext']>[0] = {}) => {
    const ctx = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true, ...opts });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/${pad}`);
    await page.waitForSelector('.cm-content');
    await waitForStatus(page, 'saved');
    return page;
  };
  before(async () => {
    srv = await startTestServer({ WEB_ROOT: ensureWebBuild() });
    browser = await launchBrowser();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await srv?.dispose();
  });

  it('EF1 downloads the pad as .txt and .md (the text itself) and as .html (escaped, standalone, no script)', async () => {
    const page = await open('ef-download');
    const text = 'Title & <b>bold</b>\n<script>alert("x")</script>\n  indented \'quote\' 😀\n';
    await insert(page, text);
    await waitForStatus(page, 'saved');
    const fetchAs = async (format: string) => {
      await openFileMenu(page);
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="download-${format}"]`)]);
      return { name: dl.suggestedFilename(), body: readFileSync((await dl.path())!, 'utf8') };
    };
    assert.deepEqual(await fetchAs('txt'), { name: 'ef-download.txt', body: text });
    assert.deepEqual(await fetchAs('md'), { name: 'ef-download.md', body: text });
    const html = await fetchAs('html');
    assert.equal(html.name, 'ef-download.html');
    assert.match(html.body, /^<!doctype html>/);
    assert.ok(!html.body.includes('<script'), 'no script element in the exported page');
    assert.ok(html.body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'), html.body);
    // Opened in a browser, the page shows exactly the pad's text.
    const viewer = await contexts[0]!.newPage();
    await viewer.setContent(html.body);
    assert.equal(await viewer.textContent('pre'), text);
    await viewer.close();
  });

  it('EF2 the print view holds the whole text and none of the app (top bar, gutters, counts)', async () => {
    const page = await open('ef-print');
    const text = Array.from({ length: 800 }, (_, i) => `line ${i + 1}`).join('\n');
    await insert(page, text);
    await page.emulateMedia({ media: 'print' });
    await page.waitForFunction((n) => document.querySelector('.print-view')?.textContent?.length === n, text.length);
    assert.equal(await page.textContent('.print-view'), text);
    assert.equal(await page.isVisible('.print-view'), true);
    for (const chrome of ['.topbar', '.cm-gutters', '.cm-editor', '[data-testid="pad-counts"]'])
      assert.equal(await page.isVisible(chrome), false, `${chrome} is hidden in print`);
    await page.emulateMedia({ media: 'screen' });
    await page.waitForFunction(() => document.querySelector('.print-view')?.textContent === '');
    assert.equal(await page.isVisible('.topbar'), true);
  });

  for (const how of ['file picker', 'drop'] as const) {
    it(`EF3 import by ${how} is one minimal edit: another tab's concurrent typing elsewhere survives, and undo restores`, async () => {
      const pad = `ef-import-${how === 'drop' ? 'drop' : 'pick'}`;
      const a = await open(pad);
      const b = await open(pad);
      await insert(a, 'alpha\nbeta\ngamma\ndelta\n');
      await waitForText(b, 'alpha\nbeta\ngamma\ndelta\n');
      // B goes offline and types on the last line while A imports a file that changes the first.
      await b.context().setOffline(true);
      await b.click('.cm-line:has-text("delta")');
      await b.keyboard.press('End');
      await b.keyboard.type(' by B');
      await countUpdates(a);
      const file = 'ALPHA\nbeta\ngamma\ndelta\n';
      if (how === 'drop') await dropFile(a, 'notes.md', 'text/markdown', file);
      else
        await a.setInputFiles('[data-testid="import-input"]', {
          name: 'notes.txt',
          mimeType: 'text/plain',
          buffer: Buffer.from(file),
        });
      await waitForText(a, file);
      assert.equal(await updates(a), 1, 'the import is one Yjs transaction');
      await a.waitForSelector('.file-notice:has-text("Imported")');
      await b.context().setOffline(false);
      const merged = 'ALPHA\nbeta\ngamma\ndelta by B\n';
      await waitForText(a, merged);
      await waitForText(b, merged);
      // Undo on A reverts its import only: B's words stay.
      await a.click('.cm-content');
      await a.keyboard.press('Control+z');
      await waitForText(a, 'alpha\nbeta\ngamma\ndelta by B\n');
      await waitForText(b, 'alpha\nbeta\ngamma\ndelta by B\n');
    });
  }

  it('EF4 a file over the pad limit, or not text, is refused with a message and the text is kept', async () => {
    const page = await open('ef-refuse');
    await insert(page, 'keep me\n');
    await waitForStatus(page, 'saved');
    await page.setInputFiles('[data-testid="import-input"]', {
      name: 'huge.txt',
      mimeType: 'text/plain',
      buffer: Buffer.alloc(5_000_001, 'a'),
    });
    await page.waitForSelector('.file-notice.error[role="alert"]:has-text("too large")');
    assert.match(
      (await page.textContent('.file-notice')) ?? '',
      /“huge.txt” is too large.*5,000,000 characters.*not changed/,
    );
    assert.equal(await textOf(page), 'keep me\n');
    await page.keyboard.press('Escape');
    await page.waitForSelector('.file-notice', { state: 'detached' });

    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff, 0xfe]);
    await dropFile(page, 'photo.png', 'image/png', png.toString('latin1'));
    await page.waitForSelector('.file-notice.error:has-text("not a text file")');
    await page.setInputFiles('[data-testid="import-input"]', {
      name: 'sneaky.txt',
      mimeType: 'text/plain',
      buffer: png,
    });
    await page.waitForSelector('.file-notice.error:has-text("“sneaky.txt” is not a text file")');
    assert.equal(await textOf(page), 'keep me\n');
  });

  it('EF5 find and replace: Ctrl-F opens it, Replace all edits the pad and another tab sees it, Escape closes', async () => {
    const a = await open('ef-find');
    const b = await open('ef-find');
    await insert(a, 'the cat sat\nthe cat ran\nno dog here\n');
    await waitForText(b, 'the cat sat\nthe cat ran\nno dog here\n');
    await a.click('.cm-content');
    await a.keyboard.press('Control+f');
    await a.waitForSelector('.cm-search input[name="search"]');
    await a.fill('.cm-search input[name="search"]', 'cat');
    await a.fill('.cm-search input[name="replace"]', 'fox');
    await a.click('.cm-search button[name="replaceAll"]');
    await waitForText(b, 'the fox sat\nthe fox ran\nno dog here\n');
    await a.focus('.cm-search input[name="search"]');
    await a.keyboard.press('Escape');
    await a.waitForSelector('.cm-search', { state: 'detached' });
  });

  it('EF5 on a phone the File menu opens find, and the panel fits the screen', async () => {
    const page = await open('ef-find-phone', { viewport: PHONE, isMobile: true, hasTouch: true });
    await insert(page, 'one two three\n');
    await openFileMenu(page);
    await page.click('[data-testid="find"]');
    await page.waitForSelector('.cm-search input[name="search"]');
    const box = await page.locator('.cm-search').boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `panel within the screen: ${JSON.stringify(box)}`);
    const field = await page.locator('.cm-search input[name="search"]').boundingBox();
    assert.ok(field && field.width >= 300, `search field takes the width: ${field?.width}`);
  });

  it('EF6 go to line: Ctrl-Alt-G asks for a line and moves the cursor there', async () => {
    const page = await open('ef-goto');
    await insert(page, Array.from({ length: 200 }, (_, i) => `row ${i + 1}`).join('\n'));
    await page.click('.cm-content');
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Control+Alt+g');
    await page.waitForSelector('.cm-goto-line input[name="line"]');
    await page.fill('.cm-goto-line input[name="line"]', '137');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.cm-activeLine:text-is("row 137")');
    // From the menu too.
    await openFileMenu(page);
    await page.click('[data-testid="goto-line"]');
    await page.fill('.cm-goto-line input[name="line"]', '12');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.cm-activeLine:text-is("row 12")');
  });

  it('EF7 the status bar counts words, characters and lines, and follows every edit, local, remote and large', async () => {
    const a = await open('ef-counts');
    const b = await open('ef-counts');
    const counts = (p: Page) => p.textContent('[data-testid="pad-counts"]');
    await a.waitForSelector('[data-testid="pad-counts"]');
    assert.equal(await counts(a), '0 words · 0 characters · 1 line');
    await insert(a, 'Hello world\nsecond line 😀');
    await a.waitForSelector('[data-testid="pad-counts"]:text-is("5 words · 25 characters · 2 lines")');
    await b.waitForSelector('[data-testid="pad-counts"]:text-is("5 words · 25 characters · 2 lines")');
    await a.keyboard.type(' more');
    await b.waitForSelector('[data-testid="pad-counts"]:text-is("6 words · 30 characters · 2 lines")');
    // A large edit (here straight into the shared text, as a big remote edit arrives) is counted
    // in slices after it, not on the keystroke.
    const big = '\nlorem ipsum dolor'.repeat(20_000);
    await b.evaluate((t) => {
      const ytext = window.padmesh!.doc.getText('content') as unknown as {
        length: number;
        insert(i: number, s: string): void;
      };
      ytext.insert(ytext.length, t);
    }, big);
    const want = `${(6 + 60_000).toLocaleString('en-US')} words · ${(30 + big.length).toLocaleString('en-US')} characters · ${(2 + 20_000).toLocaleString('en-US')} lines`;
    await a.waitForSelector(`[data-testid="pad-counts"]:text-is("${want}")`);
    await b.waitForSelector(`[data-testid="pad-counts"]:text-is("${want}")`);
  });

  it('EF8 EF9 dark mode follows the system; the toggle overrides it and is remembered over a reload', async () => {
    const page = await open('ef-theme', { colorScheme: 'dark' });
    const bg = (sel: string) => page.$eval(sel, (e) => getComputedStyle(e).backgroundColor);
    const DARK = 'rgb(13, 17, 23)';
    const WHITE = 'rgb(255, 255, 255)';
    assert.equal(await bg('html'), DARK);
    assert.equal(await bg('.cm-editor'), DARK);
    assert.equal(await page.getAttribute('meta[name="color-scheme"]', 'content'), 'light dark');
    assert.equal(await page.getAttribute('[data-testid="theme-toggle"]', 'data-theme-choice'), 'system');
    await page.click('[data-testid="theme-toggle"]'); // system -> light
    assert.equal(await bg('html'), WHITE);
    assert.equal(await bg('.cm-editor'), WHITE);
    assert.equal(await page.getAttribute('meta[name="color-scheme"]', 'content'), 'light');
    await page.reload();
    await page.waitForSelector('.cm-content');
    assert.equal(await bg('.cm-editor'), WHITE, 'light is remembered over the system dark');
    assert.equal(
      await page.getAttribute('[data-testid="theme-toggle"]', 'aria-label'),
      'Theme: Light (switch to dark)',
    );
    await page.click('[data-testid="theme-toggle"]'); // light -> dark
    await page.emulateMedia({ colorScheme: 'light' });
    await page.reload();
    await page.waitForSelector('.cm-content');
    assert.equal(await bg('.cm-editor'), DARK, 'dark is remembered over the system light');
    await page.click('[data-testid="theme-toggle"]'); // dark -> system (light now)
    assert.equal(await bg('html'), WHITE);
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await bg('html'), DARK, 'system again: follows the change live');
  });

  it("EF8 in dark, another writer's caret, label and selection stay readable (screenshot)", async () => {
    const a = await open('ef-dark-carets', { colorScheme: 'dark' });
    const b = await open('ef-dark-carets');
    await insert(b, 'Dark mode keeps remote carets readable.\nSecond line of text.\n');
    await b.keyboard.press('Control+Home');
    await b.keyboard.press('Shift+End');
    await a.waitForSelector('.cm-ySelectionCaret.cm-yRecent .cm-ySelectionInfo');
    await a.waitForSelector('.cm-ySelection');
    const label = await a.$eval('.cm-ySelectionInfo', (e) => {
      const s = getComputedStyle(e);
      return { color: s.color, background: s.backgroundColor };
    });
    assert.notEqual(label.color, label.background);
    await a.screenshot({
      path: `${SHOTS}/everyday-files-dark-remote-caret.png`,
      clip: { x: 0, y: 0, width: 700, height: 200 },
    });
  });

  it('EF screenshots: desktop and phone, light and dark, with the File menu and find panel', async () => {
    for (const [device, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const page = await open(`ef-shot-${device}-${scheme}`, { viewport, colorScheme: scheme });
        await insert(
          page,
          '# Shopping\n\n- apples\n- pears <b>ripe</b>\n- bread & butter\n\nCall Sam about the cat at 5.\n',
        );
        await page.keyboard.press('Control+f');
        await page.fill('.cm-search input[name="search"]', 'cat');
        await page.keyboard.press('Enter');
        await openFileMenu(page);
        await page.waitForSelector('[data-testid="download-txt"]');
        await page.screenshot({ path: `${SHOTS}/everyday-files-${device}-${scheme}.png` });
      }
    }
  });
});
