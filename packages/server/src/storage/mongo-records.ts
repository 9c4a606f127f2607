import { Binary, type Collection } from 'mongodb';
import { checkKey, checkPrefix, listEnd, prefixEnd } from './record-keys.js';
import type { Records, StoredRecord } from './types.js';

export interface RecordDoc {
  _id: string;
  value: Binary;
}

/**
 * `Records` in the `records` collection, one document per key (`_id`), written with the
 * store's write concern. Strings compare by bytes (simple collation), so a prefix is an
 * `_id` range. Each call is one command: `put` and `delete` of one key are atomic, a
 * multi-key `delete` removes each key atomically but not all together (K1 asks no more).
 * Not run against a server here (no MongoDB on the development machines; see README).
 */
export class MongoRecords implements Records {
  constructor(private readonly docs: Collection<RecordDoc>) {}

  async get(key: string): Promise<Uint8Array | null> {
    checkKey(key);
    const doc = await this.docs.findOne({ _id: key });
    return doc ? bytes(doc.value) : null;
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    checkKey(key);
    await this.docs.replaceOne({ _id: key }, { value: new Binary(value) }, { upsert: true });
  }

  async list(prefix: string): Promise<StoredRecord[]> {
    checkPrefix(prefix);
    const docs = await this.docs
      .find({ _id: { $gte: prefix, $lt: listEnd(prefix) } })
      .sort({ _id: 1 })
      .toArray();
    return docs.map((d) => ({ key: d._id, value: bytes(d.value) }));
  }

  async delete(keys: readonly string[]): Promise<void> {
    keys.forEach(checkKey);
    if (keys.length > 0) await this.docs.deleteMany({ _id: { $in: [...keys] } });
  }

  async deletePrefix(prefix: string): Promise<number> {
    const r = await this.docs.deleteMany({ _id: { $gte: prefix, $lt: prefixEnd(prefix) } });
    return r.deletedCount;
  }
}

function bytes(b: Binary): Uint8Array {
  return Uint8Array.from(b.buffer.subarray(0, b.position));
}
