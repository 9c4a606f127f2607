import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { waitFor } from '../testing/wait.js';

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

describe('Document history', () => {
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-history-'));
  const servers: TestServer[] = [];
  const clients: RawClient[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const s = await startTestServer({ DATA_DIR: dir, VERSION_IDLE_MS: '300', ...env });
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

  it('V1 a pause in editing records a version with its authors and size; a request records a named one', async () => {
    const srv = await start();
    const ann = await client(srv, 'v1', 'Ann');
    await new Promise((r) => setTimeout(r, 50)); // presence reaches the server before the edit
    ann.insert(0, 'first draft');
    await ann.saved();
    const auto = await waitFor(async () => (await versions(srv, 'v1'))[0], 'a version after the pause', 5_000);
    assert.equal(auto.reason, 'idle');
    assert.equal(auto.size, 'first draft'.length);
    assert.deepEqual(
      auto.authors.map((a) => a.name),
      ['Ann'],
    );
    ann.insert(11, ', revised');
    await ann.saved();
    const named = await save(srv, 'v1', 'Before review');
    assert.equal(named.name, 'Before review');
    assert.equal(named.reason, 'request');
    const list = await versions(srv, 'v1');
    assert.equal(list[0]!.name, 'Before review', 'newest first');
    assert.equal(await (await fetch(`${srv.url}/api/pads/v1/versions/${named.id}`)).text(), 'first draft, revised');
  });

  it('V2 old versions keep their exact text after many edits and a restart', async () => {
    let srv = await start({ VERSION_IDLE_MS: '600000' });
    const c = await client(srv, 'v2', 'Bo');
    const snapshots: { id: string; text: string }[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 40; i++) {
        const t = c.doc.getText('content');
        if (t.length > 10 && i % 3 === 0) t.delete(i % t.length, 2);
        else t.insert(Math.floor(t.length / 2), `r${round}i${i} `);
      }
      await c.saved();
      snapshots.push({ id: (await save(srv, 'v2')).id, text: c.text });
    }
    c.close();
    await srv.close();
    srv = await start({ VERSION_IDLE_MS: '600000' });
    for (const s of snapshots)
      assert.equal(await (await fetch(`${srv.url}/api/pads/v2/versions/${s.id}`)).text(), s.text);
    assert.equal((await versions(srv, 'v2')).length, 5);
  });

  it('V3 restoring a version is a live edit others see, and itself a version; nothing is destroyed', async () => {
    const srv = await start({ VERSION_IDLE_MS: '600000' });
    const a = await client(srv, 'v3', 'Cy');
    const b = await client(srv, 'v3', 'Di');
    a.insert(0, 'good text');
    await a.saved();
    const good = await save(srv, 'v3', 'good');
    a.doc.getText('content').delete(0, 4);
    a.insert(0, 'oops, deleted the');
    await a.saved();
    await waitFor(() => b.text === 'oops, deleted the text', 'b sees the mistake');
    const res = await fetch(`${srv.url}/api/pads/v3/versions/${good.id}/restore`, { method: 'POST' });
    assert.equal(res.status, 200);
    const { version } = (await res.json()) as { version: Version };
    assert.equal(version.reason, 'restore');
    await waitFor(() => b.text === 'good text', 'b sees the restore live');
    const list = await versions(srv, 'v3');
    assert.ok(
      list.some((v) => v.id === good.id),
      'the restored version is still there',
    );
    assert.equal(list[0]!.reason, 'restore');
  });

  it('V4 a version can be read as JSON with text spans coloured by author', async () => {
    const srv = await start({ VERSION_IDLE_MS: '600000' });
    const e = await client(srv, 'v4', 'Eve');
    const f = await client(srv, 'v4', 'Fay');
    await new Promise((r) => setTimeout(r, 50));
    e.insert(0, 'from eve ');
    await waitFor(() => f.text === 'from eve ', 'f synced');
    f.insert(9, 'from fay');
    await Promise.all([e.saved(), f.saved()]);
    await waitFor(() => e.text === 'from eve from fay', 'e synced');
    const v = await save(srv, 'v4');
    const body = (await (await fetch(`${srv.url}/api/pads/v4/versions/${v.id}?format=json`)).json()) as {
      text: string;
      spans: { from: number; to: number; author: { name: string } | null }[];
    };
    assert.equal(body.text, 'from eve from fay');
    assert.deepEqual(
      body.spans.map((s) => [s.from, s.to, s.author?.name]),
      [
        [0, 9, 'Eve'],
        [9, 17, 'Fay'],
      ],
    );
  });

  it('V5 retention keeps the newest versions, dropping unnamed ones first; bad ids are 400/404', async () => {
    const srv = await start({ VERSION_IDLE_MS: '600000', HISTORY_MAX_VERSIONS: '3' });
    const c = await client(srv, 'v5', 'Gus');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      c.insert(c.text.length, `${i}`);
      await c.saved();
      ids.push((await save(srv, 'v5', i === 0 ? 'keep me' : undefined)).id);
    }
    const list = await versions(srv, 'v5');
    assert.equal(list.length, 3);
    assert.ok(
      list.some((v) => v.name === 'keep me'),
      'the named version outlives newer unnamed ones',
    );
    assert.equal((await fetch(`${srv.url}/api/pads/v5/versions/${ids[1]}`)).status, 404);
    assert.equal((await fetch(`${srv.url}/api/pads/v5/versions/not-an-id`)).status, 400);
    assert.equal((await fetch(`${srv.url}/api/pads/v5/versions`, { method: 'POST', body: '{"name": 5}' })).status, 400);
  });
});
