import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checksum } from '../src/storage/checksum.js';
import { rangeChecksum, rangeMatches } from '../src/storage/range-checksum.js';

// Deterministic bytes, every value 0..255 among them.
const bytes = new Uint8Array(1_000);
for (let i = 0, x = 0x9e3779b9; i < bytes.length; i++) {
  x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + i;
  bytes[i] = x >>> 24;
}

describe('rangeChecksum', () => {
  it('R1 equals the zlib CRC-32 for every length from 0 to 300 at any offset (the JS path and the zlib path)', () => {
    for (let len = 0; len <= 300; len++)
      for (const from of [0, 1, 7, 500])
        assert.equal(
          rangeChecksum(bytes, from, from + len),
          checksum(bytes.subarray(from, from + len)),
          `${from}+${len}`,
        );
  });

  it('R1 matches the CRC-32 check value, including sums at or above 2^31', () => {
    assert.equal(rangeChecksum(new TextEncoder().encode('123456789'), 0, 9), 0xcbf43926);
    assert.equal(rangeChecksum(new TextEncoder().encode('a'), 0, 1), 0xe8b7be43);
  });

  it('R1 rangeMatches: no checksum passes, a sum given as a string or bigint is compared as a number', () => {
    const sum = checksum(bytes.subarray(3, 30));
    assert.ok(rangeMatches(bytes, 3, 30, null));
    assert.ok(rangeMatches(bytes, 3, 30, undefined));
    assert.ok(rangeMatches(bytes, 3, 30, sum));
    assert.ok(rangeMatches(bytes, 3, 30, String(sum)));
    assert.ok(rangeMatches(bytes, 3, 30, BigInt(sum)));
    assert.ok(!rangeMatches(bytes, 3, 30, sum + 2 ** 32));
    assert.ok(!rangeMatches(bytes, 3, 31, sum));
  });
});
