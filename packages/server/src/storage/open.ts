import { join, resolve } from 'node:path';
import type { Storage } from './types.js';

export interface OpenStorageOptions {
  /** Connections per pool for networked stores (STORAGE_POOL_SIZE). */
  poolSize?: number;
  /** Where `sqlite:` with no path keeps its file (DATA_DIR). */
  dataDir?: string;
  /** PostgreSQL schema (created if missing); tests use one per run. */
  schema?: string;
  /** MongoDB database, overriding the URL's (default: the URL's, else `padmesh`). */
  database?: string;
  /** Recoverable connection errors (a restarted database); they never crash the node. */
  onError?: (err: Error) => void;
}

/** Earlier name, kept for callers. */
export type OpenOptions = OpenStorageOptions;

/** The schemes STORAGE_URL accepts, for error messages. */
export const STORAGE_SCHEMES = [
  'memory:',
  'sqlite:',
  'postgres://',
  'postgresql://',
  'mongodb://',
  'mongodb+srv://',
] as const;

/**
 * Opens the backend a STORAGE_URL names. Drivers load on demand, so a SQLite node never
 * imports `pg` or `mongodb`.
 *
 * - `sqlite:<path>` (relative to the working directory, `sqlite:///abs/path` also works,
 *   `sqlite:` alone means `<dataDir>/padmesh.db`, `sqlite::memory:` keeps nothing)
 * - `postgres://…` / `postgresql://…`
 * - `mongodb://…` / `mongodb+srv://…`
 * - `memory:` (tests only: nothing survives the process)
 */
export async function openStorage(url: string, opts: OpenStorageOptions = {}): Promise<Storage> {
  if (url === 'memory:') {
    const { MemoryStorage } = await import('./memory.js');
    return new MemoryStorage();
  }
  if (url.startsWith('sqlite:')) {
    // On its own thread, so a commit's fsync never stalls the event loop (sqlite-threaded.ts).
    const { ThreadedSqliteStorage } = await import('./sqlite-threaded.js');
    return ThreadedSqliteStorage.open(sqlitePath(url, opts.dataDir));
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { PostgresStorage } = await import('./postgres.js');
    return PostgresStorage.open({ url, ...pick(opts, 'poolSize', 'schema', 'onError') });
  }
  if (url.startsWith('mongodb://') || url.startsWith('mongodb+srv://')) {
    const { MongoStorage } = await import('./mongo.js');
    return MongoStorage.open({ url, ...pick(opts, 'poolSize', 'database', 'onError') });
  }
  // Show only the scheme: the rest of a URL may hold a password.
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(url)?.[0] ?? '(no scheme)';
  throw new Error(
    `unsupported storage URL scheme ${JSON.stringify(scheme)}: expected one of ${STORAGE_SCHEMES.join(', ')}`,
  );
}

/** `sqlite:` URL to a file path. */
export function sqlitePath(url: string, dataDir = './data'): string {
  let rest = url.slice('sqlite:'.length);
  if (rest.startsWith('//')) rest = rest.slice(2); // sqlite:///abs -> /abs, sqlite://rel -> rel
  if (rest === ':memory:') return rest;
  return rest === '' ? join(resolve(dataDir), 'padmesh.db') : resolve(rest);
}

function pick<T extends object, K extends keyof T>(o: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
