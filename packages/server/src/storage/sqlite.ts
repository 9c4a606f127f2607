import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { padFootprint } from '../persistence/pad-footprint.js';
import { checksum, checksumMatches } from './checksum.js';
import { logStatements, readPackedLog, type LogStatements } from './sqlite-log-read.js';
import { RECORDS_SCHEMA, SqliteRecords } from './sqlite-records.js';
import { StreamedParts, unpackUpdates, type PackedPad, type PackedStream } from './packed-pad.js';
import type { CorruptEntry, LoadSink, LogEntry, QuarantinedEntry, Storage, StoredPad } from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS updates (
  seq    INTEGER PRIMARY KEY AUTOINCREMENT,
  pad    TEXT NOT NULL,
  data   BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS updates_pad_seq ON updates (pad, seq);
CREATE TABLE IF NOT EXISTS snapshots (
  pad    TEXT PRIMARY KEY,
  seq    INTEGER NOT NULL,
  data   BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine (
  pad    TEXT NOT NULL,
  kind   TEXT NOT NULL,
  seq    INTEGER NOT NULL,
  reason TEXT NOT NULL,
  data   BLOB NOT NULL,
  at     INTEGER NOT NULL
);
`;

interface Row {
  seq: number;
  data: Buffer;
  crc: number | null;
}

/**
 * Embedded default. WAL with synchronous=FULL: a committed transaction survives
 * kill -9 and power loss (D1). better-sqlite3 is synchronous, so each call commits
 * before it returns; the async signature is the contract shared with networked stores.
 */
export class SqliteStorage implements Storage {
  private db: Database.Database;
  private stmts;
  private readonly logStmts: LogStatements;
  readonly records: SqliteRecords;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.db.exec(RECORDS_SCHEMA);
    this.records = new SqliteRecords(this.db);
    // Idempotency key (LogEntry.id), added after the first schema: a retried batch whose
    // commit succeeded inserts nothing twice.
    const cols = this.db.prepare<[], { name: string }>('PRAGMA table_info(updates)').all();
    if (!cols.some((c) => c.name === 'id')) this.db.exec('ALTER TABLE updates ADD COLUMN id TEXT');
    this.db.exec('CREATE UNIQUE INDEX IF NOT EXISTS updates_pad_id ON updates (pad, id) WHERE id IS NOT NULL');
    // Checksums (R1), added after the first schema; rows written before have NULL (unverified).
    for (const table of ['updates', 'snapshots']) {
      const have = this.db.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all();
      if (!have.some((c) => c.name === 'crc')) this.db.exec(`ALTER TABLE ${table} ADD COLUMN crc INTEGER`);
    }
    // Last append per pad (idle expiry), added after the first schema: pads stored before
    // count as written now, so an upgrade never expires a pad on its first sweep.
    const hadActivity = this.db
      .prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'pad_activity'")
      .get()!.n;
    this.db.exec('CREATE TABLE IF NOT EXISTS pad_activity (pad TEXT PRIMARY KEY, at INTEGER NOT NULL)');
    if (!hadActivity)
      this.db
        .prepare(
          'INSERT OR IGNORE INTO pad_activity SELECT pad, ? FROM (SELECT pad FROM snapshots UNION SELECT pad FROM updates)',
        )
        .run(Date.now());
    this.logStmts = logStatements(this.db);
    this.stmts = {
      touch: this.db.prepare(
        'INSERT INTO pad_activity (pad, at) VALUES (?, ?) ON CONFLICT (pad) DO UPDATE SET at = excluded.at',
      ),
      idle: this.db.prepare<[number], { pad: string }>(
        "SELECT pad FROM pad_activity WHERE at < ? AND substr(pad, 1, 1) <> ':'",
      ),
      insert: this.db.prepare(
        'INSERT INTO updates (pad, data, id, crc) VALUES (?, ?, ?, ?) ON CONFLICT (pad, id) WHERE id IS NOT NULL DO NOTHING',
      ),
      snapshot: this.db.prepare<[string], Row>('SELECT seq, data, crc FROM snapshots WHERE pad = ?'),
      upsertSnapshot: this.db.prepare(
        `INSERT INTO snapshots (pad, seq, data, crc) VALUES (?, ?, ?, ?)
         ON CONFLICT (pad) DO UPDATE SET seq = excluded.seq, data = excluded.data, crc = excluded.crc
          WHERE excluded.seq > snapshots.seq`,
      ),
      jailUpdate: this.db.prepare(
        `INSERT INTO quarantine (pad, kind, seq, reason, data, at)
         SELECT pad, 'update', seq, ?, data, ? FROM updates WHERE pad = ? AND seq = ?`,
      ),
      dropUpdate: this.db.prepare('DELETE FROM updates WHERE pad = ? AND seq = ?'),
      jailSnapshot: this.db.prepare(
        `INSERT INTO quarantine (pad, kind, seq, reason, data, at)
         SELECT pad, 'snapshot', seq, ?, data, ? FROM snapshots WHERE pad = ? AND seq = ?`,
      ),
      dropSnapshot: this.db.prepare('DELETE FROM snapshots WHERE pad = ? AND seq = ?'),
      quarantined: this.db.prepare<
        [string | null, string | null],
        { pad: string; kind: string; seq: number; reason: string; data: Buffer; at: number }
      >('SELECT pad, kind, seq, reason, data, at FROM quarantine WHERE ? IS NULL OR pad = ? ORDER BY rowid'),
      backlog: this.db.prepare<[number], { pad: string; entries: number }>(
        'SELECT pad, count(*) AS entries FROM updates GROUP BY pad HAVING count(*) >= ?',
      ),
      deleteThrough: this.db.prepare('DELETE FROM updates WHERE pad = ? AND seq <= ?'),
      pads: this.db.prepare<[], { pad: string }>('SELECT pad FROM snapshots UNION SELECT DISTINCT pad FROM updates'),
    };
  }

  private readonly appendTx = (entries: readonly LogEntry[]) =>
    this.db.transaction(() => {
      for (const e of entries) this.stmts.insert.run(e.pad, e.update, e.id ?? null, checksum(e.update));
      const now = Date.now();
      for (const pad of new Set(entries.map((e) => e.pad))) this.stmts.touch.run(pad, now);
    })();

  async load(pad: string): Promise<StoredPad> {
    return unpackUpdates(this.loadPacked(pad));
  }

  async loadInBatches(pad: string, sink: LoadSink): Promise<StoredPad> {
    const parts = new StreamedParts(sink);
    return parts.whole(this.loadPacked(pad, parts));
  }

  /**
   * `load` with the log entries that pass their checksum (R1) laid end to end in one buffer:
   * what the worker thread transfers (sqlite-threaded.ts), built without a copy per entry.
   * With `stream`, the snapshot and each batch of the log go there as they are read, and the
   * result carries neither (it has every seq, and the position, corruption and last seq).
   */
  loadPacked(pad: string, stream?: PackedStream): PackedPad {
    return this.db.transaction(() => {
      const snap = this.stmts.snapshot.get(pad);
      const from = snap?.seq ?? 0;
      const corrupt: CorruptEntry[] = [];
      const snapOk = snap !== undefined && checksumMatches(snap.data, snap.crc);
      if (snap && !snapOk) corrupt.push({ pad, kind: 'snapshot', seq: snap.seq, reason: 'checksum' });
      const snapshot = snap && snapOk ? new Uint8Array(snap.data) : null;
      if (snapshot && stream) stream.snapshot(snapshot);
      const log = readPackedLog(this.logStmts, pad, from, stream && ((c) => stream.chunk(c)));
      return {
        snapshot: stream ? null : snapshot,
        snapshotSeq: snap?.seq ?? null,
        bytes: log.bytes,
        lengths: log.lengths,
        seqs: log.seqs,
        lastSeq: log.lastSeq,
        corrupt: [...log.corrupt, ...corrupt],
      };
    })();
  }

  async append(entries: readonly LogEntry[]): Promise<void> {
    if (entries.length > 0) this.appendTx(entries);
  }

  async compact(pad: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    this.db.transaction(() => {
      const current = this.stmts.snapshot.get(pad);
      if (current && current.seq >= throughSeq) return;
      this.stmts.upsertSnapshot.run(pad, throughSeq, snapshot, checksum(snapshot));
      this.stmts.deleteThrough.run(pad, throughSeq);
    })();
  }

  async quarantine(entries: readonly CorruptEntry[]): Promise<void> {
    const at = Date.now();
    this.db.transaction(() => {
      for (const c of entries) {
        if (c.kind === 'snapshot') {
          if (this.stmts.jailSnapshot.run(c.reason, at, c.pad, c.seq).changes > 0)
            this.stmts.dropSnapshot.run(c.pad, c.seq);
        } else if (this.stmts.jailUpdate.run(c.reason, at, c.pad, c.seq).changes > 0) {
          this.stmts.dropUpdate.run(c.pad, c.seq);
        }
      }
    })();
  }

  async quarantined(pad?: string): Promise<QuarantinedEntry[]> {
    return this.stmts.quarantined.all(pad ?? null, pad ?? null).map((r) => ({
      pad: r.pad,
      kind: r.kind === 'snapshot' ? 'snapshot' : 'update',
      seq: r.seq,
      reason: r.reason === 'checksum' || r.reason === 'misplaced' ? r.reason : 'undecodable',
      data: new Uint8Array(r.data),
      at: new Date(r.at),
    }));
  }

  async backlog(minEntries: number): Promise<{ pad: string; entries: number }[]> {
    return this.stmts.backlog.all(minEntries);
  }

  async deletePad(pad: string): Promise<void> {
    const f = await padFootprint(this, pad);
    const names = JSON.stringify(f.logs);
    this.db.transaction(() => {
      for (const table of ['updates', 'snapshots', 'quarantine', 'pad_activity'])
        this.db
          .prepare(
            `DELETE FROM ${table} WHERE pad IN (SELECT value FROM json_each(?)) OR substr(pad, 1, length(?)) = ?`,
          )
          .run(names, f.logPrefix, f.logPrefix);
      this.records.deleteSync(f.recordKeys, f.recordPrefix);
    })();
  }

  async idlePads(before: number): Promise<string[]> {
    return this.stmts.idle.all(before).map((r) => r.pad);
  }

  async listPads(): Promise<string[]> {
    return this.stmts.pads.all().map((r) => r.pad);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
