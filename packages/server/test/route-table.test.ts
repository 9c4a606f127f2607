import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { HttpError } from '../src/http/errors.js';
import { dispatch, type PadGate, type RequestContext, type Route } from '../src/http/route.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/** A request context with no socket: what a handler replied is recorded. */
function contextFor(method: string, path: string) {
  const replies: { status: number; body: unknown }[] = [];
  const ctx: RequestContext = {
    req: { method, headers: {} } as IncomingMessage,
    res: {} as ServerResponse,
    method,
    url: new URL(path, 'http://x'),
    params: {},
    ip: '127.0.0.1',
    readBody: async () => '',
    json: (status, body) => void replies.push({ status, body }),
    text: (status, body) => void replies.push({ status, body }),
  };
  return { ctx, replies };
}

/** What `dispatch` threw, as the boundary would answer it. */
async function refusal(routes: Route[], method: string, path: string, gate: PadGate = async () => true) {
  const { ctx } = contextFor(method, path);
  try {
    await dispatch(routes, ctx, gate);
  } catch (err) {
    assert.ok(err instanceof HttpError, `an HttpError, not ${String(err)}`);
    return { status: err.status, message: err.message, headers: err.headers };
  }
  assert.fail(`${method} ${path} was not refused`);
}

describe('route table (H9)', () => {
  const seen: string[] = [];
  const routes: Route[] = [
    { pattern: /^\/plain$/, handler: (ctx) => ctx.json(200, 'plain') },
    {
      pad: 'gated',
      pattern: /^\/p\/(?<pad>[^/]+)\/things\/(?<id>[^/]+)$/,
      methods: ['GET', 'HEAD'],
      params: {
        id: (raw) => {
          if (!/^\d+$/.test(raw)) throw new HttpError(400, 'ids are numbers');
          return raw;
        },
      },
      handler: (ctx) => void seen.push(`${ctx.pad}:${ctx.params.id}`),
    },
    {
      pad: 'open',
      pattern: /^\/p\/(?<pad>[^/]+)\/door$/,
      methods: ['POST'],
      wrongMethod: 'use POST',
      handler: (ctx) => ctx.json(200, ctx.pad),
    },
  ];
  const locked: PadGate = async () => false;
  const unlocked: PadGate = async () => true;

  it('runs the first matching route with decoded params, and reports no match', async () => {
    const { ctx } = contextFor('GET', '/p/my%2Dpad/things/42');
    assert.equal(await dispatch(routes, ctx, unlocked), true);
    assert.deepEqual(seen, ['my-pad:42']);
    assert.equal(await dispatch(routes, contextFor('GET', '/elsewhere').ctx, locked), false);
  });

  it('a route without methods answers every method', async () => {
    const { ctx, replies } = contextFor('DELETE', '/plain');
    assert.equal(await dispatch(routes, ctx, locked), true);
    assert.deepEqual(replies, [{ status: 200, body: 'plain' }]);
  });

  it('an unknown method is a 405 naming the allowed ones in `allow`', async () => {
    assert.deepEqual(await refusal(routes, 'PUT', '/p/a/things/1'), {
      status: 405,
      message: 'PUT not allowed here',
      headers: { allow: 'GET, HEAD' },
    });
    assert.deepEqual(await refusal(routes, 'GET', '/p/a/door'), {
      status: 405,
      message: 'use POST',
      headers: { allow: 'POST' },
    });
  });

  it('A1 a gated pad route refuses a locked pad before anything else; an open one does not', async () => {
    const gated = await refusal(routes, 'PUT', '/p/a/things/not-a-number', locked);
    assert.equal(gated.status, 403, 'the gate comes before parameter and method checks');
    const { ctx, replies } = contextFor('POST', '/p/a/door');
    assert.equal(await dispatch(routes, ctx, locked), true);
    assert.deepEqual(replies, [{ status: 200, body: 'a' }]);
  });

  it('refusals come in order: pad id (400), gate (403), parameters (400), method (405)', async () => {
    assert.equal((await refusal(routes, 'PUT', '/p/bad!pad/things/x', locked)).status, 400);
    assert.equal(
      (await refusal(routes, 'PUT', '/p/%E0%A4%A/things/x', locked)).message,
      'pad name is not valid URL encoding',
    );
    assert.equal((await refusal(routes, 'PUT', '/p/a/things/x')).message, 'ids are numbers');
    assert.equal((await refusal(routes, 'PUT', '/p/a/things/1')).status, 405);
  });
});

describe('route table on a live server', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv.dispose());

  it('H9 a 405 carries `allow` with the methods the path answers', async () => {
    const cases: [method: string, path: string, allow: string][] = [
      ['DELETE', '/api/pads/rt/text', 'GET, HEAD, PUT'],
      ['PUT', '/rt.txt', 'GET, HEAD'],
      ['DELETE', '/api/pads/rt/versions', 'GET, HEAD, POST'],
      ['GET', '/api/pads/rt/unlock', 'POST'],
      ['GET', '/api/pads/rt/claim', 'POST'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await fetch(`${srv.url}${path}`, { method });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.get('allow'), allow, `${method} ${path}`);
      assert.ok((await res.json()).error, 'a JSON error body');
    }
  });

  it('A1 OW2 on a protected pad every content and owner route is 403 for every method; access, claim and unlock stay open', async () => {
    const claim = await fetch(`${srv.url}/api/pads/rt-locked/claim`, { method: 'POST' });
    const { ownerToken } = (await claim.json()) as { ownerToken: string };
    const set = await fetch(`${srv.url}/api/pads/rt-locked/password`, {
      method: 'POST',
      headers: { 'x-padmesh-owner': ownerToken },
      body: JSON.stringify({ password: 'pw' }),
    });
    assert.equal(set.status, 200);
    const id = '0123456789abcdef';
    const gated = [
      '/rt-locked.txt',
      '/api/pads/rt-locked/text',
      '/api/pads/rt-locked/versions',
      `/api/pads/rt-locked/versions/${id}`,
      `/api/pads/rt-locked/versions/${id}/restore`,
      '/api/pads/rt-locked/versions/not-an-id',
      '/api/pads/rt-locked/read-only-link',
      '/api/pads/rt-locked/read-only-link/rotate',
      '/api/pads/rt-locked/password',
      '/api/pads/rt-locked/expiry',
      '/api/pads/rt-locked',
      '/api/pads/rt-locked/no-such-route',
    ];
    for (const path of gated)
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE']) {
        const res = await fetch(`${srv.url}${path}`, {
          method,
          body: method === 'POST' || method === 'PUT' ? 'x' : undefined,
        });
        assert.equal(res.status, 403, `${method} ${path}`);
      }
    assert.equal((await fetch(`${srv.url}/api/pads/rt-locked/access`)).status, 200);
    const wrong = await fetch(`${srv.url}/api/pads/rt-locked/unlock`, {
      method: 'POST',
      body: JSON.stringify({ password: 'nope' }),
    });
    assert.equal(wrong.status, 403);
    assert.equal(
      (await wrong.json()).error,
      'wrong password',
      'the route ran: refused for the password, not by the gate',
    );
  });
});
