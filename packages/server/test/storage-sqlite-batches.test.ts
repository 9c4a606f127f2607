import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SQLITE_LOG_BATCH } from '../src/storage/sqlite-log-read.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { ThreadedSqliteStorage } from '../src/storage/sqlite-threaded.js';
import type { Storage } from '../src/storage/types.js';

const text = (u: Uint8Array) => new TextDecoder().decode(u);

for (const [name, open] of [
  ['sqlite', (f: string): Promise<Storage> => Promise.resolve(new SqliteStorage(f))],
  ['sqlite-threaded', (f: string): Promise<Storage> => ThreadedSqliteStorage.open(f)],
] as const) {
  describe(`${name}: log reads in batches`, () => {
    it('R1 a log longer than one batch loads whole and in order, bytes as stored; a corrupt entry is reported, one without a checksum passes', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sqlite-batches-'));
      const file = join(dir, 'p.db');
      const n = SQLITE_LOG_BATCH * 2 + 50;
      // Every byte value, NUL and invalid UTF-8 included: the batch concatenates blobs as text.
      const entries = Array.from({ length: n }, (_, i) => {
        const u = new Uint8Array(3 + (i % 7));
        for (let k = 0; k < u.length; k++) u[k] = (i * 31 + k * 97) & 255;
        return { pad: 'p', update: u };
      });
      try {
        let s = await open(file);
        for (let i = 0; i < n; i += 5_000) await s.append(entries.slice(i, i + 5_000));
        const first = await s.load('p');
        assert.equal(first.updates.length, n);
        first.updates.forEach((u, i) => assert.deepEqual(u, entries[i]!.update, `entry ${i}`));
        await s.close();
        const bad = SQLITE_LOG_BATCH + 3;
        const db = new Database(file);
        db.prepare('UPDATE updates SET data = ? WHERE pad = ? AND seq = ?').run(
          Buffer.from('tampered'),
          'p',
          first.seqs[bad],
        );
        db.prepare('UPDATE updates SET crc = NULL WHERE pad = ? AND seq = ?').run('p', first.seqs[5]);
        db.close();
        s = await open(file);
        const again = await s.load('p');
        assert.deepEqual(again.corrupt, [{ pad: 'p', kind: 'update', seq: first.seqs[bad], reason: 'checksum' }]);
        assert.deepEqual(
          again.updates.map(text),
          entries.filter((_, i) => i !== bad).map((e) => text(e.update)),
        );
        assert.ok(again.seqs.every((q, i) => i === 0 || q > again.seqs[i - 1]!));
        assert.equal(again.lastSeq, first.lastSeq);
        await s.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
