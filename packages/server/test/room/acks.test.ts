import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Sim } from '../../testing/sim/sim.js';
import { prng, testSeed } from '../../testing/wait.js';

describe('Save acknowledgements (harness)', () => {
  let sim: Sim;
  afterEach(() => sim.close());

  it("P1 two clients on one pad see each other's edits and get save acks", async () => {
    sim = new Sim();
    const node = sim.node();
    const a = await node.connect('p1');
    const b = await node.connect('p1');
    await sim.run();
    a.insert(0, 'hello');
    await sim.run();
    assert.equal(b.text, 'hello', 'b sees a');
    b.insert(5, ' world');
    await sim.run();
    assert.equal(a.text, 'hello world', 'a sees b');
    assert.equal(a.acked, a.sent);
    assert.equal(b.acked, b.sent);
    assert.ok(a.acked >= 2, 'sync-step2 and the edit were both acknowledged');
  });

  it('P3 clients that did not opt in receive no padmesh extension messages', async () => {
    sim = new Sim();
    const node = sim.node();
    const plain = await node.connect('p3', { acks: false });
    await sim.run();
    plain.insert(0, 'x');
    const other = await node.connect('p3');
    await sim.run();
    assert.equal(other.text, 'x', 'edit stored and visible');
    assert.ok(other.receivedOf('saved').length > 0, 'a client that opted in is acknowledged');
    assert.equal(await sim.stored('p3'), 'x', 'the plain client’s edit is stored all the same');
    assert.equal(plain.receivedOf('saved').length, 0);
  });

  it('P3 saved {seq} rises monotonically and never runs ahead of storage, in any delivery order (D1)', async () => {
    const seed = testSeed('P2-acks');
    const rand = prng(seed);
    sim = new Sim();
    const node = sim.node();
    const a = await node.connect('acks');
    const b = await node.connect('acks');
    await sim.run();
    // a only appends, so a's own text as of edit `seq` is a prefix of every later stored text.
    const textAt = new Map<number, string>([[a.sent, '']]);
    let lastAck = 0;
    let checked = 0;
    const readDown = async () => {
      while (a.flushDown(1) > 0) {
        const m = a.received.at(-1)!;
        if (m.type !== 'saved') continue;
        assert.ok(m.seq >= lastAck, `acks never go back (${lastAck} then ${m.seq}, seed ${seed})`);
        assert.ok(m.seq <= a.sent, `never acknowledges what was not sent (seed ${seed})`);
        lastAck = m.seq;
        const covered = Math.max(...[...textAt.keys()].filter((s) => s <= m.seq));
        // b only ever types 'b' and a never does: a's own edits are what is left without them.
        const stored = (await sim.stored('acks')).replaceAll('b', '');
        assert.ok(
          stored.startsWith(textAt.get(covered)!),
          `saved ${m.seq} sent before its edits were stored (seed ${seed}): ${JSON.stringify(stored)}`,
        );
        checked++;
      }
    };
    for (let i = 0; i < 80; i++) {
      const seq = a.insert(a.text.length, `${i};`);
      textAt.set(seq, a.text.replaceAll('b', ''));
      if (rand() < 0.3) b.insert(0, 'b');
      const r = rand();
      if (r < 0.35) a.flushUp(1 + Math.floor(rand() * 3));
      else if (r < 0.55) b.flushUp();
      else if (r < 0.8) await sim.clock.flush();
      else await readDown();
    }
    for (let i = 0; i < 10_000 && a.acked < a.sent; i++) {
      a.flushUp();
      b.flushUp();
      b.flushDown();
      await sim.clock.flush();
      await readDown();
    }
    assert.equal(a.acked, a.sent, `everything acknowledged in the end (seed ${seed})`);
    assert.ok(checked > 1, 'several acknowledgements were checked against storage');
  });
});
