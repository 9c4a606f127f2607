import type pg from 'pg';
import { rangeMatches } from './range-checksum.js';
import type { CorruptEntry } from './types.js';

/**
 * Rows per query. Each query's answer is one row the driver parses in one turn, so this
 * bounds that turn for a log of small entries (8,192 keystrokes: ~300 KB); a log of big
 * entries is read as it was row by row, since each of its rows is one message anyway.
 */
export const LOG_READ_ROWS = 8_192;
/** Per entry in `meta`: int4 length, int8 seq, int8 crc (-1 for an entry stored without one). */
const META_BYTES = 20;

/**
 * The pad's log entries after `after`, in seq order, with their checksums checked (R1).
 * The server lays each batch's entries end to end in one bytea (and their lengths, seqs and
 * checksums in another), so the driver parses two values per batch instead of three per
 * entry: reading 100,000 keystroke entries took ~200 ms row by row, ~105 ms this way
 * (issue 19, cold load). Run inside the caller's REPEATABLE READ transaction, so every batch
 * sees one snapshot. The batch is ordered by a subquery; PostgreSQL keeps that order in
 * practice but does not promise it, so the seqs are checked and a batch out of order is read
 * again row by row. `onBatch` is handed each batch's entries as soon as they are checked, while
 * the next batch is read (a streamed load, `Storage.loadInBatches`).
 */
export async function readLog(
  c: pg.PoolClient,
  pad: string,
  after: number,
  onBatch?: (updates: Uint8Array[]) => void,
): Promise<{ updates: Uint8Array[]; seqs: number[]; lastSeq: number; corrupt: CorruptEntry[] }> {
  const out = new LogEntries(pad, after);
  // Each batch must be an index range scan in seq order. On a table not analyzed yet the
  // planner chose a bitmap scan and a sort of the whole rest of the log for every batch (13 ×
  // 18 ms for 100,000 entries, against 13 × 2 ms); these settings last until the caller's
  // transaction ends.
  await c.query('SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off');
  for (;;) {
    const { rows } = await c.query<{ data: Buffer | null; meta: Buffer | null; n: number }>(
      `SELECT string_agg(data, ''::bytea) AS data,
              string_agg(int4send(length(data)) || int8send(seq) || int8send(coalesce(crc, -1)), ''::bytea) AS meta,
              count(*)::int AS n
         FROM (SELECT data, seq, crc FROM updates WHERE pad = $1 AND seq > $2 ORDER BY seq LIMIT $3) AS batch`,
      [pad, out.lastSeq, LOG_READ_ROWS],
    );
    const { data, meta, n } = rows[0]!;
    if (n === 0 || !data || !meta) break;
    const before = out.updates.length;
    if (!unpack(out, data, meta)) await readRows(c, out, LOG_READ_ROWS);
    if (onBatch && out.updates.length > before) onBatch(out.updates.slice(before));
    if (n < LOG_READ_ROWS) break;
  }
  return { updates: out.updates, seqs: out.seqs, lastSeq: out.lastSeq, corrupt: out.corrupt };
}

/** The entries read so far: each one checked against its checksum (R1) in `entry`, the one place that does. */
class LogEntries {
  readonly updates: Uint8Array[] = [];
  readonly seqs: number[] = [];
  readonly corrupt: CorruptEntry[] = [];

  constructor(
    readonly pad: string,
    public lastSeq: number,
  ) {}

  /** Keeps an entry that passes its checksum, reports one that does not; either way reading goes on past it. */
  entry(seq: number, data: Uint8Array, crc: number | string | null): void {
    this.lastSeq = seq;
    if (rangeMatches(data, 0, data.length, crc)) {
      this.updates.push(data);
      this.seqs.push(seq);
    } else this.corrupt.push({ pad: this.pad, kind: 'update', seq, reason: 'checksum' });
  }
}

const TWO_32 = 2 ** 32;
/** High halves of an int8 whose value is a safe integer: |value| < 2^53. */
const SAFE_HIGH = 2 ** 21;

/**
 * One batch split back into entries, taken into `out` whole, or not at all (false) if its
 * seqs do not rise or its lengths do not add up to the bytes. Each int8 is read as two 32-bit
 * halves through a DataView: a BigInt per seq and per crc cost an allocation each, and
 * unpacking 100,000 entries went from ~85 to ~40 ms (issue 19).
 */
function unpack(out: LogEntries, data: Buffer, metaBytes: Buffer): boolean {
  const meta = new DataView(metaBytes.buffer, metaBytes.byteOffset, metaBytes.byteLength);
  const end = meta.byteLength;
  if (end % META_BYTES !== 0) return false;
  let total = 0;
  let prev = out.lastSeq;
  for (let o = 0; o < end; o += META_BYTES) {
    const len = meta.getInt32(o);
    const high = meta.getInt32(o + 4);
    // A seq past 2^53 would lose precision here: read row by row, as strings.
    if (len < 0 || high >= SAFE_HIGH || high < -SAFE_HIGH) return false;
    const seq = high * TWO_32 + meta.getUint32(o + 8);
    if (!(seq > prev)) return false;
    prev = seq;
    total += len;
  }
  if (total !== data.length) return false;
  let at = 0;
  for (let o = 0; o < end; o += META_BYTES) {
    const len = meta.getInt32(o);
    const seq = meta.getInt32(o + 4) * TWO_32 + meta.getUint32(o + 8);
    // A crc is 0..2^32-1, or negative (-1) for an entry stored without one. A high half above
    // 0 is a value past 2^32 (exact or not, it matches no CRC-32): reported corrupt, as before.
    const high = meta.getInt32(o + 12);
    const crc = high < 0 ? null : high * TWO_32 + meta.getUint32(o + 16);
    out.entry(seq, new Uint8Array(data.buffer, data.byteOffset + at, len), crc);
    at += len;
  }
  return true;
}

/** The same batch, one row per entry. */
async function readRows(c: pg.PoolClient, out: LogEntries, limit: number): Promise<void> {
  const { rows } = await c.query<{ seq: string; data: Buffer; crc: string | null }>(
    'SELECT seq, data, crc FROM updates WHERE pad = $1 AND seq > $2 ORDER BY seq LIMIT $3',
    [out.pad, out.lastSeq, limit],
  );
  for (const r of rows)
    out.entry(Number(r.seq), new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength), r.crc);
}
