import { CloseCode, encodeMessage } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { waitFor } from '../testing/wait.js';

describe('Limits and hostile input', () => {
  const servers: TestServer[] = [];
  const clients: RawClient[] = [];
  const start = async (env: Record<string, string>) => {
    const s = await startTestServer(env);
    servers.push(s);
    return s;
  };
  const client = (s: TestServer, pad: string) => {
    const c = new RawClient(s.wsUrl, pad);
    clients.push(c);
    return c;
  };
  after(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.dispose();
  });

  it('L4 a message flood past the token bucket is slowed, then closed with 4529 when sustained; nothing after it is stored', async () => {
    const s = await start({ RATE_MESSAGES_PER_SEC: '5', RATE_BURST: '10', RATE_MAX_THROTTLED_MS: '500' });
    const c = await client(s, 'flood').ready();
    for (let i = 0; i < 40; i++) c.insert(c.text.length, 'x');
    const { code, reason } = await c.closed();
    assert.equal(code, CloseCode.RateLimited);
    assert.match(reason, /messages per second, sustained/);
    const stored = await (await fetch(`${s.url}/flood.txt`)).text();
    assert.ok(stored.length < 40, `only what the bucket allowed was accepted (stored ${stored.length})`);
    const m = await (await fetch(`${s.url}/metrics`)).text();
    assert.ok(
      /padmesh_rejected_total\{reason="rate_sustained"\} 1\n/.test(m),
      'one rejection counted for the one closed connection',
    );
  });

  it('L5 a pad past its character limit refuses the update with 4413 and keeps its content', async () => {
    const s = await start({ MAX_PAD_CHARS: '100' });
    const c = await client(s, 'big').ready();
    c.insert(0, 'a'.repeat(90));
    await c.saved();
    c.insert(0, 'b'.repeat(20));
    const { code } = await c.closed();
    assert.equal(code, CloseCode.PadTooLarge);
    assert.equal(await (await fetch(`${s.url}/big.txt`)).text(), 'a'.repeat(90));
  });

  it('L6 connections per IP are capped', async () => {
    const s = await start({ MAX_CONNECTIONS_PER_IP: '3' });
    const ok = await Promise.all([0, 1, 2].map(() => client(s, 'ip').ready()));
    const fourth = client(s, 'ip');
    const { code, reason } = await fourth.closed();
    assert.equal(code, CloseCode.RateLimited);
    assert.match(reason, /more than 3 connections/);
    ok[0]!.close();
    await waitFor(async () => {
      const again = client(s, 'ip');
      await again.ready(1_000);
      return true;
    }, 'a slot frees when a connection closes');
  });

  it('L7 new pads per IP per minute are capped; existing pads still open', async () => {
    const s = await start({ MAX_NEW_PADS_PER_IP_PER_MIN: '2' });
    const a = await client(s, 'new-a').ready();
    a.insert(0, 'has content');
    await a.saved();
    await client(s, 'new-b').ready();
    const third = client(s, 'new-c');
    const { code, reason } = await third.closed();
    assert.equal(code, CloseCode.RateLimited);
    assert.match(reason, /new pads per minute/);
    await client(s, 'new-a').ready();
  });

  it('L8 a WebSocket from a foreign Origin is refused with 403; same-origin is accepted', async () => {
    const s = await start({});
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${s.wsUrl}/o`, { headers: { origin: 'https://evil.example' } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => {});
    });
    assert.equal(status, 403);
    const host = new URL(s.url).host;
    const same = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`${s.wsUrl}/o`, { headers: { origin: `http://${host}` } });
      ws.on('open', () => (ws.close(), resolve(true)));
      ws.on('error', () => resolve(false));
    });
    assert.ok(same);
  });

  it('L9 a client that stops reading is cut off without stalling others', async () => {
    const s = await start({
      MAX_SEND_BUFFER_BYTES: String(256 * 1024),
      MAX_PAD_CHARS: String(64 * 1024 * 1024),
      RATE_MESSAGES_PER_SEC: '10000',
      RATE_BURST: '10000',
    });
    const slow = await client(s, 'slow').ready();
    const reader = await client(s, 'slow').ready();
    const writer = await client(s, 'slow').ready();
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    // Loopback socket buffers absorb several MB before ws starts queueing, so send plenty.
    const chunk = 'y'.repeat(32 * 1024);
    const n = 600;
    for (let i = 0; i < n; i++) writer.insert(0, chunk);
    await waitFor(() => writer.acked === writer.sent || writer.closeCode, 'writer acked', 20_000);
    assert.equal(writer.closeCode, null, `writer closed: ${writer.closeReason}`);
    await waitFor(() => reader.text.length === n * chunk.length, 'the reading client gets everything', 20_000);
    await waitFor(
      async () =>
        /padmesh_rejected_total\{reason="slow_consumer"\} 1\n/.test(await (await fetch(`${s.url}/metrics`)).text()),
      'slow consumer cut off',
    );
  });

  it('L10 responses carry a CSP without inline scripts and nosniff', async () => {
    const s = await start({});
    const res = await fetch(`${s.url}/healthz`);
    const csp = res.headers.get('content-security-policy')!;
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });

  it('L11 a truncated frame and a sync message with a bogus state vector close with 4400', async () => {
    const s = await start({});
    const a = await client(s, 'trunc').ready();
    a.sendRaw(encodeMessage({ type: 'update', update: new Uint8Array([1, 2, 3]) }).slice(0, 3));
    assert.equal((await a.closed()).code, CloseCode.MalformedMessage);
    const b = await client(s, 'trunc').ready();
    b.sendRaw(encodeMessage({ type: 'sync-step1', stateVector: new Uint8Array([5, 1]) }));
    assert.equal((await b.closed()).code, CloseCode.MalformedMessage);
  });
});
