import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { medianRows, percentile, prng, summary } from '../src/stats.js';

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
  it('merges rounds into per-server medians, skipping rounds that errored', () => {
    const round = (a: number, b: number) => [
      { server: 'x', 'p99 ms': a, note: 'r' },
      { server: 'y', 'p99 ms': b, note: 'r' },
    ];
    const merged = medianRows([
      round(5, 1),
      round(9, 2),
      [
        { server: 'x', error: 'boom' },
        { server: 'y', 'p99 ms': 100, note: 'r' },
      ],
      round(7, 3),
    ]);
    assert.deepEqual(merged, [
      { server: 'x', 'p99 ms': 7, note: 'r' },
      { server: 'y', 'p99 ms': 2, note: 'r' },
    ]);
    assert.deepEqual(medianRows([[{ server: 'x', error: 'boom' }]]), [{ server: 'x', error: 'boom' }]);
  });
});
