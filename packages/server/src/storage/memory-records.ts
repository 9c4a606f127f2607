import { checkKey, checkPrefix, prefixEnd } from './record-keys.js';
import type { Records, StoredRecord } from './types.js';

/** `Records` in a Map, for tests and as the contract's reference behaviour. Values are copied both ways. */
export class MemoryRecords implements Records {
  private map = new Map<string, Uint8Array>();

  constructor(private readonly check: () => void) {}

  async get(key: string): Promise<Uint8Array | null> {
    this.check();
    checkKey(key);
    return this.map.get(key)?.slice() ?? null;
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    this.check();
    checkKey(key);
    this.map.set(key, value.slice());
  }

  async list(prefix: string): Promise<StoredRecord[]> {
    this.check();
    checkPrefix(prefix);
    return [...this.map]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, value]) => ({ key, value: value.slice() }));
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.check();
    keys.forEach(checkKey);
    for (const k of keys) this.map.delete(k);
  }

  async deletePrefix(prefix: string): Promise<number> {
    this.check();
    prefixEnd(prefix); // validates: an empty prefix would remove everything
    let n = 0;
    for (const k of [...this.map.keys()]) if (k.startsWith(prefix) && this.map.delete(k)) n++;
    return n;
  }
}
