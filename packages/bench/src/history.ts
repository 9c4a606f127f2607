/**
 * History at scale: a pad with 100k updates of history and a version every 500 updates
 * (200 versions); time to list the versions and to open the oldest and newest (SQLite).
 * Run: node --conditions=source --import tsx packages/bench/src/history.ts [updates]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { History } from '@padmesh/server';
import { SqliteStorage } from '@padmesh/server';
import { percentile } from './stats.js';

const updates = Number(process.argv[2] ?? 100_000);
const every = 500;
const dir = mkdtempSync(join(tmpdir(), 'bench-history-'));
const storage = new SqliteStorage(join(dir, 'padmesh.db'));
const history = new History(storage, { maxVersions: 10_000 });
const doc = new Y.Doc();
let batch: { pad: string; update: Uint8Array }[] = [];
doc.on('update', (u: Uint8Array) => batch.push({ pad: 'big', update: u }));
const t = doc.getText('content');
const t0 = performance.now();
for (let i = 1; i <= updates; i++) {
  if (t.length > 2000 && i % 7 === 0) t.delete(Math.floor(t.length / 3), 1);
  else t.insert(Math.floor((i * 7919) % (t.length + 1)), String.fromCharCode(97 + (i % 26)));
  if (i % every === 0) {
    await storage.append(batch);
    batch = [];
    await history.record('big', doc, { name: null, authors: [], reason: 'interval' });
  }
}
await storage.append(batch);
const build = performance.now() - t0;
const time = async (fn: () => Promise<unknown>, runs = 5) => {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn();
    xs.push(performance.now() - s);
  }
  return Number(percentile(xs, 50).toFixed(2));
};
const list = await history.list('big');
const result = {
  updates,
  versions: list.length,
  finalChars: t.length,
  buildSeconds: Number((build / 1000).toFixed(1)),
  listMedianMs: await time(() => history.list('big')),
  openNewestMedianMs: await time(async () => (await history.get('big', list[0]!.id))!.doc.destroy()),
  openOldestMedianMs: await time(async () => (await history.get('big', list.at(-1)!.id))!.doc.destroy()),
};
console.table(result);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/history.json', JSON.stringify(result, null, 2) + '\n');
await storage.close();
rmSync(dir, { recursive: true, force: true });
