// Where a cold load of a long, uncompacted log spends its time (issue 19, outcome 2):
//   node --conditions=source --import tsx packages/server/scripts/measure-cold.ts
// STORAGE=sqlite (in process, the default) | sqlite-threaded (the server's default adapter) |
// postgres (PADMESH_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test, a
// schema of its own dropped at the end); N=100000 log entries; RUNS=3 (medians printed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import * as Y from 'yjs';
import { createLogger } from '../src/log.js';
import { inlineFolder } from '../src/persistence/compactor.js';
import { loadVerified } from '../src/persistence/integrity.js';
import { applyStoredInTurns } from '../src/persistence/load-in-turns.js';
import { JoinState } from '../src/room/join-state.js';
import { PostgresStorage } from '../src/storage/postgres.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { ThreadedSqliteStorage } from '../src/storage/sqlite-threaded.js';
import type { Storage } from '../src/storage/types.js';

const N = Number(process.env.N ?? 100_000);
const RUNS = Number(process.env.RUNS ?? 3);
const backend = process.env.STORAGE ?? 'sqlite';
const pgUrl = process.env.PADMESH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `pm_cold_${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'cold-'));

async function open(): Promise<Storage> {
  if (backend === 'sqlite') return new SqliteStorage(join(dir, 'p.db'));
  if (backend === 'sqlite-threaded') return ThreadedSqliteStorage.open(join(dir, 'p.db'));
  if (backend === 'postgres') return PostgresStorage.open({ url: pgUrl, schema, poolSize: 2 });
  throw new Error(`STORAGE=${backend}: sqlite, sqlite-threaded or postgres`);
}

const storage = await open();
try {
  const batch: { pad: string; update: Uint8Array }[] = [];
  for (let written = 0; written < N;) {
    const doc = new Y.Doc();
    doc.on('update', (u: Uint8Array) => batch.push({ pad: 'cold', update: u }));
    const t = doc.getText('content');
    for (let i = 0; i < 20_000 && written < N; i++, written++) {
      t.insert(t.length, 'abcdefghij'[i % 10]!);
      if (batch.length >= 5_000) await storage.append(batch.splice(0));
    }
  }
  await storage.append(batch);

  const log = createLogger({ logLevel: 'silent', nodeId: 'measure' });
  // Wall time, and CPU time of the process (all its threads): the machine is shared, and CPU
  // time is the steadier of the two when other work competes for the cores.
  const times = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const record = (m: Map<string, number[]>, label: string, v: number) => m.set(label, [...(m.get(label) ?? []), v]);
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const time = async <T>(label: string, f: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const c0 = cpuMs();
    const r = await f();
    record(times, label, performance.now() - t0);
    record(cpu, label, cpuMs() - c0);
    return r;
  };
  for (let run = 0; run < RUNS; run++) {
    const raw = await time('storage.load', () => storage.load('cold'));
    // The verification alone: loadVerified over a storage whose load is already done.
    const preloaded = { ...storage, load: async () => ({ ...raw, updates: [...raw.updates] }) } as Storage;
    await time('verify (R1 decode check)', () => loadVerified(preloaded, 'cold', { quarantine: false }));
    const t0 = performance.now();
    const c0 = cpuMs();
    const stored = await time('loadVerified (load+verify)', () => loadVerified(storage, 'cold', { quarantine: false }));
    const doc = new Y.Doc();
    await time('applyStoredInTurns', () => applyStoredInTurns(doc, stored));
    const join = await time('JoinState.afterLoad', () => JoinState.afterLoad(doc, stored, inlineFolder, log));
    await time('first join answer', () => join.answer());
    record(times, 'cold open (load to answer)', performance.now() - t0);
    record(cpu, 'cold open (load to answer)', cpuMs() - c0);
    if (doc.getText('content').length !== N) throw new Error('loaded text is short');
  }
  const median = (l: number[]) => [...l].sort((a, b) => a - b)[Math.floor(l.length / 2)]!;
  console.log(`STORAGE=${backend} N=${N}: wall ms (median of ${RUNS}, each run), CPU ms (median)`);
  for (const [label, l] of times)
    console.log(
      label.padEnd(30),
      median(l).toFixed(1).padStart(7),
      `(${l.map((v) => v.toFixed(0)).join(' ')})`.padEnd(16),
      'cpu',
      median(cpu.get(label)!).toFixed(1).padStart(7),
    );
} finally {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
  if (backend === 'postgres') {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
}
