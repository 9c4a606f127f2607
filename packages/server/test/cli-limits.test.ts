import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { SqliteStorage } from '../src/storage/sqlite.js';

// Design §5: `padmesh import` is a write path too, so it passes the limits a WebSocket
// update passes (HI12). As cli.test.ts: the CLI runs from source in a child process.

const CLI = resolve(import.meta.dirname, '../src/cli.ts');
const CLI_TIMEOUT_MS = 30_000;

function padmesh(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', CLI, ...args],
      { env: { ...process.env, ...env }, timeout: CLI_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A Yjs update inserting `text`, written by `clients` distinct client ids (one run each). */
function textUpdate(text: string, clients = 1): Uint8Array {
  const docs = Array.from({ length: clients }, () => new Y.Doc());
  const merged = new Y.Doc();
  docs.forEach((d, i) => {
    d.getText('content').insert(0, i === 0 ? text : 'z');
    Y.applyUpdate(merged, Y.encodeStateAsUpdate(d));
  });
  return Y.encodeStateAsUpdate(merged);
}

describe('padmesh import passes the pad limits (HI12)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-cli-limits-'));
  const db = join(dir, 'padmesh.db');
  const storage = ['--storage', `sqlite:${db}`];
  const limits = { MAX_PAD_CHARS: '100', MAX_PAD_BYTES: '2048', MAX_UPDATE_CLIENTS: '2' };
  const file = (name: string, data: string | Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };
  const textOf = async (pad: string) => (await padmesh(['export', pad, ...storage], limits)).stdout;

  before(async () => {
    const s = new SqliteStorage(db);
    await s.append([
      { pad: 'notes', update: textUpdate('hello') },
      { pad: 'bystander', update: textUpdate('before') },
    ]);
    await s.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Another pad in the same store still takes an import within the limits. */
  async function bystanderStillImports(): Promise<void> {
    const r = await padmesh(['import', 'bystander', file('ok.txt', 'still here'), ...storage], limits);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await textOf('bystander'), 'still here');
  }

  const refused = (r: { code: number; stderr: string }, why: RegExp) => {
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, why);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'one line, no stack trace');
  };

  it('HI12 a text import past MAX_PAD_CHARS exits 1 with the reason and changes nothing', async () => {
    const r = await padmesh(['import', 'notes', file('big.txt', 'x'.repeat(101)), ...storage], limits);
    refused(r, /import refused: pad would exceed 100 characters/);
    assert.equal(await textOf('notes'), 'hello');
    await bystanderStillImports();
  });

  it('HI12 a yjs import past MAX_PAD_CHARS or MAX_PAD_BYTES exits 1 and changes nothing', async () => {
    const chars = await padmesh(
      ['import', 'notes', file('big.yjs', textUpdate('y'.repeat(101))), '--format', 'yjs', ...storage],
      limits,
    );
    refused(chars, /pad would exceed 100 characters/);
    const bytes = await padmesh(
      ['import', 'notes', file('huge.yjs', textUpdate('y'.repeat(3000))), '--format', 'yjs', ...storage],
      { ...limits, MAX_PAD_CHARS: '5000000' },
    );
    refused(bytes, /pad would exceed 2048 bytes/);
    assert.equal(await textOf('notes'), 'hello');
    await bystanderStillImports();
  });

  it('HI12 a yjs import passes the same update-shape check as a WebSocket update', async () => {
    const r = await padmesh(
      ['import', 'notes', file('clients.yjs', textUpdate('abc', 3)), '--format', 'yjs', ...storage],
      limits,
    );
    refused(r, /more than 2 client ids/);
    assert.equal(await textOf('notes'), 'hello');
    await bystanderStillImports();
  });
});
