import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Sim } from '../../testing/sim/sim.js';
import type { SimClient } from '../../testing/sim/sim-client.js';
import { prng, testSeed } from '../../testing/wait.js';

/** One random local edit: a delete of 1-4 characters (30%) or an insert of 1-3 letters. */
function randomEdit(c: SimClient, rand: () => number): void {
  const len = c.text.length;
  if (len > 0 && rand() < 0.3) {
    const at = Math.floor(rand() * len);
    c.delete(at, Math.min(len - at, 1 + Math.floor(rand() * 4)));
  } else {
    c.insert(
      Math.floor(rand() * (len + 1)),
      String.fromCharCode(97 + Math.floor(rand() * 26)).repeat(1 + Math.floor(rand() * 3)),
    );
  }
}

describe('Convergence (harness)', () => {
  let sim: Sim;
  afterEach(() => sim.close());

  it('C1 five clients converge after seeded random concurrent edits delivered in seeded random order', async () => {
    const seed = testSeed('C1');
    const rand = prng(seed);
    sim = new Sim();
    const node = sim.node({ settings: { compactEvery: 40 } });
    const pad = `c1-${seed}`;
    const cs = await Promise.all(Array.from({ length: 5 }, () => node.connect(pad)));
    await sim.run();
    for (let round = 0; round < 60; round++) {
      for (const c of cs) randomEdit(c, rand);
      // Deliver part of the traffic in a random order: some frames up, some down, some
      // end-of-turn batches, so edits interleave with stale views of the pad.
      for (let step = 0; step < 6; step++) {
        const c = cs[Math.floor(rand() * cs.length)]!;
        const r = rand();
        if (r < 0.4) c.flushUp(1 + Math.floor(rand() * 3));
        else if (r < 0.8) c.flushDown(1 + Math.floor(rand() * 3));
        else await sim.clock.flush();
      }
    }
    await sim.run();
    const expected = cs[0]!.text;
    for (const [i, c] of cs.entries()) assert.equal(c.text, expected, `client ${i} converged (seed ${seed})`);
    for (const [i, c] of cs.entries()) assert.equal(c.acked, c.sent, `client ${i} fully acknowledged (seed ${seed})`);
    assert.equal(await sim.stored(pad), expected, `server text equals clients (seed ${seed})`);
  });

  it('C2 a pad unloaded after its last client left reloads with identical content', async () => {
    sim = new Sim();
    const node = sim.node({ settings: { padIdleMs: 200 } });
    const a = await node.connect('c2');
    await sim.run();
    for (let i = 0; i < 120; i++) a.insert(a.text.length, `${i},`);
    await sim.run();
    assert.equal(a.acked, a.sent, 'every edit acknowledged');
    const before = a.text;
    a.disconnect();
    await sim.advance(199);
    assert.equal(node.rooms.size, 1, 'the pad stays loaded for PAD_IDLE_MS after its last client (M1)');
    await sim.advance(1);
    assert.equal(node.rooms.size, 0, 'pad unloaded');
    const b = await node.connect('c2');
    await sim.run();
    assert.equal(b.text, before);
  });
});
