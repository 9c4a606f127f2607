import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { MongoClient } from 'mongodb';
import { storageContract } from '../src/storage/contract.js';
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
  skip: url ? undefined : 'MONGODB_URL not set: no MongoDB server here (none in Debian; mongodb-memory-server downloads a binary, which is not allowed)',
  open,
  reopen: async (old: Storage) => {
    await old.close();
    return open();
  },
  shared: url ? { url, options: { database, poolSize: 2 }, fixture } : undefined,
  restartSkip: 'no command to restart an external MongoDB server from the test',
  atomicAcrossPads: (s) => (s as MongoStorage).transactions,
});

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
