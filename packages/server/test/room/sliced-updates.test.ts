import { encodeMessage } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { SLICE_STRUCTS } from '../../src/crdt/update-split.js';
import { baseText, scatteredInserts } from '../../testing/big-updates.js';
import { Sim } from '../../testing/sim/sim.js';

/**
 * A max-cap update is read and applied over many event-loop turns (HS1-HS3): the simulated
 * node runs one clock task at a time, so the test sees which pad's work ran in which turn.
 */
describe('Big updates are sliced across turns (HS1-HS3)', () => {
  it('HS3 a max-cap update on pad A is admitted, stored, acknowledged and converges while pad B edits are applied turn by turn', () =>
    bigUpdateWhileBystanderTypes(false));

  it('HS2 the same after an update that waits for a missing dependency: the big one is still sliced, and what waited integrates once its dependency comes', () =>
    bigUpdateWhileBystanderTypes(true));

  async function bigUpdateWhileBystanderTypes(pendingFirst: boolean): Promise<void> {
    const sim = new Sim();
    const node = sim.node();
    try {
      const base = baseText(2_000);
      const owner = await node.connect('big', { doc: docOf(base) });
      const evil = await node.connect('big');
      const b = await node.connect('bystander');
      // Its own connection: acknowledgements are in order, and the held one waits for `missing`.
      const holder = await node.connect('big');
      await sim.run();
      assert.equal(owner.acked, owner.sent, 'base text stored');

      const update = scatteredInserts(base, 199_000, 64, 5);
      const expected = docOf(base);
      Y.applyUpdate(expected, update);
      // A writer's second insert without its first: Yjs holds it pending (until `missing` comes).
      const writer = docOf(base);
      writer.clientID = 424_242;
      const typed: Uint8Array[] = [];
      writer.on('update', (u: Uint8Array) => typed.push(u));
      writer.getText('content').insert(0, 'w');
      writer.getText('content').insert(0, 'w');
      const [missing, held] = typed as [Uint8Array, Uint8Array];
      if (pendingFirst) {
        holder.sendRaw(encodeMessage({ type: 'update', update: held }));
        holder.flushUp();
        await sim.run();
        await node.withPad('big', async (room) => assert.notEqual(room.doc.store.pendingStructs, null, 'held'));
      }

      const ownerUpdates = owner.receivedOf('update').length;
      // Sent raw, so not counted by the client: its seq is one past what the client counted.
      const seq = evil.sent + 1;
      const bigSaved = () => (evil.receivedOf('saved').at(-1)?.seq ?? 0) >= seq;
      evil.sendRaw(encodeMessage({ type: 'update', update }));
      evil.flushUp();
      // Turn by turn: the bystander types one character per round; every one is applied and
      // acknowledged within a few turns while pad A is still being read and applied.
      let rounds = 0;
      let turns = 0;
      let worst = 0;
      while (!bigSaved()) {
        b.insert(b.text.length, '.');
        b.flushUp();
        let waited = 0;
        while (b.acked < b.sent) {
          assert.ok(await sim.clock.step(), 'a task was due');
          waited++;
          b.flushDown();
          evil.flushDown();
        }
        worst = Math.max(worst, waited);
        turns += waited;
        rounds++;
        assert.ok(rounds < 1_000, 'the big update finished');
        if (!(await sim.clock.step())) break;
        turns++;
        evil.flushDown();
      }
      await sim.run();
      assert.ok(bigSaved(), 'the big update was acknowledged');
      assert.equal(evil.closeCode, null, 'not refused');
      const slices = Math.ceil(199_000 / SLICE_STRUCTS);
      // Each slice is its own doc update: one update would mean one turn held for all of it.
      const got = owner.receivedOf('update').length - ownerUpdates;
      assert.ok(got >= slices, `the other client got the big update in ${got} updates`);
      assert.ok(rounds >= slices, `bystander edits applied in ${rounds} rounds while A took ${turns} turns`);
      process.stdout.write(
        `# ${rounds} bystander edits applied while A took ${turns} tasks; worst wait ${worst} tasks\n`,
      );
      // A's tasks in between: one shape step or slice, and the commits of what it applied.
      assert.ok(worst <= 10, `a bystander edit waited ${worst} tasks`);
      assert.equal(b.acked, b.sent, 'every bystander edit acknowledged');

      const text = expected.getText('content').toString();
      assert.equal(owner.text, text, 'another client of pad A got the integrated content');
      assert.equal(await sim.stored('big'), text, 'storage holds all of it');
      await node.withPad('big', async (room) => {
        assert.equal(room.text, text, 'the pad equals one Y.applyUpdate of the whole update');
        assert.equal(room.doc.store.pendingStructs !== null, pendingFirst, 'only what waits for `missing` is pending');
      });
      assert.deepEqual(node.slices.load, { active: 0, waiting: 0 }, 'slot released');
      if (!pendingFirst) return;
      holder.sendRaw(encodeMessage({ type: 'update', update: missing }));
      holder.flushUp();
      await sim.run();
      assert.equal(
        holder.receivedOf('saved').at(-1)?.seq,
        holder.sent + 2,
        'the held update acknowledged once its dependency came',
      );
      Y.applyUpdate(expected, missing);
      Y.applyUpdate(expected, held);
      const all = expected.getText('content').toString();
      assert.equal(owner.text, all, 'the held insert reached the other client once its dependency came');
      assert.equal(await sim.stored('big'), all);
      await node.withPad('big', async (room) => assert.equal(room.doc.store.pendingStructs, null, 'nothing pending'));
    } finally {
      await sim.close();
    }
  }

  it("HS3 a connection's next message waits for its big update: an edit sent right after it lands after it, and both are acknowledged", async () => {
    const sim = new Sim();
    const node = sim.node();
    try {
      const base = baseText(500);
      const writer = await node.connect('order', { doc: docOf(base) });
      await sim.run();
      const update = scatteredInserts(base, 30_000, 8, 9);
      Y.applyUpdate(writer.doc, update, 'elsewhere');
      writer.sendRaw(encodeMessage({ type: 'update', update }));
      writer.insert(0, 'after ');
      writer.flushUp();
      await sim.run();
      assert.equal(writer.closeCode, null);
      // The raw frame is one more update-bearing message than the client counted.
      assert.equal(writer.acked, writer.sent + 1, `acknowledged ${writer.acked} of ${writer.sent + 1}`);
      assert.equal(await sim.stored('order'), writer.text, 'stored in full, edit after the big update');
      assert.ok(writer.text.startsWith('after '));
    } finally {
      await sim.close();
    }
  });
});

function docOf(from: Y.Doc): Y.Doc {
  const d = new Y.Doc();
  Y.applyUpdate(d, Y.encodeStateAsUpdate(from));
  return d;
}
