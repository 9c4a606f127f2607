import type Database from 'better-sqlite3';
import { rangeMatches } from './range-checksum.js';
import type { CorruptEntry } from './types.js';

/** Rows per batch: SQLite lays each batch's entries end to end, so JS builds one buffer per batch. */
export const SQLITE_LOG_BATCH = 8_192;
const START_BYTES = 64 * 1024;

type Batch = [Buffer | null, Buffer | null, number, number | null];
type Row = [number, Buffer, number | null];

/** The statements `readPackedLog` runs; prepared once per database by `logStatements`. */
export interface LogStatements {
  batch: Database.Statement<[string, number, number], Batch>;
  rows: Database.Statement<[string, number, number], Row>;
}

export function logStatements(db: Database.Database): LogStatements {
  return {
    // group_concat copies each blob's bytes as they are (a UTF-8 database converts nothing);
    // the cast hands them back as a blob. The meta comes back as bytes too ("len seq crc ..."
    // in ASCII), so JS parses it without making a string of it first.
    batch: db
      .prepare<[string, number, number], Batch>(
        `SELECT CAST(group_concat(data, x'') AS BLOB),
                CAST(group_concat(length(data) || ' ' || seq || ' ' || ifnull(crc, -1), ' ') AS BLOB), count(*), max(seq)
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

/** Log entries laid end to end: `lengths` says where each ends. */
export interface PackedChunk {
  bytes: Uint8Array;
  lengths: number[];
}

export interface PackedLog extends PackedChunk {
  seqs: number[];
  lastSeq: number;
  corrupt: CorruptEntry[];
}

/**
 * A pad's log entries after `from` that pass their checksum (R1), laid end to end in one
 * buffer, in seq order. Read a batch of entries per statement: row by row, the cost of
 * 100,000 keystroke entries was a Buffer and a step per row (~200 ms); batched ~85 ms; ~57
 * ms once the meta was parsed in one pass, small entries checked without a call into zlib
 * and each batch copied in one piece (issue 19, cold load). SQLite does not promise the
 * order a subquery gives an aggregate, so the seqs and lengths are checked and a batch that
 * does not add up is read row by row.
 * Call inside a transaction, so every batch reads one state.
 */
export function readPackedLog(
  s: LogStatements,
  pad: string,
  from: number,
  onChunk?: (chunk: PackedChunk) => void,
): PackedLog {
  const out = new Packer(pad, from);
  for (;;) {
    const [data, meta, n, last] = s.batch.get(pad, out.lastSeq, SQLITE_LOG_BATCH)!;
    if (n === 0 || data === null || meta === null || last === null) break;
    if (!out.batch(data, meta, n))
      for (const [seq, d, crc] of s.rows.iterate(pad, out.lastSeq, n)) out.entry(seq, d, crc);
    if (onChunk) out.flush(onChunk);
    if (n < SQLITE_LOG_BATCH) break;
  }
  return out.done();
}

const SPACE = 32;
const MINUS = 45;
const ZERO = 48;

class Packer {
  private bytes = new Uint8Array(START_BYTES);
  private at = 0;
  private readonly lengths: number[] = [];
  private readonly seqs: number[] = [];
  private readonly corrupt: CorruptEntry[] = [];
  /** Entries already handed over by `flush`. */
  private flushed = 0;
  /** One batch's meta as numbers, [len, seq, crc] per entry: parsed and checked before any is taken. */
  private meta = new Float64Array(0);
  lastSeq: number;

  constructor(
    private readonly pad: string,
    from: number,
  ) {
    this.lastSeq = from;
  }

  /**
   * Takes a whole batch of `n` entries, or nothing if its meta is not `n` entries of
   * "len seq crc" whose seqs rise and whose lengths add up to the bytes.
   */
  batch(data: Buffer, meta: Buffer, n: number): boolean {
    if (!this.parse(meta, n, data.length)) return false;
    const m = this.meta;
    this.reserve(data.length);
    // A plain Uint8Array view: a Buffer's subarray is a Buffer, slower to make per entry.
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
    // Entries that pass are copied in runs, so a batch that passes whole (every batch, bar
    // bit rot) is one copy instead of one per entry.
    let run = 0;
    let at = 0;
    for (let i = 0; i < 3 * n; i += 3) {
      const len = m[i]!;
      const seq = m[i + 1]!;
      const crc = m[i + 2]!;
      if (this.passes(seq, bytes, at, at + len, crc < 0 ? null : crc)) {
        this.lengths.push(len);
        this.seqs.push(seq);
      } else {
        this.copy(bytes, run, at);
        run = at + len;
      }
      at += len;
    }
    this.copy(bytes, run, at);
    this.lastSeq = m[3 * n - 2]!;
    return true;
  }

  /**
   * `meta` into `this.meta` in one pass, without a string per number. False if it is not
   * exactly `n` triples of integers separated by single spaces (only a crc may be negative:
   * -1 for an entry stored without one), if a number is past 2^53 (it would lose precision),
   * if the seqs do not rise from `lastSeq`, or if the lengths do not add up to `bytes`.
   */
  private parse(meta: Uint8Array, n: number, bytes: number): boolean {
    if (this.meta.length < 3 * n) this.meta = new Float64Array(3 * n);
    const m = this.meta;
    const end = meta.length;
    let i = 0;
    for (let k = 0; k < 3 * n; k++) {
      if (k > 0) {
        if (i >= end || meta[i] !== SPACE) return false;
        i++;
      }
      const negative = k % 3 === 2 && i < end && meta[i] === MINUS;
      if (negative) i++;
      const start = i;
      let v = 0;
      for (; i < end; i++) {
        const d = meta[i]! - ZERO;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (i === start || v > Number.MAX_SAFE_INTEGER) return false;
      m[k] = negative ? -v : v;
    }
    if (i !== end) return false;
    let prev = this.lastSeq;
    let total = 0;
    for (let k = 0; k < 3 * n; k += 3) {
      total += m[k]!;
      if (!(m[k + 1]! > prev)) return false;
      prev = m[k + 1]!;
    }
    return total === bytes;
  }

  entry(seq: number, data: Uint8Array, crc: number | null): void {
    this.lastSeq = seq;
    if (!this.passes(seq, data, 0, data.length, crc)) return;
    this.reserve(data.length);
    this.bytes.set(data, this.at);
    this.at += data.length;
    this.lengths.push(data.length);
    this.seqs.push(seq);
  }

  /** True if `data[from, to)` matches its checksum (R1); if not, the entry is reported corrupt. */
  private passes(seq: number, data: Uint8Array, from: number, to: number, crc: number | null): boolean {
    if (rangeMatches(data, from, to, crc)) return true;
    this.corrupt.push({ pad: this.pad, kind: 'update', seq, reason: 'checksum' });
    return false;
  }

  private reserve(more: number): void {
    if (this.at + more <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.at + more));
    grown.set(this.bytes.subarray(0, this.at));
    this.bytes = grown;
  }

  /** `data[from, to)` onto the end of the output (room already reserved). */
  private copy(data: Uint8Array, from: number, to: number): void {
    if (to === from) return;
    this.bytes.set(from === 0 && to === data.length ? data : data.subarray(from, to), this.at);
    this.at += to - from;
  }

  /** Hands over the entries packed since the last flush (their seqs stay for `done`). */
  flush(onChunk: (chunk: PackedChunk) => void): void {
    if (this.lengths.length === this.flushed) return;
    onChunk({ bytes: this.bytes.slice(0, this.at), lengths: this.lengths.slice(this.flushed) });
    this.flushed = this.lengths.length;
    this.at = 0;
  }

  /** What was not flushed (everything, without `onChunk`), and every seq. */
  done(): PackedLog {
    return {
      bytes: this.bytes.slice(0, this.at),
      lengths: this.flushed === 0 ? this.lengths : this.lengths.slice(this.flushed),
      seqs: this.seqs,
      lastSeq: this.lastSeq,
      corrupt: this.corrupt,
    };
  }
}
