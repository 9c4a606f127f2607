import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import * as Y from 'yjs';
import { openStorage, SqliteStorage, type Storage } from '@padmesh/server';
import { LeanClient } from './client.js';
import { launch } from './servers/launch.js';
import type { Row } from './workloads.js';

export type ColdBackend = 'sqlite' | 'postgres';
/** The PostgreSQL the cold load reads from (a schema of its own, dropped at the end), as for `padmesh-cluster`. */
const PG = process.env.BENCH_STORAGE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Opening a pad whose log holds `updates` single-keystroke updates, from storage (Padmesh on SQLite or PostgreSQL). */
export async function coldLoad(updates: number, backend: ColdBackend = 'sqlite'): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cold-'));
  const schema = `pm_cold_${process.pid}_${Date.now().toString(36)}`;
  const storage: Storage =
    backend === 'sqlite' ? new SqliteStorage(join(dir, 'padmesh.db')) : await openStorage(PG, { schema, poolSize: 2 });
  let batch: { pad: string; update: Uint8Array }[] = [];
  // Typing sessions of 20k keystrokes: one Y.Doc typing 100k times is slow to generate.
  for (let written = 0; written < updates;) {
    const doc = new Y.Doc();
    doc.on('update', (u: Uint8Array) => batch.push({ pad: 'cold', update: u }));
    const t = doc.getText('content');
    for (let i = 0; i < 20_000 && written < updates; i++, written++) {
      t.insert(t.length, String.fromCharCode(97 + (i % 26)));
      if (batch.length >= 5_000) {
        await storage.append(batch);
        batch = [];
      }
    }
  }
  await storage.append(batch);
  await storage.close();
  // No compaction, and no start-up recovery pass (R4, which would fold this backlog first): the
  // room itself must load every one of the log entries.
  const server = await launch('padmesh', {
    DATA_DIR: dir,
    ...(backend === 'postgres' ? { STORAGE_URL: PG, STORAGE_SCHEMA: schema } : {}),
    COMPACT_EVERY: String(updates * 10),
    RECOVERY_MAX_PADS: '0',
  }).catch(async (err: unknown) => {
    if (backend === 'postgres') await dropSchema(schema);
    throw err;
  });
  try {
    const t0 = performance.now();
    const c = new LeanClient(server, 'cold', { epoch: t0, follow: true });
    await c.ready();
    while (!c.synced) await new Promise((r) => setTimeout(r, 2));
    const ms = performance.now() - t0;
    const chars = c.doc.getText('content').length;
    c.close();
    return {
      server: `padmesh (${backend})`,
      updates,
      'chars loaded': chars,
      'open → synced ms': Number(ms.toFixed(1)),
    };
  } finally {
    await server.stop();
    if (backend === 'postgres') await dropSchema(schema);
  }
}

async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG });
  try {
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch (err) {
    console.warn(`coldload: could not drop schema ${schema}: ${(err as Error).message}`);
  } finally {
    await c.end().catch(() => {});
  }
}
