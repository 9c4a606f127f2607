import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { checksum } from '../src/storage/checksum.js';
import { SQLITE_LOG_BATCH, readPackedLog, type LogStatements } from '../src/storage/sqlite-log-read.js';
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

    it('R1 entries first and last in a batch can be corrupt; a checksum off by 2^32, or past 2^53, is reported', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sqlite-batches-'));
      const file = join(dir, 'p.db');
      const n = SQLITE_LOG_BATCH + 20;
      const entries = Array.from({ length: n }, (_, i) => ({
        pad: 'p',
        update: new TextEncoder().encode(`entry ${i}`),
      }));
      try {
        let s = await open(file);
        await s.append(entries);
        const { seqs } = await s.load('p');
        await s.close();
        const db = new Database(file);
        const setCrc = db.prepare('UPDATE updates SET crc = crc + ? WHERE pad = ? AND seq = ?');
        setCrc.run(2 ** 32, 'p', seqs[0]);
        // Past 2^53 the batch cannot hold the number exactly: that batch is read row by row.
        setCrc.run(2n ** 60n, 'p', seqs[SQLITE_LOG_BATCH - 1]);
        const tamper = db.prepare('UPDATE updates SET data = ? WHERE pad = ? AND seq = ?');
        tamper.run(Buffer.from('tampered'), 'p', seqs[SQLITE_LOG_BATCH]);
        tamper.run(Buffer.from('tampered'), 'p', seqs[n - 1]);
        db.close();
        const bad = [0, SQLITE_LOG_BATCH - 1, SQLITE_LOG_BATCH, n - 1];
        s = await open(file);
        const again = await s.load('p');
        assert.deepEqual(
          again.corrupt,
          bad.map((i) => ({ pad: 'p', kind: 'update', seq: seqs[i], reason: 'checksum' })),
        );
        assert.deepEqual(
          again.updates.map(text),
          entries.filter((_, i) => !bad.includes(i)).map((e) => text(e.update)),
        );
        assert.deepEqual(
          again.seqs,
          seqs.filter((_, i) => !bad.includes(i)),
        );
        assert.equal(again.lastSeq, seqs[n - 1]);
        await s.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('readPackedLog: a batch is taken whole or read again row by row', () => {
  type Entry = [seq: number, data: Buffer, crc: number | null];
  const entries: Entry[] = [
    [3, Buffer.from('a'), checksum(Buffer.from('a'))], // a checksum at or above 2^31 (0xe8b7be43)
    [5, Buffer.from('bb'), null],
    [8, Buffer.from('ccc'), checksum(Buffer.from('ccc'))],
  ];
  const meta = (es: Entry[]) => es.map(([seq, d, crc]) => `${d.length} ${seq} ${crc ?? -1}`).join(' ');
  /** Statements that answer one batch with `batchMeta`, and the rows as they are. */
  const statements = (rows: Entry[], batchMeta: string) => {
    let rowReads = 0;
    const s = {
      batch: {
        get: () => [Buffer.concat(rows.map((r) => r[1])), Buffer.from(batchMeta), rows.length, rows.at(-1)![0]],
      },
      rows: {
        iterate: (_pad: string, after: number, limit: number) => {
          rowReads++;
          return rows
            .filter((r) => r[0] > after)
            .slice(0, limit)
            .values();
        },
      },
    } as unknown as LogStatements;
    return { s, rowReads: () => rowReads };
  };
  const expected = {
    bytes: new Uint8Array(Buffer.from('abbccc')),
    lengths: [1, 2, 3],
    seqs: [3, 5, 8],
    lastSeq: 8,
    corrupt: [],
  };

  it('R1 a batch that adds up is taken without a row read', () => {
    const { s, rowReads } = statements(entries, meta(entries));
    assert.deepEqual(readPackedLog(s, 'p', 0), expected);
    assert.equal(rowReads(), 0);
  });

  it('R1 corrupt entries first, in the middle and last of a batch are left out and reported; reading goes past them', () => {
    const rows: Entry[] = [
      [1, Buffer.from('x'), 1],
      ...entries.slice(0, 2),
      [6, Buffer.from('yy'), 2],
      entries[2]!,
      [9, Buffer.from('z'), 3],
    ];
    const { s, rowReads } = statements(rows, meta(rows));
    assert.deepEqual(readPackedLog(s, 'p', 0), {
      ...expected,
      lastSeq: 9,
      corrupt: [1, 6, 9].map((seq) => ({ pad: 'p', kind: 'update', seq, reason: 'checksum' })),
    });
    assert.equal(rowReads(), 0);
  });

  for (const [why, m] of [
    ['seqs out of order', '1 5 -1 2 3 -1 3 8 -1'],
    ['a seq not above the one read from', '1 2 -1 2 5 -1 3 8 -1'],
    ['lengths that do not add up', '1 3 -1 2 5 -1 2 8 -1'],
    ['fewer entries than rows', '1 3 -1 2 5 -1'],
    ['more entries than rows', `${meta(entries)} 0 9 -1`],
    ['a trailing space', `${meta(entries)} `],
    ['two spaces', meta(entries).replace(' ', '  ')],
    ['a negative length', '-1 3 -1 2 5 -1 4 8 -1'],
    ['a number that is not an integer', '1 3 -1 2 5.0 -1 3 8 -1'],
    ['a seq past 2^53', `1 3 -1 2 ${2 ** 60} -1 3 8 -1`],
    ['nothing', ''],
  ] as const)
    it(`R1 a batch with ${why} is read row by row, with the same result`, () => {
      const { s, rowReads } = statements(entries, m);
      assert.deepEqual(readPackedLog(s, 'p', 2), expected);
      assert.equal(rowReads(), 1);
    });
});
