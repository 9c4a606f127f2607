import type pg from 'pg';
import { checkKey, checkPrefix, listEnd, prefixEnd } from './record-keys.js';
import type { Records, StoredRecord } from './types.js';

/**
 * `Records` in the `records` table (migration 4). Every call is one statement, so atomic
 * and committed when it resolves; nodes writing different keys never wait for each other.
 */
export class PostgresRecords implements Records {
  constructor(private readonly pool: pg.Pool) {}

  async get(key: string): Promise<Uint8Array | null> {
    checkKey(key);
    const { rows } = await this.pool.query<{ value: Buffer }>('SELECT value FROM records WHERE key = $1', [key]);
    return rows[0] ? new Uint8Array(rows[0].value) : null;
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    checkKey(key);
    await this.pool.query(
      'INSERT INTO records (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }

  async list(prefix: string): Promise<StoredRecord[]> {
    checkPrefix(prefix);
    const { rows } = await this.pool.query<{ key: string; value: Buffer }>(
      'SELECT key, value FROM records WHERE key >= $1 AND key < $2 ORDER BY key',
      [prefix, listEnd(prefix)],
    );
    return rows.map((r) => ({ key: r.key, value: new Uint8Array(r.value) }));
  }

  async delete(keys: readonly string[]): Promise<void> {
    keys.forEach(checkKey);
    if (keys.length > 0) await this.pool.query('DELETE FROM records WHERE key = ANY($1::text[])', [keys]);
  }

  async deletePrefix(prefix: string): Promise<number> {
    const r = await this.pool.query('DELETE FROM records WHERE key >= $1 AND key < $2', [prefix, prefixEnd(prefix)]);
    return r.rowCount ?? 0;
  }
}
