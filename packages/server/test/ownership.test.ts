import { CloseCode, OWNER_HEADER } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/** Attacks on pad ownership over real HTTP (SPEC "Ownership"). */
describe('Ownership: claims, owner-only changes, guessing, unlock tokens', () => {
  let srv: TestServer;
  let now = Date.now();
  const clients: RawClient[] = [];
  before(async () => {
    srv = await startTestServer({}, { now: () => now });
  });
  after(async () => {
    for (const c of clients) c.close();
    await srv.dispose();
  });
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${srv.url}/api/pads/${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const claim = async (pad: string) => {
    const res = await call('POST', `${pad}/claim`);
    assert.equal(res.status, 201);
    return ((await res.json()) as { ownerToken: string }).ownerToken;
  };
  const write = async (pad: string, text: string) => {
    const c = await new RawClient(srv.wsUrl, pad).ready();
    clients.push(c);
    c.insert(0, text);
    await c.saved();
    return c;
  };

  it('OW2 a stranger cannot set a password, rotate the link, set expiry or delete (403); a bystander pad is untouched', async () => {
    await write('public', 'team notes');
    await write('bystander', 'mine');
    for (const [method, path, body] of [
      ['POST', 'public/password', { password: 'gotcha' }],
      ['POST', 'public/read-only-link', {}],
      ['POST', 'public/read-only-link/rotate', {}],
      ['DELETE', 'public/read-only-link', undefined],
      ['PUT', 'public/expiry', { expiresAt: now + 60_000 }],
      ['DELETE', 'public', undefined],
    ] as const) {
      const res = await call(method, path, body, { [OWNER_HEADER]: 'x'.repeat(43) });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.match(((await res.json()) as { error: string }).error, /only the pad's owner can/);
    }
    assert.equal(await (await fetch(`${srv.url}/public.txt`)).text(), 'team notes');
    assert.equal(await (await fetch(`${srv.url}/bystander.txt`)).text(), 'mine');
  });

  it('OW3 OW4 OW5 claim rules: a new pad yes, an open pad with content no, a protected ownerless pad with its password', async () => {
    const token = await claim('fresh');
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await call('POST', 'fresh/claim')).status, 409, 'claimed once');
    const access = (await (await call('GET', 'fresh/access', undefined, { [OWNER_HEADER]: token })).json()) as {
      owner: boolean;
      owned: boolean;
    };
    assert.deepEqual([access.owned, access.owner], [true, true]);

    await write('busy', 'content');
    assert.equal((await call('POST', 'busy/claim')).status, 409, 'an open pad with content stays ownerless');
    assert.equal((await call('POST', 'busy/password', { password: 'x' })).status, 403);

    // An ownerless protected pad (from before ownership): a password set the legacy way.
    const { writePasswordHash } = await import('../src/access/access-records.js');
    const { hashPassword } = await import('../src/access/pad-access.js');
    const { openStorage } = await import('../src/storage/open.js');
    const storage = await openStorage(`sqlite:${srv.dataDir}/padmesh.db`);
    await writePasswordHash(storage, 'legacy', await hashPassword('old-pw'));
    await storage.close();
    assert.equal((await call('POST', 'legacy/claim')).status, 409, 'needs the password');
    assert.equal((await call('POST', 'legacy/claim', { password: 'nope' })).status, 403);
    assert.equal((await call('POST', 'legacy/claim', { password: 'old-pw' })).status, 201);
  });

  it('OW7 password guessing backs off with 429 and retry-after, on /unlock', async () => {
    const owner = await claim('vault');
    assert.equal((await call('POST', 'vault/password', { password: 'right' }, { [OWNER_HEADER]: owner })).status, 200);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await call('POST', 'vault/unlock', { password: `guess${i}` })).status);
    assert.deepEqual(statuses.slice(0, 5), [403, 403, 403, 403, 403]);
    const limited = await call('POST', 'vault/unlock', { password: 'right' });
    assert.equal(limited.status, 429, 'even the right password waits');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    now += 16 * 60_000;
    assert.equal((await call('POST', 'vault/unlock', { password: 'right' })).status, 200, 'after the wait');
  });

  it('OW6 unlock tokens: never from ?token=, not from another server secret, dead after 30 days', async () => {
    const owner = await claim('tokens');
    await call('POST', 'tokens/password', { password: 'pw' }, { [OWNER_HEADER]: owner });
    const unlocked = await call('POST', 'tokens/unlock', { password: 'pw' });
    assert.equal(unlocked.status, 200, await unlocked.clone().text());
    const cookie = unlocked.headers.get('set-cookie')!.split(';')[0]!;
    const token = cookie.split('=')[1]!;
    assert.equal((await fetch(`${srv.url}/tokens.txt`, { headers: { cookie } })).status, 200);
    assert.equal((await fetch(`${srv.url}/tokens.txt?token=${token}`)).status, 403, 'not from the URL');

    const other = await startTestServer({ DATA_DIR: srv.dataDir, SERVER_SECRET: 'z'.repeat(40) }, { now: () => now });
    try {
      assert.equal((await fetch(`${other.url}/tokens.txt`, { headers: { cookie } })).status, 403, 'other secret');
    } finally {
      await other.close();
    }
    now += 31 * 24 * 3600 * 1000;
    assert.equal((await fetch(`${srv.url}/tokens.txt`, { headers: { cookie } })).status, 403, 'expired');
  });

  it('OW10 OW11 a deleted or expired pad is gone for good: 410 over HTTP, 4410 on a new socket, no claim', async () => {
    const owner = await claim('shortlived');
    const live = await write('shortlived', 'soon gone');
    const closing = live.closed(5_000);
    const del = await call('DELETE', 'shortlived', undefined, { [OWNER_HEADER]: owner });
    assert.equal(del.status, 200);
    assert.deepEqual(await del.json(), { deleted: true });
    assert.equal((await closing).code, CloseCode.PadDeleted);
    assert.equal((await fetch(`${srv.url}/shortlived.txt`)).status, 410);
    assert.equal((await call('GET', 'shortlived/access')).status, 410);
    assert.equal((await call('POST', 'shortlived/claim')).status, 409);
    const again = new RawClient(srv.wsUrl, 'shortlived');
    clients.push(again);
    assert.equal((await again.closed()).code, CloseCode.PadDeleted, 'a cached doc cannot bring it back');

    const owner2 = await claim('dated');
    await write('dated', 'until tomorrow');
    const bad = await call('PUT', 'dated/expiry', { expiresAt: now - 1 }, { [OWNER_HEADER]: owner2 });
    assert.equal(bad.status, 400);
    const set = await call('PUT', 'dated/expiry', { expiresAt: now + 24 * 3600 * 1000 }, { [OWNER_HEADER]: owner2 });
    assert.equal(set.status, 200);
    assert.equal((await (await call('GET', 'dated/access')).json()).expiresAt, now + 24 * 3600 * 1000);
    now += 25 * 3600 * 1000;
    assert.equal((await fetch(`${srv.url}/dated.txt`)).status, 410, 'expired pads are gone before the sweeper runs');
  });
});
