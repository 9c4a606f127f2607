import { crc32 } from 'node:zlib';

/**
 * CRC32 of a stored log entry or snapshot (R1). Stored next to the bytes by every adapter and
 * compared on every load, so bit rot, a torn page or a stray write shows up as a reported,
 * quarantined entry instead of a pad that silently changes or fails to load.
 * (`zlib.crc32` needs Node 20.15+; the project requires 20.19.)
 */
export function checksum(data: Uint8Array): number {
  return crc32(data) >>> 0;
}

/** True when `data` matches `sum`; entries written before checksums existed (`null`) pass. */
export function checksumMatches(data: Uint8Array, sum: number | string | bigint | null | undefined): boolean {
  return sum === null || sum === undefined || checksum(data) === Number(sum);
}
