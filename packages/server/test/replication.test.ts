import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryBus, MemoryHub } from '../src/cluster/bus/memory.js';
import { MemoryStorage } from '../src/storage/memory.js';
import type { Storage } from '../src/storage/types.js';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { prng, testSeed, waitFor } from '../testing/wait.js';

/** Nodes share one store, like a cluster on PostgreSQL; closing a node must not close it. */
function shared(storage: Storage): Storage {
  return Object.assign(Object.create(storage) as Storage, { close: async () => {} });
}

describe('Replication between nodes (in-process bus)', () => {
  const hub = new MemoryHub();
  const store = new MemoryStorage();
  const buses: MemoryBus[] = [];
  let nodes: TestServer[] = [];
  const clients: RawClient[] = [];
  before(async () => {
    nodes = await Promise.all(
      ['n1', 'n2', 'n3'].map((id) => {
        const bus = new MemoryBus(hub);
        buses.push(bus);
        return startTestServer({ NODE_ID: id, ANTI_ENTROPY_MS: '100' }, { storage: shared(store), bus });
      }),
    );
  });
  after(async () => {
    for (const c of clients) c.close();
    for (const n of nodes) await n.dispose();
  });
  const on = (node: number, pad: string) => {
    const c = new RawClient(nodes[node]!.wsUrl, pad);
    clients.push(c);
    return c.ready();
  };

  it('C3 clients on three nodes converge after seeded random concurrent edits, cursors included', async () => {
    const seed = testSeed('C3');
    const rand = prng(seed);
    const cs = await Promise.all([0, 1, 2, 0, 1, 2].map((n) => on(n, 'spread')));
    cs[0]!.awareness.setLocalStateField('user', { name: 'On node one' });
    for (let round = 0; round < 40; round++) {
      for (const c of cs) {
        const t = c.doc.getText('content');
        if (t.length > 3 && rand() < 0.3) t.delete(Math.floor(rand() * (t.length - 2)), 2);
        else t.insert(Math.floor(rand() * (t.length + 1)), 'xyz'[Math.floor(rand() * 3)]!);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitFor(() => cs.every((c) => c.text === cs[0]!.text), `convergence across nodes (seed ${seed})`, 10_000);
    await Promise.all(cs.map((c) => c.saved()));
    await waitFor(
      () => [...cs[2]!.awareness.getStates().values()].some((s) => s.user?.name === 'On node one'),
      'a cursor from node 1 is seen on node 3',
    );
    assert.equal(await (await fetch(`${nodes[2]!.url}/spread.txt`)).text(), cs[0]!.text);
  });

  it('C4 messages lost in a partition are repaired by anti-entropy, deletions included', async () => {
    const a = await on(0, 'partition');
    const b = await on(1, 'partition');
    a.insert(0, 'shared base text');
    await waitFor(() => b.text === 'shared base text', 'b sees the base');
    hub.partitioned = true;
    a.insert(0, 'A-only ');
    b.doc.getText('content').delete(7, 5); // "base " goes away while the nodes can't talk
    await a.saved();
    await b.saved();
    assert.notEqual(a.text, b.text, 'the partition really dropped messages');
    buses[0]!.heal();
    await waitFor(() => a.text === b.text, 'anti-entropy reconciles both sides', 10_000);
    assert.equal(a.text, 'A-only shared text');
  });
});
