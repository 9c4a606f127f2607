import { OWNER_HEADER, type AuthorList } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AUTHORS_REPLY_MAX } from '../src/history/author-routes.js';
import { authorKey } from '../src/persistence/side-data-keys.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { waitFor } from '../testing/wait.js';

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const authorsOf = (srv: TestServer, pad: string, cookie?: string) =>
  fetch(`${srv.url}/api/pads/${pad}/authors`, cookie ? { headers: { cookie } } : {});
const utf8 = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** The author map the editor's live authorship colours read (SPEC AU3), over real HTTP. */
describe('Author map API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-authors-'));
  const servers: TestServer[] = [];
  const clients: RawClient[] = [];
  const start = async (env: Record<string, string> = {}, storage?: MemoryStorage) => {
    const s = await startTestServer({ VERSION_IDLE_MS: '600000', ...env }, storage ? { storage } : {});
    servers.push(s);
    return s;
  };
  after(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("AU3 a writer's author is stored a second after her first edit, and a fresh node serves it from storage", async () => {
    const writer = await start({ DATA_DIR: dir });
    const ann = await new RawClient(writer.wsUrl, 'au-pad').ready();
    clients.push(ann);
    ann.awareness.setLocalStateField('user', { name: 'Ann', color: '#D1495B' });
    ann.insert(0, 'hello from Ann');
    await ann.saved();
    // Stored about a second after her first edit, with no version recorded (idle is 10 min here).
    await waitFor(
      async () => ((await (await authorsOf(writer, 'au-pad')).json()) as AuthorList).authors.length === 1,
      'the author stored without a version',
      5_000,
    );
    assert.deepEqual(await (await fetch(`${writer.url}/api/pads/au-pad/versions`)).json(), {
      pad: 'au-pad',
      versions: [],
    });
    ann.close();
    await writer.close();

    // A node that never had the pad open answers from storage alone.
    const fresh = await start({ DATA_DIR: dir });
    const res = await authorsOf(fresh, 'au-pad');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const list = (await res.json()) as AuthorList;
    assert.deepEqual(list, {
      pad: 'au-pad',
      authors: [{ client: ann.doc.clientID, name: 'Ann', color: '#d1495b' }],
      truncated: false,
    });
    assert.equal((await fetch(`${fresh.url}/api/pads/au-pad/authors`, { method: 'HEAD' })).status, 200);
    assert.equal((await fetch(`${fresh.url}/api/pads/au-pad/authors`, { method: 'POST' })).status, 405);
    assert.equal((await authorsOf(fresh, 'bad%20id')).status, 400);
  });

  it('AU3 a password-protected pad hides its authors until unlocked, like its text', async () => {
    const srv = await start();
    const { ownerToken } = (await (await post(`${srv.url}/api/pads/au-locked/claim`, {})).json()) as {
      ownerToken: string;
    };
    const set = await post(
      `${srv.url}/api/pads/au-locked/password`,
      { password: 'pw' },
      { [OWNER_HEADER]: ownerToken },
    );
    assert.equal(set.status, 200);
    const locked = await authorsOf(srv, 'au-locked');
    assert.equal(locked.status, 403);
    assert.doesNotMatch(await locked.text(), /authors/);
    const unlock = await post(`${srv.url}/api/pads/au-locked/unlock`, { password: 'pw' });
    const cookie = unlock.headers.get('set-cookie')!.split(';')[0]!;
    assert.equal((await authorsOf(srv, 'au-locked', cookie)).status, 200);
  });

  it('AU3 a reply is bounded in entries and carries only checked names and #rrggbb colours', async () => {
    const storage = new MemoryStorage();
    const pad = 'au-many';
    const puts = [];
    for (let client = 1; client <= AUTHORS_REPLY_MAX + 10; client++)
      puts.push(storage.records.put(authorKey(pad, client), utf8({ name: `P${client}`, color: '#112233' })));
    // Stored before the checks existed, or by a buggy node: never reaches a style.
    puts.push(storage.records.put(authorKey(pad, 0), utf8({ name: 'Evil', color: 'red;position:fixed' })));
    await Promise.all(puts);
    const srv = await start({}, storage);
    const list = (await (await authorsOf(srv, pad)).json()) as AuthorList;
    assert.equal(list.authors.length, AUTHORS_REPLY_MAX);
    assert.equal(list.truncated, true);
    assert.ok(list.authors.every((a) => /^#[0-9a-f]{6}$/.test(a.color) && a.name !== 'Evil'));
  });
});
