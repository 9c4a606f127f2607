import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentile, prng, summary } from '../src/stats.js';

describe('bench stats', () => {
  it('nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(xs, 50), 50);
    assert.equal(percentile(xs, 99), 99);
    assert.equal(percentile(xs, 100), 100);
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.deepEqual(summary([1, 2, 3, 4]), { n: 4, p50: 2, p95: 4, p99: 4, max: 4 });
  });
  it('the PRNG replays from its seed', () => {
    const a = prng(42);
    const b = prng(42);
    assert.deepEqual([a(), a(), a()], [b(), b(), b()]);
  });
});
