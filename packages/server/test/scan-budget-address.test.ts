import { CloseCode, encodeMessage } from '@padmesh/protocol';
import * as Y from 'yjs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deleteRanges, fragmentedText } from '../testing/big-updates.js';
import { updateFrame } from '../testing/hostile-frames.js';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('The scan budget is per address (HI1)', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  before(async () => {
    server = await startTestServer({ MAX_NEW_PADS_PER_IP_PER_MIN: '1000' });
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.close();
  });

  it('HI1 a new socket from the same address does not bring a fresh burst: the second costly delete set is refused (4415)', async () => {
    const owner = new RawClient(server.wsUrl, 'deletes', { doc: fragmentedText(20_000) });
    clients.push(owner);
    await owner.ready(10_000);
    await owner.saved(10_000);
    // 600 copies of one range over 20,000 structs: ~23,400 of the 25,000-step burst each.
    const frame = updateFrame(deleteRanges(5, Array(600).fill([0, 20_000])));
    const first = await new RawClient(server.wsUrl, 'deletes').ready(10_000);
    clients.push(first);
    first.sendRaw(frame);
    await sleep(500);
    assert.equal(first.closeCode, null, 'the first is within the burst');
    const second = await new RawClient(server.wsUrl, 'deletes').ready(10_000);
    clients.push(second);
    second.sendRaw(frame);
    const closed = await second.closed(10_000);
    assert.equal(closed.code, CloseCode.UpdateTooComplex);
    assert.match(closed.reason, /scan/);
  });
  it('HI5 answers to sync step 1 with a state vector are charged to the address: sockets that each stay within their own burst are refused (4529) once it is spent', async () => {
    const owner = new RawClient(server.wsUrl, 'svs', { doc: fragmentedText(100_000, 7) });
    clients.push(owner);
    await owner.ready(10_000);
    await owner.saved(20_000);
    // A state vector naming a client the pad lacks: the answer is the whole pad, encoded for it.
    const other = new Y.Doc();
    other.clientID = 99;
    other.getText('content').insert(0, 'a');
    const ask = encodeMessage({ type: 'sync-step1', stateVector: Y.encodeStateVector(other) });
    const askers: RawClient[] = [];
    for (let i = 0; i < 25; i++) {
      const c = await new RawClient(server.wsUrl, 'svs').ready(10_000);
      clients.push(c);
      askers.push(c);
    }
    // 3 each (under the per-connection burst of 4): 75 answers of 3,125 steps against 25,000.
    for (const c of askers) for (let k = 0; k < 3; k++) c.sendRaw(ask);
    await sleep(3_000);
    const refused = askers.filter((c) => c.closeCode === CloseCode.RateLimited);
    assert.ok(refused.length > 0, 'some were refused');
    for (const c of refused) assert.match(c.closeReason, /cost more than this address may spend/);
    assert.ok(refused.length >= 15, `${refused.length} refused`);
    assert.ok(askers.length - refused.length >= 2, `${askers.length - refused.length} answered`);
  });
});
