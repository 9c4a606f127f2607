import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { SqliteStorage } from '@padmesh/server';
import { LeanClient } from './client.js';
import { launch } from './servers/launch.js';
import type { Row } from './workloads.js';

/** Opening a pad whose log holds `updates` single-keystroke updates, from storage (Padmesh, SQLite). */
export async function coldLoad(updates: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cold-'));
  const storage = new SqliteStorage(join(dir, 'padmesh.db'));
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
    COMPACT_EVERY: String(updates * 10),
    RECOVERY_MAX_PADS: '0',
  });
  try {
    const t0 = performance.now();
    const c = new LeanClient(server, 'cold', { epoch: t0 });
    await c.ready();
    while (!c.synced) await new Promise((r) => setTimeout(r, 2));
    const ms = performance.now() - t0;
    const chars = c.doc.getText('content').length;
    c.close();
    return { server: 'padmesh (sqlite)', updates, 'chars loaded': chars, 'open → synced ms': Number(ms.toFixed(1)) };
  } finally {
    await server.stop();
  }
}
