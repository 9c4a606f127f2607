import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { AnchorGates } from '../src/crdt/anchor-gates.js';
import { NO_SHAPE_LIMITS, readUpdateShape, type Anchor } from '../src/crdt/update-shape.js';

/** True once the store holds both origins of `a` and every item at its position. */
function met(store: Y.Doc['store'], a: Anchor): boolean {
  const has = (id: Y.ID) => id.clock < Y.getState(store, id.client);
  if (!has(a.rightOrigin!) || (a.origin !== null && !has(a.origin))) return false;
  const ids = a.at.ids;
  for (let k = 0; k < ids.length; k += 3) if (Y.getState(store, ids[k]!) < ids[k + 2]!) return false;
  return true;
}

/**
 * Two writers' items, each inserted at the front of a shared array (so each names the item
 * before it as its right origin), in one update; and the same content as the steps that
 * bring it into another doc a piece at a time, as a big update's slices do.
 */
function twoWriters(perWriter: number, stepEvery: number): { anchors: Anchor[]; steps: Uint8Array[] } {
  const a = new Y.Doc();
  const b = new Y.Doc();
  const steps: Uint8Array[] = [];
  const mirror = new Y.Doc();
  const step = () => {
    const u = Y.mergeUpdates([
      Y.encodeStateAsUpdate(a, Y.encodeStateVector(mirror)),
      Y.encodeStateAsUpdate(b, Y.encodeStateVector(mirror)),
    ]);
    Y.applyUpdate(mirror, u);
    steps.push(u);
  };
  for (let i = 0; i < perWriter; i++) {
    a.getArray('list').insert(0, [`a${i}`]);
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
    b.getArray('list').insert(0, [`b${i}`]);
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
    if ((i + 1) % stepEvery === 0) step();
  }
  step();
  const whole = Y.encodeStateAsUpdate(a);
  const anchors = readUpdateShape(whole, NO_SHAPE_LIMITS).anchors.filter((x) => x.rightOrigin !== null);
  return { anchors, steps };
}

describe('AnchorGates: HI13 anchors released once what they need is in the doc', () => {
  it('releases each anchor once, in update order, in the first step that brings all it needs', () => {
    const { anchors, steps } = twoWriters(300, 20);
    assert.ok(anchors.length > 500, `${anchors.length} anchors`);
    const gates = new AnchorGates(anchors);
    assert.equal(gates.waiting, anchors.length, 'all wait before the first look');
    const doc = new Y.Doc();
    const released = new Set<Anchor>();
    assert.deepEqual(gates.ready(doc.store), [], 'an empty doc has nothing they need');
    for (const u of steps) {
      Y.applyUpdate(doc, u);
      const now = gates.ready(doc.store);
      for (const a of now) {
        assert.ok(!released.has(a), 'released once');
        assert.ok(met(doc.store, a), 'released only with all it needs');
        released.add(a);
      }
      const order = now.map((a) => anchors.indexOf(a));
      assert.deepEqual(
        order,
        [...order].sort((x, y) => x - y),
        'in update order',
      );
      for (const a of anchors) if (!released.has(a)) assert.ok(!met(doc.store, a), 'none held back that could go');
      assert.equal(gates.waiting, anchors.length - released.size);
    }
    assert.equal(released.size, anchors.length);
    assert.equal(gates.waiting, 0);
  });

  it('an anchor whose dependency never comes keeps waiting; the rest go', () => {
    const { anchors, steps } = twoWriters(50, 10);
    const gates = new AnchorGates(anchors);
    const doc = new Y.Doc();
    // Every step but the first: what its items follow never comes, so Yjs holds them pending.
    for (const u of steps.slice(1)) Y.applyUpdate(doc, u);
    assert.deepEqual(gates.ready(doc.store), []);
    assert.equal(gates.waiting, anchors.length);
    Y.applyUpdate(doc, steps[0]!);
    assert.equal(gates.ready(doc.store).length, anchors.length, 'the dependency came: all of them');
    assert.equal(gates.waiting, 0);
  });
});
