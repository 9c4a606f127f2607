import { CloseCode, encodeMessage } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { waitFor } from '../testing/wait.js';

describe('WebSocket protocol', () => {
  let srv: TestServer;
  const clients: { close(): void }[] = [];
  const client = (pad: string, opts?: { acks?: boolean }) => {
    const c = new RawClient(srv.wsUrl, pad, opts);
    clients.push(c);
    return c;
  };
  before(async () => {
    srv = await startTestServer({ MAX_MESSAGE_BYTES: String(64 * 1024) });
  });
  after(async () => {
    for (const c of clients) c.close();
    await srv.dispose();
  });

  it("P1 two clients on one pad see each other's edits and get save acks", async () => {
    const a = await client('p1').ready();
    const b = await client('p1').ready();
    a.insert(0, 'hello');
    await waitFor(() => b.text === 'hello', 'b sees a');
    b.insert(5, ' world');
    await waitFor(() => a.text === 'hello world', 'a sees b');
    await a.saved();
    await b.saved();
    assert.ok(a.acked >= 2, 'sync-step2 and the edit were both acknowledged');
  });

  it("P2 y-websocket's WebsocketProvider connects and syncs unchanged", async () => {
    const raw = await client('p2').ready();
    raw.insert(0, 'from raw ');
    await raw.saved();
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(srv.wsUrl, 'p2', doc, {
      WebSocketPolyfill: WebSocket as never,
      disableBc: true,
    });
    clients.push({ close: () => (provider.awareness.destroy(), provider.destroy()) });
    await waitFor(() => provider.synced, 'provider synced');
    assert.equal(doc.getText('content').toString(), 'from raw ');
    doc.getText('content').insert(doc.getText('content').length, 'and provider');
    await waitFor(() => raw.text === 'from raw and provider', 'raw sees provider edit');
    provider.awareness.setLocalStateField('user', { name: 'Provider' });
    await waitFor(
      () => [...raw.awareness.getStates().values()].some((s) => s.user?.name === 'Provider'),
      'awareness reaches raw client',
    );
  });

  it('PR6 a stock WebsocketProvider that reconnects is visible to another stock client again within 1 s', async () => {
    const stock = (doc: Y.Doc) => {
      const p = new WebsocketProvider(srv.wsUrl, 'pr6-stock', doc, {
        WebSocketPolyfill: WebSocket as never,
        disableBc: true,
      });
      clients.push({ close: () => (p.awareness.destroy(), p.destroy()) });
      return p;
    };
    const watcher = stock(new Y.Doc());
    const doc = new Y.Doc();
    const returning = stock(doc);
    await waitFor(() => watcher.synced && returning.synced, 'both synced');
    returning.awareness.setLocalStateField('user', { name: 'Stock', color: '#2a9d8f' });
    const seen = () =>
      (watcher.awareness.getStates().get(doc.clientID) as { user?: { name?: string } } | undefined)?.user?.name ===
      'Stock';
    await waitFor(seen, 'the watcher sees the returning client');
    // Its socket drops; y-websocket reconnects by itself and re-announces its unchanged state.
    returning.ws!.close();
    await waitFor(() => !seen(), 'the watcher sees it leave');
    const left = Date.now();
    await waitFor(seen, 'the watcher sees it again within 1 s of leaving', 1_000);
    assert.ok(Date.now() - left < 1_000);
  });

  it('P3 clients that did not opt in receive no padmesh extension messages', async () => {
    const plain = await client('p3', { acks: false }).ready();
    plain.insert(0, 'x');
    const other = await client('p3').ready();
    await waitFor(() => other.text === 'x', 'edit stored and visible');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(plain.received.filter((m) => m.type === 'saved').length, 0);
  });

  it('P4 a malformed frame closes only that connection; the pad is unchanged', async () => {
    const good = await client('p4').ready();
    good.insert(0, 'keep me');
    await good.saved();
    const bad = await client('p4').ready();
    bad.sendRaw(new Uint8Array([0x07, 0xff, 0xff]));
    const { code, reason } = await bad.closed();
    assert.equal(code, CloseCode.MalformedMessage);
    assert.match(reason, /unknown message type|malformed/);
    good.insert(7, '!');
    await good.saved();
    const res = await fetch(`${srv.url}/p4.txt`);
    assert.equal(await res.text(), 'keep me!');
  });

  it('P5 an invalid Yjs update closes the connection with 4401 and is never stored', async () => {
    const good = await client('p5').ready();
    good.insert(0, 'safe');
    await good.saved();
    const bad = await client('p5').ready();
    bad.sendRaw(encodeMessage({ type: 'update', update: new Uint8Array([1, 1, 200, 1, 0, 40, 1, 9, 9, 9]) }));
    const { code } = await bad.closed();
    assert.equal(code, CloseCode.InvalidUpdate);
    assert.equal(await (await fetch(`${srv.url}/p5.txt`)).text(), 'safe');
    assert.equal(good.closeCode, null, 'the other client stays connected');
  });

  it('P6 an oversize frame closes the connection with 1009', async () => {
    const c = await client('p6').ready();
    c.sendRaw(encodeMessage({ type: 'update', update: new Uint8Array(70 * 1024) }));
    const { code } = await c.closed();
    assert.equal(code, CloseCode.MessageTooBig);
    assert.equal(await (await fetch(`${srv.url}/p6.txt`)).text(), '');
  });

  it('P7 an invalid pad id is refused with 4404 and a reason', async () => {
    const c = client('bad%20name');
    const { code, reason } = await c.closed();
    assert.equal(code, CloseCode.InvalidPad);
    assert.match(reason, /letters, digits/);
  });

  it('P8 awareness of a client is removed for others when it leaves', async () => {
    const a = await client('p8').ready();
    const b = await client('p8').ready();
    a.awareness.setLocalStateField('user', { name: 'Ann', color: '#f00' });
    await waitFor(() => b.awareness.getStates().has(a.doc.clientID), 'b sees a');
    a.close();
    await waitFor(() => !b.awareness.getStates().has(a.doc.clientID), 'a removed from b');
  });

  it('P9 fresh joiners share one full-state frame until the pad changes, then see the change', async () => {
    const a = await client('p9').ready();
    a.insert(0, 'one');
    await a.saved();
    const b = await client('p9').ready();
    const c = await client('p9').ready();
    assert.equal(b.text, 'one');
    assert.equal(c.text, 'one');
    a.insert(3, ' two');
    await a.saved();
    const d = await client('p9').ready();
    assert.equal(d.text, 'one two', 'the cached frame was dropped when the pad changed');
  });
});
