import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/** The page the browser tests open as `/~pads` ("My pads", tests/e2e/my-pads.test.ts). */
describe('"My pads" page route', () => {
  const webRoot = mkdtempSync(join(tmpdir(), 'padmesh-web-'));
  let srv: TestServer;
  before(async () => {
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>app shell</title>');
    srv = await startTestServer({ WEB_ROOT: webRoot });
  });
  after(async () => {
    await srv.dispose();
    rmSync(webRoot, { recursive: true, force: true });
  });

  it('MP7 GET /~pads serves the app page, with the page CSP; it names no pad and other ~ paths stay refused', async () => {
    for (const path of ['/~pads', '/~pads/']) {
      const res = await fetch(`${srv.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(await res.text(), /app shell/);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    }
    assert.equal((await fetch(`${srv.url}/~pads`, { method: 'HEAD' })).status, 200);
    // Anything else with a `~` is still a pad name, and not a valid one.
    const other = await fetch(`${srv.url}/~padsx`);
    assert.equal(other.status, 400);
    assert.equal((await fetch(`${srv.url}/~pads/history`)).status, 400);
    // It is a page, not an API: writes are refused like on any page.
    assert.equal((await fetch(`${srv.url}/~pads`, { method: 'POST' })).status, 404);
  });

  it('MP7 without a web build /~pads says so (503), like a pad page', async () => {
    const bare = await startTestServer({ WEB_ROOT: join(webRoot, 'missing') });
    try {
      const res = await fetch(`${bare.url}/~pads`);
      assert.equal(res.status, 503);
    } finally {
      await bare.dispose();
    }
  });
});
