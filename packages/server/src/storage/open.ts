import { MemoryStorage } from './memory.js';
import { SqliteStorage } from './sqlite.js';
import type { Storage } from './types.js';

export interface OpenOptions {
  poolSize: number;
}

/** Picks the backend from STORAGE_URL's scheme. */
export async function openStorage(url: string, _opts: OpenOptions): Promise<Storage> {
  if (url.startsWith('sqlite:')) return new SqliteStorage(url.slice('sqlite:'.length));
  if (url === 'memory:') return new MemoryStorage();
  throw new Error(`unsupported STORAGE_URL scheme in ${url.split(':')[0]}:`);
}
