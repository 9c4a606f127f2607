import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogEntry, Storage, StoredPad } from './types.js';

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
`;

/**
 * Embedded default. WAL with synchronous=FULL: a committed transaction survives
 * kill -9 and power loss (D1). better-sqlite3 is synchronous, so each call commits
 * before it returns; the async signature is the contract shared with networked stores.
 */
export class SqliteStorage implements Storage {
  private db: Database.Database;
  private stmts;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    // Idempotency key (LogEntry.id), added after the first schema: a retried batch whose
    // commit succeeded inserts nothing twice.
    const cols = this.db.prepare<[], { name: string }>('PRAGMA table_info(updates)').all();
    if (!cols.some((c) => c.name === 'id')) this.db.exec('ALTER TABLE updates ADD COLUMN id TEXT');
    this.db.exec('CREATE UNIQUE INDEX IF NOT EXISTS updates_pad_id ON updates (pad, id) WHERE id IS NOT NULL');
    this.stmts = {
      insert: this.db.prepare(
        'INSERT INTO updates (pad, data, id) VALUES (?, ?, ?) ON CONFLICT (pad, id) WHERE id IS NOT NULL DO NOTHING',
      ),
      snapshot: this.db.prepare<[string], { seq: number; data: Buffer }>('SELECT seq, data FROM snapshots WHERE pad = ?'),
      log: this.db.prepare<[string, number], { seq: number; data: Buffer }>(
        'SELECT seq, data FROM updates WHERE pad = ? AND seq > ? ORDER BY seq',
      ),
      upsertSnapshot: this.db.prepare(
        `INSERT INTO snapshots (pad, seq, data) VALUES (?, ?, ?)
         ON CONFLICT (pad) DO UPDATE SET seq = excluded.seq, data = excluded.data WHERE excluded.seq > snapshots.seq`,
      ),
      deleteThrough: this.db.prepare('DELETE FROM updates WHERE pad = ? AND seq <= ?'),
      pads: this.db.prepare<[], { pad: string }>('SELECT pad FROM snapshots UNION SELECT DISTINCT pad FROM updates'),
    };
  }

  private readonly appendTx = (entries: readonly LogEntry[]) =>
    this.db.transaction(() => {
      for (const e of entries) this.stmts.insert.run(e.pad, e.update, e.id ?? null);
    })();

  async load(pad: string): Promise<StoredPad> {
    return this.db.transaction(() => {
      const snap = this.stmts.snapshot.get(pad);
      const from = snap?.seq ?? 0;
      const rows = this.stmts.log.all(pad, from);
      return {
        snapshot: snap ? new Uint8Array(snap.data) : null,
        updates: rows.map((r) => new Uint8Array(r.data)),
        lastSeq: rows.at(-1)?.seq ?? from,
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
      this.stmts.upsertSnapshot.run(pad, throughSeq, snapshot);
      this.stmts.deleteThrough.run(pad, throughSeq);
    })();
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
