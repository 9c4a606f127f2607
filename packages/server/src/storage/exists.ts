import { existsSync } from 'node:fs';
import { sqlitePath } from './open.js';

/**
 * Whether a store already holds Padmesh's tables, without creating anything: opening a
 * store creates it, which is right for a server and wrong for `padmesh verify` pointed at a
 * mistyped path (it would report a fresh empty store as healthy). Returns the reason when not.
 */
export async function storeMissing(url: string, opts: { schema?: string } = {}): Promise<string | null> {
  if (url.startsWith('sqlite:')) {
    const file = sqlitePath(url);
    if (file === ':memory:') return 'an in-memory SQLite store holds nothing to read';
    return existsSync(file) ? null : `no SQLite store at ${file}`;
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      const table = `${opts.schema ?? 'public'}.updates`;
      const r = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]);
      return r.rows[0]?.t ? null : `no Padmesh tables in PostgreSQL schema ${opts.schema ?? 'public'}`;
    } finally {
      await client.end();
    }
  }
  // MongoDB creates collections lazily and memory: holds nothing: nothing to check up front.
  return null;
}
