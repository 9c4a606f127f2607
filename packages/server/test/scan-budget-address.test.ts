import { CloseCode } from '@padmesh/protocol';
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
});
