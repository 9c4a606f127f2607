// Storage adapter benchmark: append throughput and pad load time per adapter.
//
//   node --conditions=source --import tsx packages/bench/src/storage.ts
//
// For each adapter (sqlite; postgres; mongo when MONGODB_URL is set) and each size
// (1k, 100k, 1M updates in one pad) it appends real Yjs updates (one typed character each)
// with group commit on (BENCH_BATCH entries per append, default 256) and off (one entry
// per append, i.e. one transaction per update), then times loading the pad back (storage
// read, and applying it to a Y.Doc). Each append phase stops at BENCH_CAP_S seconds
// (default 20); a capped row says so and reports what it managed. Small cases take the
// median of several runs. Prints a table and writes bench/results/storage.json.
//
// Env: BENCH_ADAPTERS=sqlite,postgres,mongo  BENCH_SIZES=1000,100000,1000000
//      BENCH_CAP_S=20  BENCH_BATCH=256  POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test
//      MONGODB_URL=mongodb://...
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import * as Y from 'yjs';
import { openStorage } from '@padmesh/server';
import type { LogEntry, Storage } from '@padmesh/server';

const SIZES = (process.env.BENCH_SIZES ?? '1000,100000,1000000').split(',').map(Number);
const CAP_MS = Number(process.env.BENCH_CAP_S ?? 20) * 1000;
const BATCH = Number(process.env.BENCH_BATCH ?? 256);
const PG_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MONGO_URL = process.env.MONGODB_URL;
const ADAPTERS = (process.env.BENCH_ADAPTERS ?? 'sqlite,postgres,mongo').split(',');
const OUT = resolve(import.meta.dirname, '../../../bench/results/storage.json');
/** Runs per case: several where a run is cheap, one where it is not. */
const runsFor = (size: number, batched: boolean) => (size <= 1000 ? 5 : size <= 100_000 && batched ? 3 : 1);

interface Row {
  adapter: string;
  size: number;
  groupCommit: boolean;
  runs: number;
  /** Updates actually written (less than size when capped). */
  written: number;
  capped: boolean;
  appendPerSec: number;
  loadMs: number;
  applyMs: number;
}

interface Adapter {
  name: string;
  open(): Promise<Storage>;
  cleanup(): Promise<void>;
}

function adapters(): Adapter[] {
  const out: Adapter[] = [];
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  if (ADAPTERS.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'padmesh-bench-'));
    out.push({
      name: 'sqlite',
      open: () => openStorage(`sqlite:${join(dir, 'bench.db')}`),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    });
  }
  if (ADAPTERS.includes('postgres')) {
    const schema = `padmesh_bench_${tag}`;
    out.push({
      name: 'postgres',
      open: () => openStorage(PG_URL, { schema, poolSize: 4 }),
      cleanup: async () => {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => c.end());
      },
    });
  }
  if (ADAPTERS.includes('mongo')) {
    if (!MONGO_URL) console.error('mongo: skipped (MONGODB_URL not set)');
    else {
      const database = `padmesh_bench_${tag}`;
      out.push({
        name: 'mongo',
        open: () => openStorage(MONGO_URL, { database, poolSize: 4 }),
        cleanup: async () => {
          const { MongoClient } = await import('mongodb');
          const c = new MongoClient(MONGO_URL);
          await c
            .db(database)
            .dropDatabase()
            .finally(() => c.close());
        },
      });
    }
  }
  return out;
}

/** Updates per typing session; Yjs slows down superlinearly when one doc types 1M times. */
const SESSION = 50_000;

/**
 * One Yjs update per typed character, as an editor produces them: SESSION characters per
 * client (a new Y.Doc each), so generating 1M updates takes seconds, not minutes.
 */
function typingUpdates(n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const words = 'the quick brown fox jumps over the lazy dog ';
  for (let start = 0; start < n; start += SESSION) {
    const doc = new Y.Doc();
    const text = doc.getText('content');
    doc.on('update', (u: Uint8Array) => out.push(u));
    for (let i = 0; i < Math.min(SESSION, n - start); i++) text.insert(i, words[i % words.length]!);
    doc.destroy();
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function runOnce(s: Storage, pad: string, updates: Uint8Array[], size: number, batched: boolean) {
  const step = batched ? BATCH : 1;
  const started = performance.now();
  let written = 0;
  let capped = false;
  while (written < size) {
    if (performance.now() - started > CAP_MS) {
      capped = true;
      break;
    }
    const batch: LogEntry[] = [];
    for (let i = written; i < Math.min(size, written + step); i++) batch.push({ pad, update: updates[i]! });
    await s.append(batch);
    written += batch.length;
  }
  const appendMs = performance.now() - started;
  const t0 = performance.now();
  const stored = await s.load(pad);
  const loadMs = performance.now() - t0;
  if (stored.updates.length !== written) throw new Error(`${pad}: loaded ${stored.updates.length} of ${written}`);
  const t1 = performance.now();
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const u of stored.updates) Y.applyUpdate(doc, u);
  });
  const applyMs = performance.now() - t1;
  return { written, capped, appendPerSec: written / (appendMs / 1000), loadMs, applyMs };
}

async function main(): Promise<void> {
  const maxSize = Math.max(...SIZES);
  process.stderr.write(`generating ${maxSize} typing updates... `);
  const updates = typingUpdates(maxSize);
  process.stderr.write('done\n');
  const rows: Row[] = [];
  for (const a of adapters()) {
    const s = await a.open();
    try {
      for (const size of SIZES) {
        for (const batched of [true, false]) {
          const runs = runsFor(size, batched);
          const results = [];
          for (let r = 0; r < runs; r++)
            results.push(await runOnce(s, `bench-${size}-${batched ? 'g' : 's'}-${r}`, updates, size, batched));
          const row: Row = {
            adapter: a.name,
            size,
            groupCommit: batched,
            runs,
            written: median(results.map((x) => x.written)),
            capped: results.some((x) => x.capped),
            appendPerSec: Math.round(median(results.map((x) => x.appendPerSec))),
            loadMs: Math.round(median(results.map((x) => x.loadMs)) * 10) / 10,
            applyMs: Math.round(median(results.map((x) => x.applyMs)) * 10) / 10,
          };
          rows.push(row);
          process.stderr.write(`${JSON.stringify(row)}\n`);
        }
      }
    } finally {
      await s.close();
      await a.cleanup();
    }
  }
  printTable(rows);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(
    OUT,
    `${JSON.stringify(
      {
        benchmark: 'storage',
        date: new Date().toISOString(),
        command: 'node --conditions=source --import tsx packages/bench/src/storage.ts',
        machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model },
        settings: { sizes: SIZES, capSeconds: CAP_MS / 1000, groupCommitBatch: BATCH },
        rows,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nwrote ${OUT}`);
}

function printTable(rows: Row[]): void {
  const head = ['adapter', 'updates', 'group commit', 'runs', 'written', 'append/s', 'load ms', 'apply ms'];
  const body = rows.map((r) => [
    r.adapter,
    String(r.size),
    r.groupCommit ? `on (${BATCH})` : 'off (1)',
    String(r.runs),
    r.capped ? `${r.written} (capped ${CAP_MS / 1000}s)` : String(r.written),
    String(r.appendPerSec),
    String(r.loadMs),
    String(r.applyMs),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

await main();
