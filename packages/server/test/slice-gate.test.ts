import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SliceGate } from '../src/transport/slice-gate.js';

/** Whether a claim's turn has come, without waiting for it. */
async function isGranted(granted: Promise<void>): Promise<boolean> {
  let done = false;
  void granted.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('SliceGate: the node-wide line for work spread over turns (HS3)', () => {
  it('grants one at a time in order, and refuses past the line', async () => {
    const gate = new SliceGate(1, 2);
    const a = gate.claim()!;
    const b = gate.claim()!;
    const c = gate.claim()!;
    assert.equal(gate.claim(), null, 'one held and two waiting: the line is full');
    assert.deepEqual(gate.load, { active: 1, waiting: 2 });
    assert.equal(await isGranted(a.granted), true);
    assert.equal(await isGranted(b.granted), false);
    a.release();
    assert.equal(await isGranted(b.granted), true, 'the next in line');
    assert.equal(await isGranted(c.granted), false);
    b.release();
    c.release();
    assert.deepEqual(gate.load, { active: 0, waiting: 0 });
  });

  it('a claim given up while waiting leaves the line; a release twice frees one slot', async () => {
    const gate = new SliceGate(1, 8);
    const a = gate.claim()!;
    const b = gate.claim()!;
    const c = gate.claim()!;
    b.release();
    assert.deepEqual(gate.load, { active: 1, waiting: 1 }, 'b left the line');
    a.release();
    a.release();
    assert.equal(await isGranted(c.granted), true, 'c, not b, has the slot');
    assert.equal(await isGranted(b.granted), false, 'b never will');
    assert.deepEqual(gate.load, { active: 1, waiting: 0 }, "a's second release gave nothing away");
    const d = gate.claim()!;
    assert.equal(await isGranted(d.granted), false, 'still one at a time');
    c.release();
    assert.equal(await isGranted(d.granted), true);
    d.release();
    b.release();
    assert.deepEqual(gate.load, { active: 0, waiting: 0 });
  });
});
