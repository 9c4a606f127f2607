import { decodeMessage } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { createLogger } from '../src/log.js';
import { inlineFolder } from '../src/persistence/compactor.js';
import { loadVerified, loadVerifiedInto, type VerifiedPad } from '../src/persistence/integrity.js';
import { applyStoredInTurns } from '../src/persistence/load-in-turns.js';
import { docFromStored } from '../src/persistence/stored-doc.js';
import { JoinState } from '../src/room/join-state.js';
import { checksum } from '../src/storage/checksum.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { ThreadedSqliteStorage } from '../src/storage/sqlite-threaded.js';
import type { CorruptEntry, Storage } from '../src/storage/types.js';
import { corruptSqliteRow } from '../testing/corrupt.js';
import { spawnNode } from '../testing/process.js';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer } from '../testing/test-server.js';
import { waitFor } from '../testing/wait.js';

const CLI = resolve(import.meta.dirname, '../src/cli.ts');
const CLI_TIMEOUT_MS = 30_000;

/** Runs `padmesh <args>` (from source) and returns its exit code and output. */
function padmesh(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', CLI, ...args],
      { env: { ...process.env, ...env }, timeout: CLI_TIMEOUT_MS, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) =>
        done({
          code: err ? Number((err as { code?: number }).code ?? 1) : 0,
          stdout: stdout.toString('latin1'),
          stderr: stderr.toString(),
        }),
    );
  });
}

function rows(file: string, pad: string): { seq: number }[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare<[string], { seq: number }>('SELECT seq FROM updates WHERE pad = ? ORDER BY seq').all(pad);
  } finally {
    db.close();
  }
}

/** Types each piece as its own acknowledged update; returns the client (its doc keeps them all). */
async function typePieces(wsUrl: string, pad: string, pieces: string[]): Promise<RawClient> {
  const c = await new RawClient(wsUrl, pad).ready();
  for (const p of pieces) {
    c.insert(c.text.length, p);
    await c.saved();
  }
  return c;
}

describe('Integrity and recovery (R1-R6)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-integrity-'));
  const file = join(dir, 'padmesh.db');
  const env = { DATA_DIR: dir, COMPACT_EVERY: '100000' };
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('R1 R3 R5 a corrupted SQLite row: verify names pad and position, the server serves the last good state, a client heals it', async () => {
    let srv = await startTestServer(env);
    const writer = await typePieces(srv.wsUrl, 'rot', ['alpha ', 'beta ', 'gamma']);
    const other = await typePieces(srv.wsUrl, 'garbled', ['one ', 'two']);
    writer.close();
    other.close();
    await srv.close();

    const rot = rows(file, 'rot');
    assert.equal(rot.length, 3);
    corruptSqliteRow(file, 'rot', 'update', rot[2]!.seq);
    // An entry whose checksum matches but which is not a Yjs update (written by a bug, say).
    const garbled = rows(file, 'garbled');
    const junk = Buffer.from([0xff, 0xff, 0xff, 0x7f, 0x01]);
    const db = new Database(file);
    db.prepare('UPDATE updates SET data = ?, crc = ? WHERE seq = ?').run(junk, checksum(junk), garbled[1]!.seq);
    db.close();

    const bad = await padmesh(['verify', '--storage', `sqlite:${file}`]);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stderr, new RegExp(`pad=rot update@${rot[2]!.seq} \\(checksum\\)`));
    assert.match(bad.stderr, new RegExp(`pad=garbled update@${garbled[1]!.seq} \\(undecodable\\)`));
    // The 2 pads' logs only: history (one version per pad, recorded when it unloaded) lives
    // in Storage.records now (K2), no longer as pseudo-pads in the log.
    assert.match(bad.stdout, /pads 2, entries 5, .*corrupt 2, .*quarantined 0/);
    const side = new SqliteStorage(file);
    for (const pad of ['rot', 'garbled'])
      assert.equal((await side.records.list(`pad/${pad}/history/version/`)).length, 1, `${pad} has its version`);
    await side.close();

    srv = await startTestServer(env);
    try {
      assert.equal(await (await fetch(`${srv.url}/rot.txt`)).text(), 'alpha beta ');
      assert.equal(await (await fetch(`${srv.url}/garbled.txt`)).text(), 'one ');
      const metrics = await (await fetch(`${srv.url}/metrics`)).text();
      assert.match(metrics, /padmesh_corrupt_entries_total\{kind="update",reason="checksum"\} 1/);
      assert.match(metrics, /padmesh_corrupt_entries_total\{kind="update",reason="undecodable"\} 1/);
      // R3: the author still holds the lost edit in its doc; reconnecting re-sends it.
      const back = new RawClient(srv.wsUrl, 'rot', { doc: writer.doc });
      await back.ready();
      await back.saved();
      await waitFor(
        async () => (await (await fetch(`${srv.url}/rot.txt`)).text()) === 'alpha beta gamma',
        'healed text',
      );
      back.close();
    } finally {
      await srv.close();
    }

    const store = new SqliteStorage(file);
    const q = await store.quarantined();
    await store.close();
    assert.deepEqual(q.map((e) => `${e.pad}@${e.seq}:${e.reason}`).sort(), [
      `garbled@${garbled[1]!.seq}:undecodable`,
      `rot@${rot[2]!.seq}:checksum`,
    ]);
    const good = await padmesh(['verify'], { DATA_DIR: dir, STORAGE_URL: '' });
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /corrupt 0, .*quarantined 2/);
  });

  it('R6 export and import round-trip text and Yjs state through the CLI', async () => {
    const srv = await startTestServer(env);
    const c = await typePieces(srv.wsUrl, 'src', ['hello ', 'wörld 🎉']);
    c.close();
    await srv.close();
    const storage = ['--storage', `sqlite:${file}`];
    const text = await padmesh(['export', 'src', ...storage]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(Buffer.from(text.stdout, 'latin1').toString('utf8'), 'hello wörld 🎉');
    const state = join(dir, 'src.yjs');
    assert.equal((await padmesh(['export', 'src', '--format', 'yjs', '--out', state, ...storage])).code, 0);
    const txt = join(dir, 'in.txt');
    writeFileSync(txt, 'hello there');
    const imp = await padmesh(['import', 'src', txt, ...storage]);
    assert.equal(imp.code, 0, imp.stderr);
    const merged = await padmesh(['import', 'copy', state, '--format', 'yjs', ...storage]);
    assert.equal(merged.code, 0, merged.stderr);
    const out = join(dir, 'out.txt');
    await padmesh(['export', 'src', '--out', out, ...storage]);
    assert.equal(readFileSync(out, 'utf8'), 'hello there');
    await padmesh(['export', 'copy', '--out', out, ...storage]);
    assert.equal(readFileSync(out, 'utf8'), 'hello wörld 🎉');
    const usage = await padmesh(['export', 'bad!pad', ...storage]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /invalid pad id/);
  });

  it('R4 a node restarted after kill -9 compacts the backlog it left, in the background', async () => {
    const node = await spawnNode(env);
    const c = new RawClient(node.wsUrl, 'backlog');
    await c.ready();
    // One stored entry per edit: the server applies (and stores) whatever arrives in one turn
    // as one entry, so each edit waits for the previous one's acknowledgement (a fixed pause
    // was not enough on a loaded CI machine).
    for (let i = 0; i < 150; i++) {
      c.insert(c.text.length, `${i} `);
      await c.saved(15_000);
    }
    const expected = c.text;
    await node.kill('SIGKILL');
    c.close();
    assert.ok(rows(file, 'backlog').length >= 150);

    const again = await spawnNode({ ...env, RECOVERY_MIN_ENTRIES: '100' });
    try {
      await waitFor(() => rows(file, 'backlog').length === 0, 'start-up compaction of the backlog', 15_000);
      const metrics = await (await fetch(`${again.url}/metrics`)).text();
      assert.match(metrics, /padmesh_recovery_compactions_total \d+/);
      assert.equal(await (await fetch(`${again.url}/backlog.txt`)).text(), expected);
    } finally {
      await again.kill();
    }
  });
});

describe('Integrity on the fast load path (R1 R3, keystroke runs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-integrity-fast-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const log = createLogger({ logLevel: 'silent', nodeId: 'test' });

  for (const [threaded, fused] of [
    [false, false],
    [true, false],
    [true, true],
  ] as const) {
    const how = `${threaded ? 'SQLite on its thread' : 'SQLite in process'}, ${fused ? "the room's one-pass loadVerifiedInto" : 'loadVerified then applyStoredInTurns'}`;
    it(`R1 R3 a long keystroke log with a bad entry in the middle (${how}): both quarantined, the rest served`, async () => {
      const file = join(dir, `fast-${threaded ? 'threaded' : 'inline'}-${fused ? 'fused' : 'two'}.db`);
      const writer = new SqliteStorage(file);
      const typing = new Y.Doc();
      const entries: { pad: string; update: Uint8Array }[] = [];
      typing.on('update', (u: Uint8Array) => entries.push({ pad: 'long', update: u }));
      const t = typing.getText('content');
      for (let i = 0; i < 5_000; i++) t.insert(t.length, 'abcdefghij'[i % 10]!);
      await writer.append(entries);
      await writer.close();
      const seqs = rows(file, 'long').map((r) => r.seq);
      // Entry 2,000 rots (checksum); entry 3,500 is a keystroke with bad UTF-8 and a matching checksum.
      corruptSqliteRow(file, 'long', 'update', seqs[2_000]!);
      const junk = new Uint8Array(entries[3_500]!.update);
      junk[junk.length - 2] = 0xff;
      const db = new Database(file);
      db.prepare('UPDATE updates SET data = ?, crc = ? WHERE seq = ?').run(junk, checksum(junk), seqs[3_500]!);
      db.close();

      const storage: Storage = threaded ? await ThreadedSqliteStorage.open(file) : new SqliteStorage(file);
      try {
        const reported: CorruptEntry[] = [];
        const opts = { quarantine: true, report: (c: CorruptEntry) => reported.push(c) };
        const doc = new Y.Doc();
        let stored: VerifiedPad;
        if (fused) stored = await loadVerifiedInto(doc, storage, 'long', opts);
        else {
          stored = await loadVerified(storage, 'long', opts);
          assert.deepEqual(await applyStoredInTurns(doc, stored), { snapshot: false, updates: [] });
        }
        assert.deepEqual(
          reported.map((c) => `${c.seq}:${c.reason}`),
          [`${seqs[2_000]}:checksum`, `${seqs[3_500]}:undecodable`],
        );
        assert.equal(stored.updates.length, 4_998);
        assert.ok(!stored.seqs.includes(seqs[3_500]!), 'the undecodable entry is out of what the room keeps');
        // R3: what came after the lost entry waits for it; the text is the last consistent state.
        assert.equal(doc.getText('content').toString(), t.toString().slice(0, 2_000));
        const oneByOne = docFromStored(stored);
        assert.deepEqual(Y.encodeStateAsUpdate(doc), Y.encodeStateAsUpdate(oneByOne), 'as applyStored leaves it');
        const joinState = JoinState.afterLoad(doc, stored, inlineFolder, log);
        // What waits for the lost entry is folded out of the answer first (HI13: never sent).
        await waitFor(() => joinState.ready, 'join state folded');
        const joiner = new Y.Doc();
        for (const f of joinState.answer()) {
          const m = decodeMessage(f);
          if (m.type === 'update' || m.type === 'sync-step2') Y.applyUpdate(joiner, m.update);
        }
        assert.equal(joiner.getText('content').toString(), t.toString().slice(0, 2_000), 'what the doc shows');
        assert.equal(joiner.store.pendingStructs, null, 'and nothing that waits');
        assert.deepEqual(
          (await storage.quarantined('long')).map((q) => q.seq),
          [seqs[2_000], seqs[3_500]],
        );
        const again = await storage.load('long');
        assert.equal(again.updates.length, 4_998, 'quarantined entries are out of the log');
        assert.deepEqual(again.corrupt, []);
      } finally {
        await storage.close();
      }
    });
  }
});
