/**
 * Edit latency between two clients on one pad, through a real Padmesh node (SQLite):
 * client A types one token at a time; we time until client B's document holds it.
 * Run: node --conditions=source --import tsx packages/bench/src/edit-latency.ts [edits] [perSecond]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnNode } from '@padmesh/server/testing';
import { RawClient } from '@padmesh/server/testing';

const edits = Number(process.argv[2] ?? 1000);
const perSecond = Number(process.argv[3] ?? 50);

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const dir = mkdtempSync(join(tmpdir(), 'padmesh-latency-'));
const node = await spawnNode({
  DATA_DIR: dir,
  RATE_MESSAGES_PER_SEC: '10000',
  RATE_BURST: '10000',
  RATE_MESSAGES_PER_SEC_PER_IP: '1000000',
  RATE_BURST_PER_IP: '1000000',
});
try {
  const a = await new RawClient(node.wsUrl, 'latency').ready();
  const b = await new RawClient(node.wsUrl, 'latency').ready();
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const ackLatencies: number[] = [];
  b.doc.getText('content').observe((ev) => {
    const now = performance.now();
    for (const d of ev.delta) {
      if (typeof d.insert !== 'string') continue;
      for (const m of d.insert.matchAll(/<(\d+)>/g)) {
        const t = sentAt.get(Number(m[1]));
        if (t !== undefined) latencies.push(now - t);
      }
    }
  });
  for (let i = 0; i < edits; i++) {
    const t = performance.now();
    sentAt.set(i, t);
    const seq = a.insert(a.text.length, `<${i}>`);
    void (async () => {
      while (a.acked < seq) await new Promise((r) => setImmediate(r));
      ackLatencies.push(performance.now() - t);
    })();
    await new Promise((r) => setTimeout(r, 1000 / perSecond));
  }
  const deadline = Date.now() + 10_000;
  while (latencies.length < edits && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  latencies.sort((x, y) => x - y);
  ackLatencies.sort((x, y) => x - y);
  const f = (x: number) => x.toFixed(2);
  console.log(`edits ${edits} at ${perSecond}/s, delivered ${latencies.length}`);
  console.log(
    `A→B edit latency ms: median ${f(pct(latencies, 50))}  p99 ${f(pct(latencies, 99))}  max ${f(latencies.at(-1)!)}`,
  );
  console.log(`A durable-ack latency ms: median ${f(pct(ackLatencies, 50))}  p99 ${f(pct(ackLatencies, 99))}`);
  a.close();
  b.close();
} finally {
  await node.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
