import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { storageContract } from '../testing/storage-contract.js';
import { corruptSqliteRow } from '../testing/corrupt.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { ThreadedSqliteStorage } from '../src/storage/sqlite-threaded.js';

const embedded = 'an embedded store has no server to restart (the process restart is S7/S12)';

storageContract('memory', {
  open: async () => new MemoryStorage(),
  restartSkip: embedded,
  corrupt: async (s, pad, kind, seq) => (s as MemoryStorage).corruptForTest(pad, kind, seq),
});

const dir = mkdtempSync(join(tmpdir(), 'padmesh-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'pads.db');
storageContract('sqlite', {
  open: async () => new SqliteStorage(file),
  reopen: async (old) => {
    await old.close();
    return new SqliteStorage(file);
  },
  shared: { url: `sqlite:${file}`, fixture: fileURLToPath(new URL('./fixtures/storage-writer.ts', import.meta.url)) },
  restartSkip: embedded,
  corrupt: async (_s, pad, kind, seq) => corruptSqliteRow(file, pad, kind, seq),
});

// What the server runs: the same database behind a worker thread (sqlite-threaded.ts).
const threadedFile = join(dir, 'threaded.db');
storageContract('sqlite on a worker thread', {
  open: () => ThreadedSqliteStorage.open(threadedFile),
  reopen: async (old) => {
    await old.close();
    return ThreadedSqliteStorage.open(threadedFile);
  },
  shared: {
    url: `sqlite:${threadedFile}`,
    fixture: fileURLToPath(new URL('./fixtures/storage-writer.ts', import.meta.url)),
  },
  restartSkip: embedded,
  corrupt: async (_s, pad, kind, seq) => corruptSqliteRow(threadedFile, pad, kind, seq),
});
