import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

interface Version {
  id: string;
  name: string | null;
  authors: { name: string; color: string }[];
  size: number;
  reason: string;
  createdAt: number;
}

const versions = async (srv: TestServer, pad: string) =>
  ((await (await fetch(`${srv.url}/api/pads/${pad}/versions`)).json()) as { versions: Version[] }).versions;
const save = async (srv: TestServer, pad: string, name?: string) => {
  const res = await fetch(`${srv.url}/api/pads/${pad}/versions`, {
    method: 'POST',
    body: name === undefined ? '' : JSON.stringify({ name }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { version: Version }).version;
};

/**
 * The history API's shape over real HTTP and SQLite. The recording rules themselves (idle and
 * interval timing, authors, restore through the CRDT, retention) run on the harness with a
 * manual clock in test/room/versions.test.ts.
 */
describe('Document history', () => {
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-history-'));
  const servers: TestServer[] = [];
  const clients: RawClient[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const s = await startTestServer({ DATA_DIR: dir, VERSION_IDLE_MS: '600000', ...env });
    servers.push(s);
    return s;
  };
  const client = async (s: TestServer, pad: string, name: string) => {
    const c = await new RawClient(s.wsUrl, pad).ready();
    c.awareness.setLocalStateField('user', { name, color: '#d1495b' });
    clients.push(c);
    return c;
  };
  after(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('V1-V5 the history API over HTTP: record, list, read, JSON spans, restore, errors; versions survive a restart', async () => {
    let srv = await start();
    const ann = await client(srv, 'vh', 'Ann');
    ann.insert(0, 'first draft');
    await ann.saved();
    const res = await fetch(`${srv.url}/api/pads/vh/versions`, {
      method: 'POST',
      body: JSON.stringify({ name: 'one' }),
    });
    assert.equal(res.status, 201);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const { version: one } = (await res.json()) as { version: Version };
    assert.match(one.id, /^[0-9a-f]{16}$/);
    assert.equal(one.name, 'one');
    assert.equal(one.reason, 'request');
    assert.equal(one.size, 'first draft'.length);
    assert.equal(typeof one.createdAt, 'number');
    ann.insert(11, ', revised');
    await ann.saved();
    const two = await save(srv, 'vh');
    assert.equal(two.name, null);
    const listed = (await (await fetch(`${srv.url}/api/pads/vh/versions`)).json()) as {
      pad: string;
      versions: Version[];
    };
    assert.equal(listed.pad, 'vh');
    assert.deepEqual(
      listed.versions.map((v) => v.id),
      [two.id, one.id],
      'newest first',
    );
    const plain = await fetch(`${srv.url}/api/pads/vh/versions/${one.id}`);
    assert.match(plain.headers.get('content-type') ?? '', /text\/plain/);
    assert.equal(await plain.text(), 'first draft');
    const json = (await (await fetch(`${srv.url}/api/pads/vh/versions/${two.id}?format=json`)).json()) as {
      version: Version;
      text: string;
      spans: { from: number; to: number; author: { name: string; color: string } | null }[];
    };
    assert.equal(json.version.id, two.id);
    assert.equal(json.text, 'first draft, revised');
    assert.deepEqual(json.spans[0], { from: 0, to: 20, author: { name: 'Ann', color: '#d1495b' } });
    const restore = await fetch(`${srv.url}/api/pads/vh/versions/${one.id}/restore`, { method: 'POST' });
    assert.equal(restore.status, 200);
    const restored = (await restore.json()) as { restored: string; version: Version };
    assert.equal(restored.restored, one.id);
    assert.equal(restored.version.reason, 'restore');
    assert.equal(await (await fetch(`${srv.url}/vh.txt`)).text(), 'first draft');
    assert.equal((await fetch(`${srv.url}/api/pads/vh/versions/${'0'.repeat(16)}`)).status, 404);
    assert.equal((await fetch(`${srv.url}/api/pads/vh/versions/not-an-id`)).status, 400);
    assert.equal((await fetch(`${srv.url}/api/pads/vh/versions`, { method: 'POST', body: '{"name": 5}' })).status, 400);
    assert.equal((await fetch(`${srv.url}/api/pads/vh/versions/${one.id}/restore`)).status, 405);
    // V2 on the embedded store: a restarted node reads the same versions from SQLite.
    ann.close();
    await srv.close();
    srv = await start();
    assert.equal(await (await fetch(`${srv.url}/api/pads/vh/versions/${one.id}`)).text(), 'first draft');
    assert.equal(await (await fetch(`${srv.url}/api/pads/vh/versions/${two.id}`)).text(), 'first draft, revised');
    assert.equal((await versions(srv, 'vh')).length, 3);
  });
});
