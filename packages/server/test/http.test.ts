import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { waitFor } from '../testing/wait.js';

describe('HTTP routes', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv.dispose());

  it('H1 / redirects to a fresh random pad id', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${srv.url}/`, { redirect: 'manual' });
      assert.equal(res.status, 302);
      const loc = res.headers.get('location')!;
      assert.match(loc, /^\/[a-z2-9]{12}$/);
      ids.add(loc);
    }
    assert.equal(ids.size, 20);
  });

  it('H2 an invalid pad name is a 400 with the reason', async () => {
    const res = await fetch(`${srv.url}/${'x'.repeat(65)}`, { headers: { accept: 'text/html' } });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /65 characters long; the limit is 64/);
    const api = await fetch(`${srv.url}/api/pads/bad!name/text`);
    assert.equal(api.status, 400);
    assert.match((await api.json()).error, /letters, digits/);
  });

  it('H3 GET <pad>.txt returns the text as text/plain', async () => {
    const c = await new RawClient(srv.wsUrl, 'h3').ready();
    c.insert(0, 'plain ünïcødé 🎉');
    await c.saved();
    const res = await fetch(`${srv.url}/h3.txt`);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), 'plain ünïcødé 🎉');
    const api = await fetch(`${srv.url}/api/pads/h3/text`);
    assert.equal(await api.text(), 'plain ünïcødé 🎉');
    c.close();
  });

  it('H4 PUT replaces the text through the CRDT; a connected editor sees it live', async () => {
    const c = await new RawClient(srv.wsUrl, 'h4').ready();
    c.insert(0, 'old line one\nold line two\n');
    await c.saved();
    const body = 'new line one\nold line two\nthree 🎉\n';
    const res = await fetch(`${srv.url}/api/pads/h4/text`, { method: 'PUT', body });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { pad: 'h4', length: body.length, saved: true });
    await waitFor(() => c.text === 'new line one\nold line two\nthree 🎉\n', 'live replacement');
    c.close();
  });

  it('H5 PUT with an oversize or non-UTF-8 body is refused and changes nothing', async () => {
    const big = await fetch(`${srv.url}/api/pads/h5/text`, { method: 'PUT', body: 'x'.repeat(9 * 1024 * 1024) }).catch(
      (e: Error) => e,
    );
    if (!(big instanceof Error)) assert.equal(big.status, 413);
    const bad = await fetch(`${srv.url}/api/pads/h5/text`, { method: 'PUT', body: new Uint8Array([0xff, 0xfe, 0x41]) });
    assert.equal(bad.status, 400);
    assert.equal(await (await fetch(`${srv.url}/h5.txt`)).text(), '');
  });

  it('H6 health, readiness and metrics', async () => {
    assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
    const ready = await fetch(`${srv.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal((await ready.json()).status, 'ready');
    const m = await (await fetch(`${srv.url}/metrics`)).text();
    for (const name of [
      'padmesh_connections',
      'padmesh_open_pads',
      'padmesh_updates_total',
      'padmesh_commit_seconds_bucket',
    ]) {
      assert.ok(m.includes(name), `metrics include ${name}`);
    }
  });

  it('H7 unknown API paths are 404 JSON; methods are checked', async () => {
    assert.equal((await fetch(`${srv.url}/api/nope`)).status, 404);
    assert.equal((await fetch(`${srv.url}/api/pads/h7/text`, { method: 'DELETE' })).status, 405);
  });

  it('H8 a connection that never sends a whole request does not hold a closing server open', async () => {
    const other = await startTestServer();
    const { port } = new URL(other.url);
    // A browser's preconnect (no bytes) and a client that stopped half-way through its headers.
    const sockets = [connect(Number(port), '127.0.0.1'), connect(Number(port), '127.0.0.1')];
    await Promise.all(sockets.map((s) => new Promise((r) => s.once('connect', r))));
    sockets[1]!.write('GET /x HTTP/1.1\r\nHost: a\r\n');
    sockets.forEach((s) => s.on('error', () => {}));
    const closed = other.dispose().then(() => 'closed');
    // Without the cut, Node's own request timeout ends these after minutes.
    const outcome = await Promise.race([
      closed,
      new Promise((r) => setTimeout(() => r('still open after 15 s'), 15_000)),
    ]);
    sockets.forEach((s) => s.destroy());
    assert.equal(outcome, 'closed');
  });
});
