import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import * as Y from 'yjs';
import { PostgresStorage } from '../src/storage/postgres.js';
import { SqliteStorage } from '../src/storage/sqlite.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = resolve(import.meta.dirname, '../src/cli.ts');
const BIN = resolve(ROOT, 'node_modules/.bin/padmesh');
const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLI_TIMEOUT_MS = 30_000;

function run(
  cmd: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      cmd[0]!,
      cmd.slice(1),
      { env: { ...process.env, ...env }, timeout: CLI_TIMEOUT_MS },
      (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const padmesh = (args: string[], env: Record<string, string> = {}) =>
  run([process.execPath, '--conditions=source', '--import', 'tsx', CLI, ...args], env);

function textUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('content').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

describe('padmesh CLI at the edges', () => {
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-cli-'));
  const db = join(dir, 'padmesh.db');
  before(async () => {
    const s = new SqliteStorage(db);
    await s.append([{ pad: 'notes', update: textUpdate('hello') }]);
    await s.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('E-CLI1 `padmesh` is linked by the README install and runs (bin is a committed file, not a build output)', async () => {
    assert.ok(existsSync(BIN), `${BIN} exists after npm install`);
    const r = await run([BIN, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /padmesh verify/);
  });

  it('E-CLI2 verify refuses a store that does not exist and creates nothing', async () => {
    const wrong = join(dir, 'wrong', 'x.db');
    const r = await padmesh(['verify', '--storage', `sqlite:${wrong}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no SQLite store at .*x\.db/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(existsSync(wrong), false, 'nothing created');
  });

  it('E-CLI3 export of a pad that does not exist exits 1 with a message', async () => {
    const r = await padmesh(['export', 'no-such-pad', '--storage', `sqlite:${db}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no pad named "no-such-pad"/);
    assert.equal(r.stdout, '');
    const ok = await padmesh(['export', 'notes', '--storage', `sqlite:${db}`]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'hello');
  });

  it('E-CLI4 import of a missing file exits 1 with one line, no stack trace, and changes nothing', async () => {
    const r = await padmesh(['import', 'notes', join(dir, 'missing.txt'), '--storage', `sqlite:${db}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot read .*missing\.txt: no such file/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal((await padmesh(['export', 'notes', '--storage', `sqlite:${db}`])).stdout, 'hello');
  });

  it('E-CLI5 verify and export honour STORAGE_SCHEMA (PostgreSQL)', async () => {
    const schema = `cli_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5_000 });
    try {
      await admin.connect();
    } catch (err) {
      assert.fail(`PostgreSQL at ${PG_URL} is not reachable: ${(err as Error).message}`);
    }
    try {
      const store = await PostgresStorage.open({ url: PG_URL, schema });
      await store.append([{ pad: 'in-schema', update: textUpdate('from a schema') }]);
      await store.close();
      const env = { STORAGE_URL: PG_URL, STORAGE_SCHEMA: schema };
      const exported = await padmesh(['export', 'in-schema'], env);
      assert.equal(exported.code, 0, exported.stderr);
      assert.equal(exported.stdout, 'from a schema');
      const verified = await padmesh(['verify'], env);
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(verified.stdout, /^pads 1, /);
      const elsewhere = await padmesh(['verify'], { ...env, STORAGE_SCHEMA: `${schema}_none` });
      assert.equal(elsewhere.code, 1);
      assert.match(elsewhere.stderr, /no Padmesh tables in PostgreSQL schema/);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });

  it('E-CLI6 a text import says how to make it live when the pad may be open on a node', async () => {
    const file = join(dir, 'new.txt');
    await import('node:fs').then((fs) => fs.writeFileSync(file, 'hello world'));
    const r = await padmesh(['import', 'notes', file, '--storage', `sqlite:${db}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /open on a running node.*PUT/s);
    assert.equal((await padmesh(['export', 'notes', '--storage', `sqlite:${db}`])).stdout, 'hello world');
  });
});
