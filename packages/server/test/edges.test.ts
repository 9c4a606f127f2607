import { CloseCode, FATAL_CLOSE_CODES } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { waitFor } from '../testing/wait.js';

/** Edges: big edits, rate push-back, transient closes with the stock client (SPEC E1-E6). */
describe('Edges', () => {
  const servers: TestServer[] = [];
  const cleanups: (() => void)[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const s = await startTestServer(env);
    servers.push(s);
    return s;
  };
  const raw = (s: TestServer, pad: string, opts?: { doc?: Y.Doc }) => {
    const c = new RawClient(s.wsUrl, pad, opts);
    cleanups.push(() => c.close());
    return c;
  };
  /** The current stock client, as an outside integrator would use it. */
  const stock = (s: TestServer, pad: string, doc = new Y.Doc()) => {
    const p = new WebsocketProvider(s.wsUrl, pad, doc, { WebSocketPolyfill: WebSocket as never, disableBc: true });
    const closes: number[] = [];
    p.on('connection-close', (ev) => ev && closes.push(ev.code));
    cleanups.push(() => (p.awareness.destroy(), p.destroy()));
    return { p, doc, text: doc.getText('content'), closes };
  };
  const stored = async (s: TestServer, pad: string) => (await fetch(`${s.url}/${pad}.txt`)).text();
  const rejected = async (s: TestServer, reason: string) => {
    const m = await (await fetch(`${s.url}/metrics`)).text();
    return Number(new RegExp(`padmesh_rejected_total\\{reason="${reason}"\\} (\\d+)`).exec(m)?.[1] ?? 0);
  };
  after(async () => {
    for (const c of cleanups) c();
    for (const s of servers) await s.dispose();
  });

  it('E1 with default limits, a 4.5 M-character edit (over MAX_MESSAGE_BYTES) saves in one frame', async () => {
    const s = await start();
    const c = await raw(s, 'e1-big').ready();
    c.insert(0, 'x'.repeat(4_500_000));
    await c.saved(30_000);
    assert.equal(c.closeCode, null);
    assert.equal((await stored(s, 'e1-big')).length, 4_500_000);
  });

  it('E2 an edit past MAX_PAD_CHARS is refused with 4413 naming the limit; undone, the same doc syncs and later typing saves', async () => {
    const s = await start({ MAX_PAD_CHARS: '1000' });
    const doc = new Y.Doc();
    const text = doc.getText('content');
    const undo = new Y.UndoManager(text, { captureTimeout: 0 });
    const a = raw(s, 'e2-pad', { doc });
    await a.ready();
    text.insert(0, 'kept. ');
    await a.saved();
    text.insert(6, 'p'.repeat(1_500));
    const { code, reason } = await a.closed();
    assert.equal(code, CloseCode.PadTooLarge);
    assert.match(reason, /1000 characters/);
    a.close();
    // The undo manager keeps the deleted paste's content, so the catch-up update still carries it.
    undo.undo();
    text.insert(text.length, 'typed after');
    const b = await raw(s, 'e2-pad', { doc }).ready();
    await b.saved();
    assert.equal(b.closeCode, null, `refused again: ${b.closeReason}`);
    assert.equal(await stored(s, 'e2-pad'), 'kept. typed after');
    assert.equal(await rejected(s, 'pad_too_large'), 1);
  });

  it('E3 a frame past the frame limit closes 1009 and is logged and counted once', async () => {
    const s = await start({ MAX_MESSAGE_BYTES: '65536', MAX_PAD_CHARS: '1000', MAX_PAD_BYTES: '65536' });
    const c = await raw(s, 'e3-frame').ready();
    c.insert(0, 'y'.repeat(100_000));
    assert.equal((await c.closed()).code, CloseCode.MessageTooBig);
    await waitFor(async () => (await rejected(s, 'message_too_big')) === 1, 'message_too_big counted once');
  });

  it('E4 retries of one new pad count once against new pads per address; a neighbour can still open one', async () => {
    const s = await start({ MAX_NEW_PADS_PER_IP_PER_MIN: '2' });
    for (let i = 0; i < 5; i++) {
      const retry = await raw(s, 'e4-new-a').ready();
      retry.close();
      await waitFor(() => retry.closeCode !== null, 'retry closed');
    }
    const neighbour = await raw(s, 'e4-new-b').ready();
    assert.equal(neighbour.closeCode, null);
    const third = raw(s, 'e4-new-c');
    assert.equal((await third.closed()).code, CloseCode.RateLimited);
    assert.equal(await rejected(s, 'new_pads_per_ip'), 1);
  });

  it('E5 a stock client doing 2,000 fast transactions is slowed, never cut, and everything is stored', async () => {
    const s = await start({ RATE_MESSAGES_PER_SEC: '250', RATE_BURST: '100' });
    const c = stock(s, 'e5-fast');
    await waitFor(() => c.p.synced, 'stock client synced');
    const t0 = Date.now();
    for (let i = 0; i < 2_000; i++) c.text.insert(c.text.length, String(i % 10));
    await waitFor(async () => (await stored(s, 'e5-fast')).length === 2_000, 'all 2,000 stored', 40_000);
    assert.deepEqual(c.closes, [], 'never disconnected');
    assert.ok(Date.now() - t0 > 3_000, 'it was slowed to the rate (≥ 1,900 messages at 250/s)');
    assert.equal(await stored(s, 'e5-fast'), c.text.toString());
  });

  it('E5 a sustained flood is still cut with 4529 after RATE_MAX_THROTTLED_MS; nothing past the cut is stored', async () => {
    const s = await start({ RATE_MESSAGES_PER_SEC: '5', RATE_BURST: '10', RATE_MAX_THROTTLED_MS: '500' });
    const c = await raw(s, 'e5-flood').ready();
    for (let i = 0; i < 200; i++) c.insert(c.text.length, 'x');
    const { code, reason } = await c.closed();
    assert.equal(code, CloseCode.RateLimited);
    assert.match(reason, /sustained/);
    assert.ok((await stored(s, 'e5-flood')).length < 40);
    assert.equal(await rejected(s, 'rate_sustained'), 1);
  });

  it('E6 every transient close is a 45xx (or 1001) code and the stock client reconnects after each with nothing lost', async () => {
    const transient: number[] = [
      CloseCode.GoingAway,
      CloseCode.Reload,
      CloseCode.StorageUnavailable,
      CloseCode.SlowConsumer,
      CloseCode.RateLimited,
    ];
    for (const code of transient) assert.ok(!FATAL_CLOSE_CODES.has(code) && (code === 1001 || code >= 4500));
    for (const code of FATAL_CLOSE_CODES) assert.ok(code >= 4400 && code < 4500);
    const s = await start();
    const c = stock(s, 'e6-pad');
    await waitFor(() => c.p.synced, 'synced');
    let expected = '';
    for (const code of transient) {
      c.text.insert(c.text.length, `before ${code}. `);
      expected += `before ${code}. `;
      await waitFor(async () => (await stored(s, 'e6-pad')) === expected, `stored before ${code}`);
      const room = (await s.rooms.loaded()).find((r) => r.pad === 'e6-pad')!;
      room.evict(code, 'test close');
      await waitFor(() => c.closes.at(-1) === code, `client saw ${code}`);
      c.text.insert(c.text.length, `after ${code}. `);
      expected += `after ${code}. `;
      await waitFor(async () => (await stored(s, 'e6-pad')) === expected, `reconnected after ${code}`, 15_000);
    }
  });

  it('E6 connections per address past the cap get 4529; the stock client retries and its edits land once a slot frees', async () => {
    const s = await start({ MAX_CONNECTIONS_PER_IP: '1' });
    const first = await raw(s, 'e6-cap').ready();
    const c = stock(s, 'e6-cap');
    await waitFor(() => c.closes.includes(CloseCode.RateLimited), 'refused with 4529');
    c.text.insert(0, 'waited for a slot');
    first.close();
    await waitFor(async () => (await stored(s, 'e6-cap')) === 'waited for a slot', 'stored after retry', 15_000);
  });
});
