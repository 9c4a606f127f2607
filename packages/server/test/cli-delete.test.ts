import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import * as Y from 'yjs';
import { expiryKey, tombstoneKey } from '../src/persistence/side-data-keys.js';
import { SqliteStorage } from '../src/storage/sqlite.js';

const CLI = resolve(import.meta.dirname, '../src/cli.ts');

function padmesh(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', CLI, ...args],
      { env: { ...process.env, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

const edit = (text: string) => {
  const doc = new Y.Doc();
  doc.getText('content').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
};

describe('padmesh delete and sweep', () => {
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-cli-delete-'));
  const file = join(dir, 'padmesh.db');
  const env = { STORAGE_URL: `sqlite:${file}`, DATA_DIR: dir, REDIS_URL: '' };
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('OW10 OW11 delete removes a pad and leaves a tombstone; a missing pad exits 1; sweep deletes expired pads', async () => {
    let s = new SqliteStorage(file);
    await s.append([
      { pad: 'gone', update: edit('bye') },
      { pad: 'kept', update: edit('hi') },
      { pad: 'old', update: edit('expired') },
    ]);
    await s.records.put(expiryKey('old'), new Uint8Array(Buffer.from(String(Date.now() - 1000))));
    await s.close();

    const del = await padmesh(['delete', 'gone'], env);
    assert.equal(del.code, 0, del.stderr);
    const missing = await padmesh(['delete', 'nope'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no pad named nope/);
    const swept = await padmesh(['sweep'], env);
    assert.equal(swept.code, 0, swept.stderr);
    assert.match(swept.stdout, /deleted 1 expired pad: old/);

    s = new SqliteStorage(file);
    try {
      assert.deepEqual((await s.listPads()).sort(), ['kept']);
      assert.notEqual(await s.records.get(tombstoneKey('gone')), null);
      assert.notEqual(await s.records.get(tombstoneKey('old')), null);
    } finally {
      await s.close();
    }
    assert.equal((await padmesh(['delete', 'gone'], env)).code, 1, 'deleting twice says so');
  });
});
