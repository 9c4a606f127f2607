import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { MemoryStorage } from '../src/storage/memory.js';
import { openStorage, sqlitePath } from '../src/storage/open.js';
import { ThreadedSqliteStorage } from '../src/storage/sqlite-threaded.js';

describe('openStorage picks the backend from the URL scheme', () => {
  it('sqlite: paths, the DATA_DIR default and :memory:', () => {
    assert.equal(sqlitePath('sqlite:///srv/pads.db'), '/srv/pads.db');
    assert.equal(sqlitePath('sqlite:data/pads.db'), resolve('data/pads.db'));
    assert.equal(sqlitePath('sqlite:', '/var/lib/padmesh'), '/var/lib/padmesh/padmesh.db');
    assert.equal(sqlitePath('sqlite::memory:'), ':memory:');
  });

  it('opens SQLite and memory stores', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'padmesh-open-'));
    try {
      const s = await openStorage('sqlite:', { dataDir: dir });
      assert.ok(s instanceof ThreadedSqliteStorage);
      await s.ping();
      await s.close();
      assert.ok((await openStorage('memory:')) instanceof MemoryStorage);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown scheme without echoing the rest of the URL (it may hold a password)', async () => {
    await assert.rejects(openStorage('mysql://root:secret@db/x'), (err: Error) => {
      assert.match(err.message, /unsupported storage URL scheme "mysql:"/);
      assert.match(err.message, /postgres:\/\//);
      assert.doesNotMatch(err.message, /secret/);
      return true;
    });
  });

  it('an unreachable PostgreSQL fails to open with the driver error', { timeout: 15_000 }, async () => {
    await assert.rejects(openStorage('postgres://postgres@127.0.0.1:1/none'), /ECONNREFUSED|connect/);
  });
});
