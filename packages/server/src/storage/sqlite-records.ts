import type Database from 'better-sqlite3';
import { checkKey, checkPrefix, listEnd, prefixEnd } from './record-keys.js';
import type { Records, StoredRecord } from './types.js';

/** Created with the rest of the schema (sqlite.ts); BINARY collation orders keys by bytes. */
export const RECORDS_SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;
`;

/** `Records` in the SQLite database of the pad logs: same WAL, same synchronous commits (D1). */
export class SqliteRecords implements Records {
  private stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      get: db.prepare<[string], { value: Buffer }>('SELECT value FROM records WHERE key = ?'),
      put: db.prepare(
        'INSERT INTO records (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      list: db.prepare<[string, string], { key: string; value: Buffer }>(
        'SELECT key, value FROM records WHERE key >= ? AND key < ? ORDER BY key',
      ),
      delete: db.prepare('DELETE FROM records WHERE key = ?'),
      deleteRange: db.prepare('DELETE FROM records WHERE key >= ? AND key < ?'),
    };
  }

  async get(key: string): Promise<Uint8Array | null> {
    checkKey(key);
    const row = this.stmts.get.get(key);
    return row ? new Uint8Array(row.value) : null;
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    checkKey(key);
    this.stmts.put.run(key, value);
  }

  async list(prefix: string): Promise<StoredRecord[]> {
    checkPrefix(prefix);
    return this.stmts.list.all(prefix, listEnd(prefix)).map((r) => ({ key: r.key, value: new Uint8Array(r.value) }));
  }

  async delete(keys: readonly string[]): Promise<void> {
    keys.forEach(checkKey);
    this.db.transaction(() => {
      for (const k of keys) this.stmts.delete.run(k);
    })();
  }

  /** Synchronous, so `SqliteStorage.deletePad` can remove records in its own transaction. */
  deleteSync(keys: readonly string[], prefix: string): void {
    keys.forEach(checkKey);
    for (const k of keys) this.stmts.delete.run(k);
    this.stmts.deleteRange.run(prefix, prefixEnd(prefix));
  }

  async deletePrefix(prefix: string): Promise<number> {
    return this.stmts.deleteRange.run(prefix, prefixEnd(prefix)).changes;
  }
}
