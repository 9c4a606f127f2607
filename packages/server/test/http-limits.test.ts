import { CloseCode } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import WebSocket from 'ws';
import { versionStateKey } from '../src/persistence/side-data-keys.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

// Design §5: every write path passes the WebSocket's limits. Each attack also checks that a
// bystander pad on the same server still saves an edit over HTTP.

const put = (srv: TestServer, pad: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${srv.url}/api/pads/${pad}/text`, { method: 'PUT', body, headers });
const getText = async (srv: TestServer, pad: string) => (await fetch(`${srv.url}/${pad}.txt`)).text();
const post = (srv: TestServer, path: string, body?: unknown) =>
  fetch(`${srv.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** A pad written before the attack; after it, it must still take an edit (PUT then GET). */
async function bystanderStillSaves(srv: TestServer, pad = 'bystander'): Promise<void> {
  const text = `still here ${Math.random()}`;
  const res = await put(srv, pad, text);
  assert.equal(res.status, 200, await res.text());
  assert.equal(await getText(srv, pad), text);
}

describe('HTTP writes pass the same pad limits (HI7)', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ MAX_PAD_CHARS: '1000', MAX_PAD_BYTES: '4096' });
    assert.equal((await put(srv, 'bystander', 'before')).status, 200);
  });
  after(() => srv.dispose());

  it('HI7 a PUT past MAX_PAD_CHARS is 413 with a JSON reason, changes nothing, and the pad stays editable', async () => {
    assert.equal((await put(srv, 'hi7', 'keep me')).status, 200);
    const res = await put(srv, 'hi7', 'x'.repeat(1001));
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error: string }).error, /1000 characters/);
    assert.equal(await getText(srv, 'hi7'), 'keep me');
    assert.equal((await put(srv, 'hi7', 'edited after')).status, 200);
    assert.equal(await getText(srv, 'hi7'), 'edited after');
    await bystanderStillSaves(srv);
  });

  it('HI7 a PUT past MAX_PAD_BYTES is 413 and changes nothing', async () => {
    // 999 characters (under the char limit) of 3-byte UTF-8: past 4096 bytes only with the log so far.
    assert.equal((await put(srv, 'hi7b', '€'.repeat(999))).status, 200);
    const res = await put(srv, 'hi7b', '¥'.repeat(999));
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error: string }).error, /4096 bytes/);
    assert.equal(await getText(srv, 'hi7b'), '€'.repeat(999));
    await bystanderStillSaves(srv);
  });

  it('HI7 a version restore past MAX_PAD_BYTES is 413 and changes nothing', async () => {
    assert.equal((await put(srv, 'hi7r', 'a'.repeat(900))).status, 200);
    const saved = await post(srv, '/api/pads/hi7r/versions', { name: 'big' });
    assert.equal(saved.status, 201);
    const { version } = (await saved.json()) as { version: { id: string } };
    // Grow the log with replacements until the pad is near its byte limit.
    let last = '';
    for (let i = 0; i < 10; i++) {
      const next = String.fromCharCode(98 + i).repeat(900);
      if ((await put(srv, 'hi7r', next)).status !== 200) break;
      last = next;
    }
    assert.equal(await getText(srv, 'hi7r'), last);
    const res = await post(srv, `/api/pads/hi7r/versions/${version.id}/restore`);
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error: string }).error, /bytes/);
    assert.equal(await getText(srv, 'hi7r'), last);
    await bystanderStillSaves(srv);
  });
});

describe('HTTP pad creation counts against the new-pad limit (HI8)', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ MAX_NEW_PADS_PER_IP_PER_MIN: '5' });
    assert.equal((await put(srv, 'bystander', 'before')).status, 200);
  });
  after(() => srv.dispose());

  it('HI8 PUT on never-written pads past the per-address window is 429 with retry-after', async () => {
    // The bystander used one slot; four more new pads fit.
    for (let i = 0; i < 4; i++) assert.equal((await put(srv, `new${i}`, 'hello')).status, 200);
    const res = await put(srv, 'new4', 'one too many');
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    assert.equal(await getText(srv, 'new4'), '');
    // Writing to pads that exist is not creating one; a retry of an admitted pad is free.
    assert.equal((await put(srv, 'new0', 'edited')).status, 200);
    await bystanderStillSaves(srv);
  });
});

describe('version saves are bounded (HI9)', () => {
  let srv: TestServer;
  const storage = new MemoryStorage();
  before(async () => {
    srv = await startTestServer({ HISTORY_MAX_BYTES: '3000' }, { storage });
    assert.equal((await put(srv, 'bystander', 'before')).status, 200);
  });
  after(() => srv.dispose());

  const stateBytes = async (pad: string) =>
    (await storage.records.list(versionStateKey(pad, ''))).reduce((n, r) => n + r.value.length, 0);

  it('HI9 version saves past VERSION_SAVES_PER_MIN on one pad are 429', async () => {
    assert.equal((await put(srv, 'hi9', 'text')).status, 200);
    for (let i = 0; i < 10; i++)
      assert.equal((await post(srv, '/api/pads/hi9/versions', { name: `v${i}` })).status, 201);
    const res = await post(srv, '/api/pads/hi9/versions', { name: 'v10' });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    // Per pad: another pad saves a version at once.
    assert.equal((await post(srv, '/api/pads/bystander/versions', { name: 'mine' })).status, 201);
    await bystanderStillSaves(srv);
  });

  it('HI9 naming an existing state stores no second copy of it', async () => {
    assert.equal((await put(srv, 'hi9same', 'y'.repeat(500))).status, 200);
    assert.equal((await post(srv, '/api/pads/hi9same/versions', { name: 'one' })).status, 201);
    const bytes = await stateBytes('hi9same');
    assert.ok(bytes > 500);
    for (const name of ['two', 'three'])
      assert.equal((await post(srv, '/api/pads/hi9same/versions', { name })).status, 201);
    assert.equal(await stateBytes('hi9same'), bytes);
    await bystanderStillSaves(srv);
  });

  it('HI9 retention is bounded in bytes: oldest unnamed dropped first, named kept longer', async () => {
    assert.equal((await put(srv, 'hi9bytes', 'a'.repeat(800))).status, 200);
    assert.equal((await post(srv, '/api/pads/hi9bytes/versions', { name: 'keeper' })).status, 201);
    for (let i = 0; i < 5; i++) {
      assert.equal((await put(srv, 'hi9bytes', String.fromCharCode(98 + i).repeat(800))).status, 200);
      assert.equal((await post(srv, '/api/pads/hi9bytes/versions')).status, 201);
    }
    assert.ok((await stateBytes('hi9bytes')) <= 3000, `state bytes ${await stateBytes('hi9bytes')}`);
    const { versions } = (await (await fetch(`${srv.url}/api/pads/hi9bytes/versions`)).json()) as {
      versions: { name: string | null; size: number }[];
    };
    assert.ok(versions.length < 6);
    assert.ok(
      versions.some((v) => v.name === 'keeper'),
      'the named version outlives unnamed ones',
    );
    await bystanderStillSaves(srv);
  });
});

describe('hostile requests get readable answers (HI10, HI11)', () => {
  let srv: TestServer;
  /** Every log line at error level or above: a refused request must log none (no stack traces). */
  const errors: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n'))
        if (line && (JSON.parse(line) as { level: number }).level >= 50) errors.push(line);
      done();
    },
  });
  before(async () => {
    srv = await startTestServer({ MAX_HTTP_BODY_BYTES: '65536' }, { log: pino({ level: 'debug' }, sink) });
    assert.equal((await put(srv, 'bystander', 'before')).status, 200);
  });
  after(() => srv.dispose());

  it('HI10 a malformed unlock cookie is 403, never 500', async () => {
    const claim = await post(srv, '/api/pads/locked/claim', {});
    const { ownerToken } = (await claim.json()) as { ownerToken: string };
    const set = await fetch(`${srv.url}/api/pads/locked/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-padmesh-owner': ownerToken },
      body: JSON.stringify({ password: 'hunter2' }),
    });
    assert.ok(set.status < 300, `password set: ${set.status}`);
    const garbage = [
      '%E0%A4%A',
      '%',
      'zzzz.',
      `${'z'.repeat(12)}.${'A'.repeat(43)}`,
      `ffffffffffff.${'_'.repeat(43)}`,
      'x'.repeat(4000),
      '\u00ff\u00fe',
    ];
    for (const g of garbage) {
      for (const path of ['/api/pads/locked/text', '/locked.txt', '/api/pads/locked/versions']) {
        const res = await fetch(`${srv.url}${path}`, { headers: { cookie: `pm_locked=${g}` } });
        assert.equal(res.status, 403, `${path} with cookie ${JSON.stringify(g.slice(0, 20))}`);
      }
      // The WebSocket reads the same cookie: refused with 4403, not a 503 from a failed check.
      const ws = new WebSocket(`${srv.wsUrl}/locked`, { headers: { cookie: `pm_locked=${g}` } });
      const code = await new Promise<number>((done) => {
        ws.on('close', (c) => done(c));
        ws.on('error', () => done(-1));
      });
      assert.equal(code, CloseCode.PasswordRequired);
    }
    assert.deepEqual(errors, []);
    await bystanderStillSaves(srv);
  });

  it('HI11 a body over MAX_HTTP_BODY_BYTES gets a 413 the client reads, not a reset', async () => {
    const res = await put(srv, 'hi11', 'x'.repeat(1024 * 1024));
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error: string }).error, /65536 bytes/);
    assert.equal(await getText(srv, 'hi11'), '');
    await bystanderStillSaves(srv);
  });
});
