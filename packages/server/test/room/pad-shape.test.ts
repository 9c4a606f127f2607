import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { readUpdateShape, shapeLimits, ShapeError } from '../../src/crdt/update-shape.js';
import { TokenBucket } from '../../src/limits.js';
import { MAX_PENDING_DELETE_RANGES, PadShape } from '../../src/room/pad-shape.js';
import { SCAN_STEPS_BURST, SCAN_STEPS_PER_SEC } from '../../src/transport/session.js';
import { deleteRanges } from '../../testing/big-updates.js';

const LIMITS = shapeLimits({ maxUpdateStructs: 200_000, maxUpdateClients: 64 });
const PAD = { maxPadStructs: 1_000_000, maxPadClients: 8_192, maxPendingBytes: 8 * 1024 * 1024 };
const budget = () => new TokenBucket(SCAN_STEPS_PER_SEC, SCAN_STEPS_BURST, () => 0);

/** Admits and applies `update` as Room does: shape, admission, Yjs, then the recount. */
function submit(doc: Y.Doc, pad: PadShape, update: Uint8Array, scans = budget()): void {
  pad.admit(readUpdateShape(update, LIMITS), update.length, scans);
  Y.applyUpdate(doc, update);
  pad.settled();
}

describe('Pending delete sets (HI3)', () => {
  it(`HI3 a pad holds at most ${MAX_PENDING_DELETE_RANGES} delete ranges waiting for their items; past it, pad_pending`, () => {
    const doc = new Y.Doc();
    const pad = new PadShape(doc, PAD);
    // Ranges over a client the pad has never seen: each waits in Yjs's pendingDs.
    const parked = (k: number) =>
      deleteRanges(
        777,
        Array.from({ length: 16 }, (_, i) => [1_000 * k + 2 * i, 1] as const),
      );
    for (let k = 0; k < MAX_PENDING_DELETE_RANGES / 16; k++) submit(doc, pad, parked(k));
    assert.ok(doc.store.pendingDs, 'the ranges wait in Yjs');
    assert.throws(
      () => submit(doc, pad, parked(99)),
      (err: unknown) => err instanceof ShapeError && err.limit === 'pad_pending',
    );
  });

  it('HI3 Yjs keeps pending delete ranges in clock order and disjoint, which the cap relies on to bound their later cost', () => {
    const doc = new Y.Doc();
    // Copies of one range and a reversed run: applied as sent, these are what deleteCost charges.
    const reversed = Array.from({ length: 30 }, (_, i) => [1_000 - 2 * i, 1] as const);
    Y.applyUpdate(doc, deleteRanges(9, [...Array(30).fill([0, 1 << 20]), ...reversed]));
    const held = Y.decodeUpdateV2(doc.store.pendingDs!).ds.clients.get(9)!;
    assert.equal(held.length, 60);
    for (let i = 1; i < held.length; i++)
      assert.ok(held[i]!.clock >= held[i - 1]!.clock + held[i - 1]!.len, `range ${i} starts after the one before`);
  });
});
