import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { prng, testSeed, waitFor } from '../testing/wait.js';

describe('Convergence', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ COMPACT_EVERY: '40' });
  });
  after(() => srv.dispose());

  it('C1 raw clients and a WebsocketProvider converge after seeded random concurrent edits', async () => {
    const seed = testSeed('C1');
    const rand = prng(seed);
    const pad = `c1-${seed}`;
    const raws = await Promise.all(Array.from({ length: 4 }, () => new RawClient(srv.wsUrl, pad).ready()));
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(srv.wsUrl, pad, doc, {
      WebSocketPolyfill: WebSocket as never,
      disableBc: true,
    });
    try {
      await waitFor(() => provider.synced, 'provider synced');
      const texts = [...raws.map((r) => r.doc), doc].map((d) => d.getText('content'));
      for (let round = 0; round < 60; round++) {
        for (const t of texts) {
          const len = t.length;
          if (len > 0 && rand() < 0.3) {
            const at = Math.floor(rand() * len);
            t.delete(at, Math.min(len - at, 1 + Math.floor(rand() * 4)));
          } else {
            t.insert(
              Math.floor(rand() * (len + 1)),
              String.fromCharCode(97 + Math.floor(rand() * 26)).repeat(1 + Math.floor(rand() * 3)),
            );
          }
        }
        if (round % 10 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      const expected = () => raws[0]!.text;
      await waitFor(() => texts.every((t) => t.toString() === expected()), `convergence (seed ${seed})`, 10_000);
      await Promise.all(raws.map((r) => r.saved()));
      const stored = await (await fetch(`${srv.url}/${pad}.txt`)).text();
      assert.equal(stored, expected(), `server text equals clients (seed ${seed})`);
    } finally {
      provider.awareness.destroy();
      provider.destroy();
      for (const r of raws) r.close();
    }
  });

  it('C2 a pad unloaded after its last client left reloads with identical content', async () => {
    const a = await new RawClient(srv.wsUrl, 'c2').ready();
    for (let i = 0; i < 120; i++) a.insert(a.text.length, `${i},`);
    await a.saved();
    const before = a.text;
    a.close();
    await waitFor(() => srv.rooms.size === 0, 'pad unloaded', 5_000);
    const b = await new RawClient(srv.wsUrl, 'c2').ready();
    assert.equal(b.text, before);
    b.close();
  });
});
