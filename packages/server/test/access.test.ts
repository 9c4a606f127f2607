import { CloseCode, OWNER_HEADER } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { waitFor } from '../testing/wait.js';

const post = (url: string, body: unknown, cookie?: string, owner?: string) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(cookie ? { cookie } : {}),
      ...(owner ? { [OWNER_HEADER]: owner } : {}),
    },
    body: JSON.stringify(body),
  });

describe('Protected pads and read-only links', () => {
  let srv: TestServer;
  const clients: RawClient[] = [];
  const client = (path: string) => {
    const c = new RawClient(srv.wsUrl, path);
    clients.push(c);
    return c;
  };
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    for (const c of clients) c.close();
    await srv.dispose();
  });

  const claim = async (pad: string) =>
    ((await (await post(`${srv.url}/api/pads/${pad}/claim`, {})).json()) as { ownerToken: string }).ownerToken;

  it('A1 a password hides and guards the pad on every route until unlocked', async () => {
    const ownerToken = await claim('secret');
    const owner = await client('secret').ready();
    owner.insert(0, 'classified');
    await owner.saved();
    const set = await post(`${srv.url}/api/pads/secret/password`, { password: 'hunter2 ✓' }, undefined, ownerToken);
    assert.equal(set.status, 200);
    assert.match(set.headers.get('set-cookie')!, /HttpOnly; SameSite=Strict/);

    assert.equal((await fetch(`${srv.url}/secret.txt`)).status, 403);
    assert.equal((await fetch(`${srv.url}/api/pads/secret/text`)).status, 403);
    assert.equal((await fetch(`${srv.url}/api/pads/secret/text`, { method: 'PUT', body: 'vandal' })).status, 403);
    assert.equal((await post(`${srv.url}/api/pads/secret/read-only-link`, {})).status, 403);
    const stranger = client('secret');
    const { code, reason } = await stranger.closed();
    assert.equal(code, CloseCode.PasswordRequired);
    assert.match(reason, /password/);
    assert.ok(!stranger.text.includes('classified'), 'nothing was sent before the close');
    assert.deepEqual(await (await fetch(`${srv.url}/api/pads/secret/access`)).json(), {
      protected: true,
      unlocked: false,
      owned: true,
      owner: false,
      readOnly: null,
      expiresAt: null,
    });

    assert.equal((await post(`${srv.url}/api/pads/secret/unlock`, { password: 'wrong' })).status, 403);
    const unlock = await post(`${srv.url}/api/pads/secret/unlock`, { password: 'hunter2 ✓' });
    assert.equal(unlock.status, 200);
    const cookie = unlock.headers.get('set-cookie')!.split(';')[0]!;
    const ok = await fetch(`${srv.url}/secret.txt`, { headers: { cookie } });
    assert.equal(await ok.text(), 'classified');
    const token = cookie.split('=')[1]!;
    const viaUrl = client(`secret?token=${token}`);
    assert.equal((await viaUrl.closed()).code, CloseCode.PasswordRequired, 'OW6 tokens in URLs are not read');
  });

  it('A1b the owner changes the password and old unlocks are void at once', async () => {
    const ownerToken = await claim('rotate');
    await post(`${srv.url}/api/pads/rotate/password`, { password: 'one' }, undefined, ownerToken);
    const cookie = (await post(`${srv.url}/api/pads/rotate/unlock`, { password: 'one' })).headers
      .get('set-cookie')!
      .split(';')[0]!;
    assert.equal(
      (await post(`${srv.url}/api/pads/rotate/password`, { password: 'two', currentPassword: 'one' }, cookie)).status,
      403,
      'a cookie and the current password are not ownership',
    );
    assert.equal(
      (await post(`${srv.url}/api/pads/rotate/password`, { password: 'two' }, undefined, ownerToken)).status,
      200,
    );
    assert.equal((await fetch(`${srv.url}/rotate.txt`, { headers: { cookie } })).status, 403, 'old unlock is void');
    assert.equal(
      (await post(`${srv.url}/api/pads/rotate/password`, { password: '' }, undefined, ownerToken)).status,
      200,
    );
    assert.equal((await fetch(`${srv.url}/rotate.txt`)).status, 200, 'empty password removes protection');
  });

  it('A1c bad bodies get a clear 400', async () => {
    const res = await post(`${srv.url}/api/pads/x/unlock`, { password: 7 });
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /password/);
    const notJson = await fetch(`${srv.url}/api/pads/x/unlock`, { method: 'POST', body: '{' });
    assert.equal(notJson.status, 400);
  });

  it('A2 a read-only link watches live and the server refuses its edits', async () => {
    const ownerToken = await claim('shared');
    const writer = await client('shared').ready();
    writer.insert(0, 'read me');
    await writer.saved();
    const { id, url } = (await (
      await post(`${srv.url}/api/pads/shared/read-only-link`, {}, undefined, ownerToken)
    ).json()) as {
      id: string;
      url: string;
    };
    assert.equal(url, `/ro/${id}`);
    assert.ok(id.length >= 20);
    const again = (await (
      await post(`${srv.url}/api/pads/shared/read-only-link`, {}, undefined, ownerToken)
    ).json()) as { id: string };
    assert.equal(again.id, id, 'one link per pad');

    const watcher = await client(`ro/${id}`).ready();
    assert.equal(watcher.text, 'read me');
    writer.insert(7, ', live');
    await waitFor(() => watcher.text === 'read me, live', 'watcher sees live edits');
    watcher.insert(0, 'graffiti ');
    const { code } = await watcher.closed();
    assert.equal(code, CloseCode.ReadOnly);
    await writer.saved();
    assert.equal(await (await fetch(`${srv.url}/shared.txt`)).text(), 'read me, live');

    const unknown = client(`ro/${'A'.repeat(24)}`);
    assert.equal((await unknown.closed()).code, CloseCode.InvalidPad);
  });

  it('A3 script-injection strings in a pad name come back escaped in the error page', async () => {
    const res = await fetch(`${srv.url}/%3Cscript%3Ealert(1)%3C%2Fscript%3E`, { headers: { accept: 'text/html' } });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.doesNotMatch(html, /<script>/);
  });
});
