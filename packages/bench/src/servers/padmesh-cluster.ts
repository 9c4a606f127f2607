import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { Cluster } from '../../../../deploy/cluster.js';
import type { Running } from './launch.js';

/** Two nodes: the smallest cluster, where every pad's updates and state announcements cross Redis. */
export const CLUSTER_NODES = 2;
const PG = process.env.BENCH_STORAGE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * `padmesh-cluster`: Padmesh's build as N nodes behind HAProxy (deploy/cluster.ts), sharing
 * PostgreSQL (a schema of its own, dropped on stop) and Redis on loopback. Clients go through
 * HAProxy, so pads spread over the nodes by its per-pad hash. `pid` is the first node's;
 * `nodes` lists every node, whose CPU together is the server's.
 */
export async function launchCluster(env: Record<string, string>): Promise<Running> {
  const schema = `pm_bench_${process.pid}_${Date.now().toString(36)}`;
  const logDir = mkdtempSync(join(tmpdir(), 'bench-padmesh-cluster-'));
  let cluster: Cluster | null = null;
  // BENCH_CPU_PROF=<dir>: each node writes a V8 CPU profile there; it must exit on its own (SIGINT) to write it.
  // As node arguments: Node 20 refuses --cpu-prof in NODE_OPTIONS (the node exits with 9).
  const profDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
  const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  /** `keepLogs`: a cluster that failed to start keeps its nodes' logs, and says where. */
  const cleanup = async (keepLogs = false) => {
    if (profDir && cluster) {
      const c = cluster;
      await Promise.race([
        Promise.all(c.nodes.map((_, i) => c.kill(i, 'SIGINT'))),
        new Promise((r) => setTimeout(r, 10_000)),
      ]);
    }
    await cluster?.stop();
    if (keepLogs) console.warn(`padmesh-cluster: node logs kept in ${logDir}`);
    else rmSync(logDir, { recursive: true, force: true });
    const c = new pg.Client({ connectionString: PG });
    try {
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } catch (err) {
      console.warn(`padmesh-cluster: could not drop schema ${schema}: ${(err as Error).message}`);
    } finally {
      await c.end().catch(() => {});
    }
  };
  try {
    cluster = await Cluster.start({
      nodes: CLUSTER_NODES,
      port: 0,
      storageUrl: PG,
      storageSchema: schema,
      redisUrl: REDIS,
      logDir,
      env: { LOG_LEVEL: 'warn', ...env },
      nodeArgs,
    });
  } catch (err) {
    await cleanup(true);
    throw err;
  }
  const nodes = cluster.nodes.map((n) => ({ name: n.name, pid: n.child!.pid!, url: n.url }));
  return {
    name: 'padmesh-cluster',
    pid: nodes[0]!.pid,
    nodes,
    balancerPid: cluster.haproxy?.pid,
    wsBase: cluster.wsUrl,
    framing: 'y-websocket',
    child: cluster.nodes[0]!.child!,
    stop: () => cleanup(),
  };
}
