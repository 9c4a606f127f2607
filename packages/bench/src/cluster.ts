/**
 * Cluster figures: edit latency between two clients on the same node vs on different nodes
 * (through Redis), and failover time (kill -9 of a pad's node → first edit acknowledged again
 * through HAProxy). Needs PostgreSQL and Redis on 127.0.0.1 and HAProxy installed.
 * Run: node --conditions=source --import tsx packages/bench/src/cluster.ts [edits] [failovers]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { Cluster } from '../../../deploy/cluster.js';
import { RawClient } from '@padmesh/server/testing';
import { waitFor } from '@padmesh/server/testing';

const edits = Number(process.argv[2] ?? 500);
const failovers = Number(process.argv[3] ?? 5);
const PG = process.env.STORAGE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `pm_bench_${process.pid}`;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const wsOf = (url: string) => `${url.replace('http', 'ws')}/ws`;

async function latency(writerUrl: string, readerUrl: string, pad: string): Promise<number[]> {
  const a = await new RawClient(writerUrl, pad).ready();
  const b = await new RawClient(readerUrl, pad).ready();
  const sentAt = new Map<number, number>();
  const out: number[] = [];
  b.doc.getText('content').observe((ev) => {
    const now = performance.now();
    for (const d of ev.delta)
      if (typeof d.insert === 'string')
        for (const m of d.insert.matchAll(/<(\d+)>/g)) out.push(now - sentAt.get(Number(m[1]))!);
  });
  for (let i = 0; i < edits; i++) {
    sentAt.set(i, performance.now());
    a.insert(a.text.length, `<${i}>`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await waitFor(() => out.length >= edits, 'all edits delivered', 10_000);
  a.close();
  b.close();
  return out;
}

const cluster = await Cluster.start({
  nodes: 3,
  port: 0,
  storageUrl: PG,
  storageSchema: schema,
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  fromSource: true,
  logDir: '/tmp/padmesh-bench-cluster',
  env: {
    LOG_LEVEL: 'warn',
    RATE_MESSAGES_PER_SEC: '10000',
    RATE_BURST: '10000',
    RATE_MESSAGES_PER_SEC_PER_IP: '1000000',
    RATE_BURST_PER_IP: '1000000',
  },
});
try {
  const [n1, n2] = [wsOf(cluster.nodes[0]!.url), wsOf(cluster.nodes[1]!.url)];
  const same = await latency(n1!, n1!, `same-${process.pid}`);
  const cross = await latency(n1!, n2!, `cross-${process.pid}`);
  const failover: number[] = [];
  for (let i = 0; i < failovers; i++) {
    const pad = `failover-${process.pid}-${i}`;
    const holder = await cluster.nodeFor(pad);
    let c = await new RawClient(cluster.wsUrl, pad).ready();
    c.insert(0, 'x');
    await c.saved();
    const t0 = performance.now();
    await cluster.kill(holder, 'SIGKILL');
    // A client reconnecting as fast as HAProxy lets it: retry until an edit is acknowledged.
    for (;;) {
      c.close();
      c = new RawClient(cluster.wsUrl, pad, { doc: c.doc });
      try {
        await c.ready(1_000);
        c.insert(0, 'y');
        await c.saved(1_000);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    failover.push(performance.now() - t0);
    c.close();
    await cluster.startNode(holder);
  }
  const f = (x: number) => Number(x.toFixed(2));
  const result = {
    edits,
    sameNode: { median: f(pct(same, 50)), p99: f(pct(same, 99)) },
    crossNode: { median: f(pct(cross, 50)), p99: f(pct(cross, 99)) },
    failoverMs: { runs: failover.map(f), median: f(pct(failover, 50)), max: f(Math.max(...failover)) },
  };
  console.table({ 'same node': result.sameNode, 'cross node': result.crossNode });
  console.log(
    `failover (kill -9 → first edit acknowledged through HAProxy): median ${result.failoverMs.median} ms, ` +
      `max ${result.failoverMs.max} ms over ${failovers} kills`,
  );
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/cluster.json', JSON.stringify(result, null, 2) + '\n');
} finally {
  await cluster.stop();
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
}
