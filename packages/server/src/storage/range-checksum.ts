import { checksum } from './checksum.js';

/**
 * Below this many bytes a CRC-32 in JS beats a call into zlib: for a 25-byte keystroke
 * entry ~50 ns against ~120-220 ns, with a view to make per entry besides; zlib wins from
 * ~100 bytes (measured on Node 20).
 */
const SMALL = 64;

/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): the one `zlib.crc32` computes. */
const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

/**
 * `checksum(bytes.subarray(from, to))` (R1) for one entry of a batch laid end to end. A cold
 * load checks every entry of the log, and for 100,000 keystroke entries zlib's cost per call
 * was ~10 ms of it; this way ~4 ms (issue 19).
 */
export function rangeChecksum(bytes: Uint8Array, from: number, to: number): number {
  if (to - from >= SMALL) return checksum(bytes.subarray(from, to));
  let c = -1;
  for (let i = from; i < to; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** `checksumMatches(bytes.subarray(from, to), sum)`: entries stored without a checksum (`null`) pass. */
export function rangeMatches(
  bytes: Uint8Array,
  from: number,
  to: number,
  sum: number | string | bigint | null | undefined,
): boolean {
  return sum === null || sum === undefined || rangeChecksum(bytes, from, to) === Number(sum);
}
