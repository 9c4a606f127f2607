/**
 * `npm run cluster`: HAProxy on CLUSTER_PORT (8080) in front of CLUSTER_NODES (3) nodes,
 * PostgreSQL storage (schema STORAGE_SCHEMA, default padmesh_cluster) and Redis replication,
 * logs in ./cluster-logs/. Ctrl-C stops it all.
 */
import { Cluster } from '../deploy/cluster.js';

const storageUrl = process.env.STORAGE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Its own schema by default, so a demo cluster never writes into the shared database's public schema. */
const storageSchema = process.env.STORAGE_SCHEMA ?? 'padmesh_cluster';

async function reachable(what: string, check: () => Promise<unknown>): Promise<void> {
  try {
    await check();
  } catch (err) {
    process.stderr.write(`cluster: ${what} is not reachable (${(err as Error).message}).\n`);
    process.exit(1);
  }
}

const pg = await import('pg');
await reachable(`PostgreSQL at ${storageUrl}`, async () => {
  const c = new pg.default.Client({ connectionString: storageUrl, connectionTimeoutMillis: 3_000 });
  await c.connect();
  await c.end();
});
const { Redis } = await import('ioredis');
await reachable(`Redis at ${redisUrl}`, async () => {
  const r = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0 });
  await r.connect();
  r.disconnect();
});

const cluster = await Cluster.start({
  nodes: Number(process.env.CLUSTER_NODES ?? 3),
  port: Number(process.env.CLUSTER_PORT ?? 8080),
  storageUrl,
  storageSchema,
  redisUrl,
  logDir: 'cluster-logs',
});
process.stdout.write(
  `Padmesh cluster is running at ${cluster.url}/ (HAProxy)\n` +
    cluster.nodes.map((n) => `  ${n.name}: ${n.url}  log: cluster-logs/${n.name}.log`).join('\n') +
    '\nPress Ctrl-C to stop.\n',
);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('stopping: draining nodes…\n');
  await Promise.all(cluster.nodes.map((_, i) => cluster.kill(i, 'SIGTERM')));
  await cluster.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
