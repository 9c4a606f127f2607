import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { Binary, MongoClient } from 'mongodb';
import { storageContract } from '../testing/storage-contract.js';
import { MongoStorage } from '../src/storage/mongo.js';
import type { Storage } from '../src/storage/types.js';

// There is no MongoDB server on the development machines or in CI (Debian ships none, and
// mongodb-memory-server downloads its binary from outside the package registries), so these
// scenarios run only against a server named by MONGODB_URL and are reported as skipped
// otherwise, never as passed. A replica set (one node is enough) gives the full contract.
const url = process.env.MONGODB_URL;
const database = `padmesh_t_${process.pid}_${Date.now().toString(36)}`;
const fixture = fileURLToPath(new URL('./fixtures/storage-writer.ts', import.meta.url));

const open = () => MongoStorage.open({ url: url!, database, poolSize: 4 });

storageContract('mongo', {
  skip: url
    ? undefined
    : 'MONGODB_URL not set: no MongoDB server here (none in Debian; mongodb-memory-server downloads a binary, which is not allowed)',
  open,
  reopen: async (old: Storage) => {
    await old.close();
    return open();
  },
  shared: url ? { url, options: { database, poolSize: 2 }, fixture } : undefined,
  restartSkip: 'no command to restart an external MongoDB server from the test',
  atomicAcrossPads: (s) => (s as MongoStorage).transactions,
  corrupt: async (_s, pad, kind, seq) => {
    const c = new MongoClient(url!);
    try {
      const db = c.db(database);
      if (kind === 'snapshot') {
        const snap = await db.collection<{ _id: string; data: Binary }>('snapshots').findOne({ _id: pad, seq });
        if (!snap) throw new Error(`no snapshot ${pad}@${seq}`);
        await db
          .collection<{ _id: string }>('snapshots')
          .updateOne({ _id: pad }, { $set: { data: new Binary(flip(snap.data.buffer)) } });
        return;
      }
      const chunk = await db.collection('log').findOne({ pad, first: { $lte: seq }, last: { $gte: seq } });
      if (!chunk) throw new Error(`no chunk holding ${pad}@${seq}`);
      const k = seq - (chunk.first as number);
      const data = (chunk.updates as Binary[])[k]!;
      await db
        .collection('log')
        .updateOne({ _id: chunk._id }, { $set: { [`updates.${k}`]: new Binary(flip(data.buffer)) } });
    } finally {
      await c.close();
    }
  },
});

function flip(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[out.length >> 1] = out[out.length >> 1]! ^ 0xff;
  return out;
}

after(async () => {
  if (!url) return;
  const c = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  try {
    await c.connect();
    await c.db(database).dropDatabase();
  } finally {
    await c.close();
  }
});
