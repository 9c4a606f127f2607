import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Cluster, freePort } from '../../../deploy/cluster.js';
import { prng, testSeed, waitFor } from '@padmesh/server/testing';
import { PrivateRedis } from '../../helpers/redis.js';
import { ReconnectingClient } from './reconnecting-client.js';

const PG_URL = process.env.PADMESH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const FAULT_SECONDS = Number(process.env.CLUSTER_FAULT_SECONDS ?? 25);
/** Share of fault steps that kill -9 a node (the rest restart Redis or drop sockets); the endurance run raises it. */
const KILL_SHARE = Number(process.env.CLUSTER_FAULT_KILL_SHARE ?? 0.35);
const run = `${process.pid}${Date.now().toString(36)}`;
const schema = `pm_cfaults_${run}`;

describe('Fault injection (cluster)', () => {
  let cluster: Cluster;
  let redis: PrivateRedis;
  const clients: ReconnectingClient[] = [];
  before(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    cluster = await Cluster.start({
      nodes: 3,
      port: 0,
      storageUrl: PG_URL,
      storageSchema: schema,
      redisUrl: redis.url,
      // PADMESH_SPAWN=dist (the endurance run) starts nodes from the build: restarts cost less.
      fromSource: process.env.PADMESH_SPAWN !== 'dist',
      logDir: 'test-artifacts/cluster-fault-logs',
      env: { ANTI_ENTROPY_MS: '300', LOG_LEVEL: 'warn' },
    });
  });
  after(async () => {
    for (const c of clients) c.stop();
    await cluster?.stop();
    await redis?.stop();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });

  it(
    'R8 kill -9 and restart nodes, restart Redis, drop sockets mid-frame: every edit ends on every node, every client converges',
    { timeout: 180_000 + FAULT_SECONDS * 1000 },
    async () => {
      const seed = testSeed('R8');
      const rand = prng(seed);
      const pads = [0, 1, 2].map((i) => `cf-${run}-${i}`);
      // Most clients go through HAProxy; some stick to one node, so edits must cross Redis.
      for (let i = 0; i < 9; i++) {
        const pad = pads[i % pads.length]!;
        const direct = i % 3 === 2 ? i % cluster.nodes.length : -1;
        clients.push(
          new ReconnectingClient(
            () =>
              direct < 0
                ? cluster.wsUrl
                : cluster.nodes[direct]!.child
                  ? `${cluster.nodes[direct]!.url.replace('http', 'ws')}/ws`
                  : cluster.wsUrl,
            pad,
            rand,
          ),
        );
      }
      await waitFor(() => clients.every((c) => c.live), 'clients connected', 15_000);
      const stats = { kills: 0, redisRestarts: 0, drops: 0 };
      let n = 0;
      const typing = setInterval(() => clients.forEach((c, i) => c.type(`k${i}-${n}|`), n++), 40);
      const deadline = Date.now() + FAULT_SECONDS * 1000;
      try {
        while (Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 800 + rand() * 1500));
          const f = rand();
          if (f < KILL_SHARE) {
            const i = Math.floor(rand() * cluster.nodes.length);
            if (!cluster.nodes[i]!.child) continue;
            await cluster.kill(i, 'SIGKILL');
            stats.kills++;
            await new Promise((r) => setTimeout(r, 500 + rand() * 1000));
            await cluster.startNode(i);
          } else if (f < KILL_SHARE + (1 - KILL_SHARE) * 0.3) {
            await redis.stop();
            await new Promise((r) => setTimeout(r, 300 + rand() * 1000));
            await redis.start();
            stats.redisRestarts++;
          } else {
            const c = clients[Math.floor(rand() * clients.length)]!;
            if (c.drop(rand() < 0.5 ? 'whole' : 'partial', `drop${stats.drops}|`)) stats.drops++;
          }
        }
      } finally {
        clearInterval(typing);
      }
      for (const [i, node] of cluster.nodes.entries()) if (!node.child) await cluster.startNode(i);
      await waitFor(() => clients.every((c) => c.live), 'every client back', 20_000);
      await waitFor(() => clients.every((c) => c.edits.every((e) => c.isAcked(e))), 'every edit acknowledged', 30_000);
      const attempted = clients.reduce((k, c) => k + c.edits.length, 0);
      for (const pad of pads) {
        const mine = clients.filter((c) => c.pad === pad);
        await waitFor(
          () => mine.every((c) => c.text === mine[0]!.text),
          `clients of ${pad} converge (seed ${seed})`,
          20_000,
        );
        const tokens = mine.flatMap((c) => c.edits.map((e) => e.token));
        for (const node of cluster.nodes) {
          await waitFor(
            async () => {
              const text = await (await fetch(`${node.url}/${pad}.txt`)).text();
              return text === mine[0]!.text && tokens.every((t) => text.includes(t));
            },
            `${node.name} serves every edit of ${pad} (seed ${seed})`,
            20_000,
          );
        }
      }
      process.stdout.write(
        `# R8: ${stats.kills} node kills and restarts, ${stats.redisRestarts} Redis restarts, ${stats.drops} dropped sockets; ${attempted} edits attempted, ${attempted} present on all 3 nodes\n`,
      );
      assert.ok(stats.kills + stats.redisRestarts > 0, 'faults were injected');
    },
  );
});
