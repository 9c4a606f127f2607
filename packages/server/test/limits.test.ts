import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedCounter, SlidingWindow, TokenBucket } from '../src/limits.js';

describe('Limits', () => {
  it('L1 token bucket allows a burst, then the refill rate', () => {
    let now = 0;
    const b = new TokenBucket(10, 5, () => now);
    for (let i = 0; i < 5; i++) assert.ok(b.take());
    assert.equal(b.take(), false);
    now += 100; // 1 token
    assert.ok(b.take());
    assert.equal(b.take(), false);
    now += 10_000;
    for (let i = 0; i < 5; i++) assert.ok(b.take());
    assert.equal(b.take(), false, 'never more than the burst');
  });

  it('L2 keyed counter caps live items per key and frees on release', () => {
    const c = new KeyedCounter(2);
    assert.ok(c.tryAcquire('a'));
    assert.ok(c.tryAcquire('a'));
    assert.equal(c.tryAcquire('a'), false);
    assert.ok(c.tryAcquire('b'));
    c.release('a');
    assert.ok(c.tryAcquire('a'));
  });

  it('L3 sliding window forgets events older than the window', () => {
    let now = 0;
    const w = new SlidingWindow(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) assert.ok(w.tryHit('ip'));
    assert.equal(w.tryHit('ip'), false);
    now = 59_999;
    assert.equal(w.tryHit('ip'), false);
    now = 60_001;
    assert.ok(w.tryHit('ip'));
  });
});
