import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeapGuard, USED_HEAP_SHARE, USED_HEAP_SHARE_LOADS } from '../src/room/heap-guard.js';

describe('The heap ceiling, measured (HI4)', () => {
  it('HI4 loads stop at a lower share of the heap in use than edits, so the pads already open keep taking edits', () => {
    const limit = 1_000_000;
    let used = 0;
    const guard = new HeapGuard(limit, () => used);
    used = limit * ((USED_HEAP_SHARE_LOADS + USED_HEAP_SHARE) / 2);
    assert.equal(guard.overloaded(0), true, 'a new load is refused');
    assert.equal(guard.heapInUsePast(), false, 'an edit to an open pad is not');
    used = limit * (USED_HEAP_SHARE + 0.05);
    assert.equal(guard.heapInUsePast(), true, 'past the higher share, growing edits are refused too');
    used = 0;
    assert.equal(guard.overloaded(guard.ceiling + 1), true, 'the estimate alone refuses loads');
    assert.equal(guard.overloaded(guard.ceiling), false);
  });
});
