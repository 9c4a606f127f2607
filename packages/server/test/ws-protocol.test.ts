import { CloseCode, encodeMessage } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { waitFor } from '../testing/wait.js';

/**
 * What only a real socket can show: the y-websocket protocol end to end, stock clients,
 * close codes as a browser sees them, frame-size limits enforced by `ws`. Room behaviour
 * (acknowledgements, fan-out, presence, hostile input) runs on the harness in test/room/.
 */
describe('WebSocket protocol', () => {
  let srv: TestServer;
  const clients: { close(): void }[] = [];
  const client = (pad: string, opts?: { acks?: boolean }) => {
    const c = new RawClient(srv.wsUrl, pad, opts);
    clients.push(c);
    return c;
  };
  before(async () => {
    // The frame limit grows to fit the pad limits (E1); a small stored-state limit keeps it at 64 KiB here.
    srv = await startTestServer({ MAX_MESSAGE_BYTES: String(64 * 1024), MAX_PAD_BYTES: String(64 * 1024) });
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
});
