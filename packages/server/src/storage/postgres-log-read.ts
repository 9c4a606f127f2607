import type pg from 'pg';
import { checksumMatches } from './checksum.js';
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
 * again row by row.
 */
export async function readLog(
  c: pg.PoolClient,
  pad: string,
  after: number,
): Promise<{ updates: Uint8Array[]; seqs: number[]; lastSeq: number; corrupt: CorruptEntry[] }> {
  const updates: Uint8Array[] = [];
  const seqs: number[] = [];
  const corrupt: CorruptEntry[] = [];
  let lastSeq = after;
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
      [pad, lastSeq, LOG_READ_ROWS],
    );
    const { data, meta, n } = rows[0]!;
    if (n === 0 || !data || !meta) break;
    const batch = unpack(pad, data, meta, lastSeq);
    if (batch) {
      updates.push(...batch.updates);
      seqs.push(...batch.seqs);
      corrupt.push(...batch.corrupt);
      lastSeq = batch.lastSeq;
    } else {
      const r = await readRows(c, pad, lastSeq, LOG_READ_ROWS);
      updates.push(...r.updates);
      seqs.push(...r.seqs);
      corrupt.push(...r.corrupt);
      lastSeq = r.lastSeq;
    }
    if (n < LOG_READ_ROWS) break;
  }
  return { updates, seqs, lastSeq, corrupt };
}

/** One batch split back into entries, or null if its seqs are not in order. */
function unpack(pad: string, data: Buffer, meta: Buffer, after: number) {
  const updates: Uint8Array[] = [];
  const seqs: number[] = [];
  const corrupt: CorruptEntry[] = [];
  let at = 0;
  let lastSeq = after;
  for (let o = 0; o + META_BYTES <= meta.length; o += META_BYTES) {
    const len = meta.readInt32BE(o);
    const seq = Number(meta.readBigInt64BE(o + 4));
    const crc = meta.readBigInt64BE(o + 12);
    if (seq <= lastSeq || at + len > data.length) return null;
    lastSeq = seq;
    const entry = new Uint8Array(data.buffer, data.byteOffset + at, len);
    at += len;
    if (!checksumMatches(entry, crc < 0n ? null : crc)) corrupt.push({ pad, kind: 'update', seq, reason: 'checksum' });
    else {
      updates.push(entry);
      seqs.push(seq);
    }
  }
  return at === data.length ? { updates, seqs, lastSeq, corrupt } : null;
}

/** The same batch, one row per entry. */
async function readRows(c: pg.PoolClient, pad: string, after: number, limit: number) {
  const { rows } = await c.query<{ seq: string; data: Buffer; crc: string | null }>(
    'SELECT seq, data, crc FROM updates WHERE pad = $1 AND seq > $2 ORDER BY seq LIMIT $3',
    [pad, after, limit],
  );
  const updates: Uint8Array[] = [];
  const seqs: number[] = [];
  const corrupt: CorruptEntry[] = [];
  let lastSeq = after;
  for (const r of rows) {
    const data = new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength);
    lastSeq = Number(r.seq);
    if (!checksumMatches(data, r.crc)) corrupt.push({ pad, kind: 'update', seq: lastSeq, reason: 'checksum' });
    else {
      updates.push(data);
      seqs.push(lastSeq);
    }
  }
  return { updates, seqs, lastSeq, corrupt };
}
