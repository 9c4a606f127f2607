import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SLICE_MIN_STRUCTS, SLICE_TARGET_MS, SlicePace } from '../src/crdt/slice-pace.js';

describe('Slices sized by what the last one took (HS2)', () => {
  it('HS2 a slow slice shrinks the next to the target at once; fast ones grow it at most twofold, up to the cap', () => {
    const pace = new SlicePace(2_048);
    const first = pace.next;
    assert.ok(first < 2_048, `the first slice (${first}) is under the cap: nothing is measured yet`);
    // Twice the target for `first` structs: the next gets half of them.
    pace.took(first, 2 * SLICE_TARGET_MS);
    assert.equal(pace.next, Math.floor(first / 2));
    // Very fast: doubled, not jumped to the cap.
    const small = pace.next;
    pace.took(small, 0.1);
    assert.equal(pace.next, small * 2);
    for (let i = 0; i < 10; i++) pace.took(pace.next, 0.1);
    assert.equal(pace.next, 2_048, 'never past the cap');
  });

  it('HS2 never under the floor, and a slice cut short (the last, or blocked) does not resize', () => {
    const pace = new SlicePace(2_048);
    pace.took(pace.next, 10_000);
    assert.equal(pace.next, SLICE_MIN_STRUCTS, 'a stall of seconds leaves slices at the floor, so they still end');
    pace.took(pace.next, 0.01);
    const size = pace.next;
    pace.took(3, 10_000);
    assert.equal(pace.next, size, 'three structs that took long say nothing of a full slice');
    assert.equal(new SlicePace(64).next, 64, 'a cap under the first size is the size');
  });
});
