import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Sim } from '../../testing/sim/sim.js';

const MiB = 1024 * 1024;
const text = (i: number) => `pad ${i}\n` + 'lorem ipsum '.repeat(800);

describe('Pad memory budget (harness)', () => {
  let sim: Sim;
  afterEach(() => sim.close());

  it('M2 past the memory budget, unused pads are evicted LRU-first and reload exactly; pads in use never are', async () => {
    sim = new Sim();
    const node = sim.node({ settings: { memoryBudget: 1 * MiB, padIdleMs: 600_000 } });
    // A pad someone keeps open from the start: the oldest, but in use.
    const holder = await node.connect('lru-held');
    await sim.run();
    holder.insert(0, text(-1));
    await sim.run();
    // As `PUT /api/pads/<pad>/text` does: hold the pad, replace its text, let go.
    for (let i = 0; i < 300; i++) await node.withPad(`lru-${i}`, (room) => room.replaceText(text(i)));
    await sim.run();
    assert.ok(node.rooms.memoryEstimate <= MiB, `estimate within budget (${node.rooms.memoryEstimate})`);
    assert.ok(node.rooms.size < 60, `only a budget's worth of pads stay loaded (${node.rooms.size})`);
    const loaded = new Set(await node.loadedPads());
    assert.ok(loaded.has('lru-held'), 'the pad in use was never evicted');
    const kept = [...loaded].filter((p) => p !== 'lru-held').map((p) => Number(p.slice(4)));
    assert.ok(kept.length > 0, 'the budget holds some unused pads');
    assert.deepEqual(
      kept.sort((a, b) => a - b),
      Array.from({ length: kept.length }, (_, k) => 300 - kept.length + k),
      'the pads kept are the most recently used ones',
    );
    for (let i = 0; i < 300; i++) {
      assert.equal(await node.withPad(`lru-${i}`, async (room) => room.text), text(i), `lru-${i} reloads exactly`);
    }
    assert.ok(node.rooms.memoryEstimate <= MiB, 'reading them all back stays within budget');
    holder.insert(0, 'still here ');
    await sim.run();
    assert.equal(holder.closeCode, null);
    assert.equal(holder.acked, holder.sent);
    assert.equal(await sim.stored('lru-held'), 'still here ' + text(-1));
  });
});
