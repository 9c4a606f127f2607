import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANSWER_WINDOW_MS, BUDGET_POLL_MS } from '../../src/transport/send-budget.js';
import { Sim } from '../../testing/sim/sim.js';
import type { SimClient } from '../../testing/sim/sim-client.js';

const MiB = 1024 * 1024;
const PAD = 300_000;

describe('HI5 the answer window', () => {
  it('big answers go out a window at a time, the next as soon as one is read; a small pad never waits; no one is cut', async () => {
    const sim = new Sim();
    const node = sim.node({ settings: { answerWindowBytes: MiB, messageBurst: 10_000 } });
    try {
      const writer = await node.connect('storm');
      const other = await node.connect('small');
      await sim.run();
      writer.insert(0, 'q'.repeat(PAD));
      other.insert(0, 'hello');
      await sim.run();

      const joiners: SimClient[] = [];
      for (let i = 0; i < 12; i++) {
        const j = await node.connect('storm');
        j.paused = true;
        joiners.push(j);
      }
      await sim.run();
      // Three answers of ~300 KB fit the 1 MiB window; nine wait, and no clock has moved.
      assert.equal(node.sendBudget.waitingAnswers, 9);
      assert.ok(node.sendBudget.windowUsed <= MiB, `${node.sendBudget.windowUsed} in the window`);

      const small = await node.connect('small');
      await sim.run();
      assert.equal(small.text, 'hello', 'a small answer does not queue behind the storm');

      // One reader takes its answer: the next goes out then, not at the next poll.
      joiners[0]!.paused = false;
      await sim.run();
      assert.equal(joiners[0]!.text.length, PAD);
      assert.equal(node.sendBudget.waitingAnswers, 8);

      // The others read nothing: past ANSWER_WINDOW_MS their answers stop holding the line.
      await sim.advance(ANSWER_WINDOW_MS + BUDGET_POLL_MS);
      assert.ok(node.sendBudget.waitingAnswers <= 6, `${node.sendBudget.waitingAnswers} still waiting`);

      for (const j of joiners) j.paused = false;
      for (let t = 0; t < 200 && !joiners.every((j) => j.text.length === PAD); t++) await sim.advance(BUDGET_POLL_MS);
      for (const j of joiners) {
        assert.equal(j.closeCode, null, `closed ${j.closeCode} ${j.closeReason}`);
        assert.equal(j.text.length, PAD);
      }
      assert.equal(node.sendBudget.waitingAnswers, 0);
      assert.equal(node.sendBudget.windowUsed, 0);
    } finally {
      await sim.close();
    }
  });
});
