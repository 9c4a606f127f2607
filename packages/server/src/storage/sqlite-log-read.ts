import type Database from 'better-sqlite3';
import { checksumMatches } from './checksum.js';
import type { CorruptEntry } from './types.js';

/** Rows per batch: SQLite lays each batch's entries end to end, so JS builds one buffer per batch. */
export const SQLITE_LOG_BATCH = 8_192;
const START_BYTES = 64 * 1024;

type Batch = [Buffer | null, string | null, number, number | null];
type Row = [number, Buffer, number | null];

/** The statements `readPackedLog` runs; prepared once per database by `logStatements`. */
export interface LogStatements {
  batch: Database.Statement<[string, number, number], Batch>;
  rows: Database.Statement<[string, number, number], Row>;
}

export function logStatements(db: Database.Database): LogStatements {
  return {
    // group_concat copies each blob's bytes as they are (a UTF-8 database converts nothing);
    // the cast hands them back as a blob.
    batch: db
      .prepare<[string, number, number], Batch>(
        `SELECT CAST(group_concat(data, x'') AS BLOB),
                group_concat(length(data) || ' ' || seq || ' ' || ifnull(crc, -1), ' '), count(*), max(seq)
           FROM (SELECT data, seq, crc FROM updates WHERE pad = ? AND seq > ? ORDER BY seq LIMIT ?)`,
      )
      .raw(),
    rows: db
      .prepare<[string, number, number], Row>(
        'SELECT seq, data, crc FROM updates WHERE pad = ? AND seq > ? ORDER BY seq LIMIT ?',
      )
      .raw(),
  };
}

export interface PackedLog {
  bytes: Uint8Array;
  lengths: number[];
  seqs: number[];
  lastSeq: number;
  corrupt: CorruptEntry[];
}

/**
 * A pad's log entries after `from` that pass their checksum (R1), laid end to end in one
 * buffer, in seq order. Read a batch of entries per statement: row by row, the cost of
 * 100,000 keystroke entries was a Buffer and a step per row (~200 ms); batched ~85 ms
 * (issue 19, cold load). SQLite does not promise the order a subquery gives an aggregate,
 * so the seqs and lengths are checked and a batch that does not add up is read row by row.
 * Call inside a transaction, so every batch reads one state.
 */
export function readPackedLog(s: LogStatements, pad: string, from: number): PackedLog {
  const out = new Packer(pad, from);
  for (;;) {
    const [data, meta, n, last] = s.batch.get(pad, out.lastSeq, SQLITE_LOG_BATCH)!;
    if (n === 0 || data === null || meta === null || last === null) break;
    if (!out.batch(data, meta)) for (const [seq, d, crc] of s.rows.iterate(pad, out.lastSeq, n)) out.entry(seq, d, crc);
    if (n < SQLITE_LOG_BATCH) break;
  }
  return out.done();
}

class Packer {
  private bytes = new Uint8Array(START_BYTES);
  private at = 0;
  private readonly lengths: number[] = [];
  private readonly seqs: number[] = [];
  private readonly corrupt: CorruptEntry[] = [];
  lastSeq: number;

  constructor(
    private readonly pad: string,
    from: number,
  ) {
    this.lastSeq = from;
  }

  /** Takes a whole batch, or nothing if its seqs or lengths do not add up. */
  batch(data: Buffer, meta: string): boolean {
    const m = meta.split(' ');
    let total = 0;
    let prev = this.lastSeq;
    for (let i = 0; i < m.length; i += 3) {
      const seq = Number(m[i + 1]);
      if (!(seq > prev)) return false;
      prev = seq;
      total += Number(m[i]);
    }
    if (total !== data.length) return false;
    let at = 0;
    for (let i = 0; i < m.length; i += 3) {
      const len = Number(m[i]);
      const crc = Number(m[i + 2]);
      this.entry(Number(m[i + 1]), data.subarray(at, at + len), crc < 0 ? null : crc);
      at += len;
    }
    return true;
  }

  entry(seq: number, data: Uint8Array, crc: number | null): void {
    this.lastSeq = seq;
    if (!checksumMatches(data, crc)) {
      this.corrupt.push({ pad: this.pad, kind: 'update', seq, reason: 'checksum' });
      return;
    }
    if (this.at + data.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.at + data.length));
      grown.set(this.bytes.subarray(0, this.at));
      this.bytes = grown;
    }
    this.bytes.set(data, this.at);
    this.at += data.length;
    this.lengths.push(data.length);
    this.seqs.push(seq);
  }

  done(): PackedLog {
    return {
      bytes: this.bytes.slice(0, this.at),
      lengths: this.lengths,
      seqs: this.seqs,
      lastSeq: this.lastSeq,
      corrupt: this.corrupt,
    };
  }
}
