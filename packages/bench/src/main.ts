/**
 * `npm run bench [-- --quick] [-- <workload> ...]`: starts Padmesh, Hocuspocus, the reference
 * y-websocket server and a bare relay, each in its own process on loopback, drives the same
 * load against each, prints tables and writes bench/results/latest.json and latest.svg.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { coldLoad } from './coldload.js';
import { chart } from './chart.js';
import { HOSTILE_ENV, HOSTILE_TARGET_MS, hostilePhase, hostilePhases } from './hostile.js';
import { IDLE_ENV, idle, idleOptions, relativeTo } from './idle.js';
import { BEFORE, SERVERS, launch, type ServerName } from './servers/launch.js';
import { CLUSTER_NODES } from './servers/padmesh-cluster.js';
import { medianRows } from './stats.js';
import {
  CPU_PER_1K,
  authors,
  connections,
  cursors,
  fanout,
  joinStorm,
  throughput,
  trace,
  typing,
  type Row,
} from './workloads.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
/** Unmeasured seconds of the same load before typing and throughput measure (JIT warm-up; see workloads.ts). */
const WARMUP_S = quick ? 0 : Number(process.env.BENCH_WARMUP_S ?? 6);
const picked = args.filter((a) => !a.startsWith('--'));
const RESULTS = resolve(import.meta.dirname, '../../../bench/results');
const seed = Number(process.env.BENCH_SEED ?? 1);
/** BENCH_SERVERS=padmesh,padmesh@before: only these servers (a before/after run without the peers). */
const onlyServers = process.env.BENCH_SERVERS?.split(',').filter(Boolean) ?? [];

/** `sizes`: the workload runs once per size, each on a freshly started server. */
type Workload = {
  name: string;
  servers: ServerName[];
  rounds?: number;
  sizes?: number[];
  /** Runs only when named on the command line. */
  explicit?: boolean;
  /** Settings for this workload's servers, over the bench's raised limits. */
  env?: Record<string, string>;
  run: (s: Awaited<ReturnType<typeof launch>>, size: number) => Promise<Row[]>;
  /** Columns that compare the servers, added to the rows once every server has run. */
  finish?: (rows: Row[]) => void;
};
const peers: ServerName[] = SERVERS;
const scalePeers: ServerName[] = SERVERS.filter((s) => s === 'padmesh' || s === 'padmesh@before' || s === 'hocuspocus');

const workloads: Workload[] = [
  {
    name: 'typing',
    servers: peers,
    rounds: 3,
    run: async (s) => [
      await typing(s, {
        pads: quick ? 4 : 8,
        clients: 6,
        perSec: quick ? 5 : 20,
        seconds: quick ? 5 : 12,
        seed,
        warmupSeconds: WARMUP_S,
      }),
    ],
  },
  {
    name: 'throughput',
    servers: peers,
    rounds: 3,
    run: async (s) => [
      await throughput(s, { pads: 8, readers: 2, window: 64, seconds: quick ? 4 : 10, warmupSeconds: WARMUP_S }),
    ],
  },
  {
    name: 'fanout',
    servers: peers,
    run: async (s) => {
      const rows: Row[] = [];
      for (const readers of quick ? [100] : [100, 500, 1000])
        rows.push(await fanout(s, { readers, perSec: 10, seconds: quick ? 4 : 8, seed }));
      return rows;
    },
  },
  {
    name: 'trace',
    servers: peers,
    run: async (s) => [await trace(s, { clients: 4, ops: quick ? 2_000 : 8_000, seed })],
  },
  // Fresh servers per size: RSS growth measured on a server that already held 1,000 sockets
  // would measure its allocator's leftovers, not the sockets.
  {
    name: 'connections',
    servers: peers,
    rounds: 3,
    sizes: quick ? [1000] : [1000, 5000],
    run: async (s, n) => [await connections(s, { n })],
  },
  {
    name: 'authors',
    servers: scalePeers,
    run: async (s) => [await authors(s, { authors: quick ? 100 : 400, everyMs: 2000, seconds: quick ? 6 : 15, seed })],
  },
  {
    name: 'cursors',
    servers: scalePeers,
    run: async (s) => [await cursors(s, { users: quick ? 100 : 500, observers: 20, seconds: quick ? 5 : 10 })],
  },
  {
    name: 'readers',
    servers: scalePeers,
    run: async (s) => [await fanout(s, { readers: quick ? 200 : 1000, perSec: 10, seconds: quick ? 4 : 8, seed })],
  },
  {
    name: 'join',
    servers: scalePeers,
    run: async (s) => [await joinStorm(s, { clients: quick ? 30 : 150, mb: quick ? 1 : 4 })],
  },
  // Issue 19: CPU of open, idle pads. Padmesh also as a two-node cluster behind HAProxy
  // (PostgreSQL and Redis on 127.0.0.1); ~1 minute per server at the default sizes.
  {
    name: 'idle',
    servers: [
      'padmesh',
      ...(BEFORE ? (['padmesh@before'] as const) : []),
      'padmesh-cluster',
      'y-websocket',
      'hocuspocus',
    ],
    env: IDLE_ENV,
    run: async (s) => [await idle(s, idleOptions(quick, seed))],
    finish: (rows) => relativeTo(rows, 'y-websocket', 'cpu %', 'cpu / y-websocket'),
  },
  // Not part of a plain `npm run bench` (it takes minutes and measures refusals, not peers):
  // `npm run bench -- hostile`; BENCH_HOSTILE=<phase name part>,... runs the baseline and those.
  // One fresh node per phase (the "size" here is the phase).
  {
    name: 'hostile',
    servers: ['padmesh', ...(BEFORE ? (['padmesh@before'] as const) : [])],
    env: HOSTILE_ENV,
    explicit: true,
    sizes: hostilePhases(process.env.BENCH_HOSTILE?.split(',').filter(Boolean) ?? []),
    run: async (s, phase) => [await hostilePhase(s, { seed, phase })],
  },
];

const results: Record<string, Row[]> = {};
/** Every round's own rows, kept in the JSON next to the medians so the spread is visible. */
const roundsOf: Record<string, Row[][]> = {};
const started = Date.now();
for (const w of workloads) {
  if (picked.length > 0 && !picked.includes(w.name) && !(picked.includes('scale') && w.servers === scalePeers))
    continue;
  if (w.explicit && !picked.includes(w.name)) continue;
  // Rounds interleave the servers (A B C D A B C D ...), so a noisy minute on the machine
  // hits every server alike; each figure reported is the median over the rounds.
  // BENCH_ROUNDS: more interleaved rounds, to resolve a small before/after difference on a noisy machine.
  const rounds = quick || !w.rounds ? 1 : Number(process.env.BENCH_ROUNDS ?? 0) || w.rounds;
  results[w.name] = [];
  for (const size of w.sizes ?? [0]) {
    const perRound: Row[][] = [];
    for (let round = 0; round < rounds; round++) {
      const rows: Row[] = [];
      for (const name of w.servers.filter((x) => !onlyServers.length || onlyServers.includes(x))) {
        const server = await launch(name, w.env);
        try {
          rows.push(...(await w.run(server, size)));
        } catch (err) {
          rows.push({ server: name, error: (err as Error).message.slice(0, 120) });
        } finally {
          await server.stop();
        }
      }
      perRound.push(rows);
    }
    // One round is shown as measured: medianRows keeps one decimal, and idle CPU needs two.
    results[w.name]!.push(...(perRound.length > 1 ? medianRows(perRound) : perRound[0]!));
    if (rounds > 1) (roundsOf[w.name] ??= []).push(...perRound);
  }
  w.finish?.(results[w.name]!);
  console.log(`\n## ${w.name}${rounds > 1 ? ` (median of ${rounds} interleaved rounds)` : ''}`);
  console.table(results[w.name]);
}
if (picked.length === 0 || picked.includes('coldload')) {
  const n = quick ? 20_000 : 100_000;
  results.coldload = [await coldLoad(n, 'sqlite'), await coldLoad(n, 'postgres')];
  console.log('\n## coldload (Hocuspocus and the y-websocket server run without persistence here: not comparable)');
  console.table(results.coldload);
}

const targets = evaluate(results);
if (targets.length) {
  console.log('\n## targets (ratios measured side by side in this run)');
  console.table(targets);
}
mkdirSync(RESULTS, { recursive: true });
writeFileSync(
  `${RESULTS}/latest.json`,
  JSON.stringify(
    {
      at: new Date().toISOString(),
      quick,
      seed,
      seconds: Math.round((Date.now() - started) / 1000),
      results,
      targets,
      rounds: roundsOf,
    },
    null,
    2,
  ) + '\n',
);
writeFileSync(`${RESULTS}/latest.svg`, chart(results));
// The hostile and idle figures also get a file of their own, so a later run of other workloads keeps them.
for (const w of ['hostile', 'idle'])
  if (results[w])
    writeFileSync(
      `${RESULTS}/${w}.json`,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          quick,
          seed,
          ...(w === 'idle' ? { options: idleOptions(quick, seed) } : {}),
          results: results[w],
          targets: targets.filter((t) => String(t.target).startsWith(w)),
        },
        null,
        2,
      ) + '\n',
    );
console.log(`\nwrote bench/results/latest.json and latest.svg in ${Math.round((Date.now() - started) / 1000)} s`);

function evaluate(r: Record<string, Row[]>): Row[] {
  const out: Row[] = [];
  const get = (w: string, server: string, key: string, extra?: (row: Row) => boolean) =>
    Number(r[w]?.find((x) => x.server === server && (!extra || extra(x)))?.[key]);
  const add = (target: string, value: number, pass: boolean) =>
    out.push({
      target,
      value: Number.isFinite(value) ? Number(value.toFixed(2)) : 'n/a',
      result: Number.isFinite(value) ? (pass ? 'PASS' : 'FAIL') : 'n/a',
    });
  const ratio = (w: string, key: string, a: string, b: string) => get(w, a, key) / get(w, b, key);
  if (r.throughput) {
    const t = (peer: string) => ratio('throughput', 'updates/s', 'padmesh', peer);
    add('throughput padmesh / hocuspocus >= 1.5', t('hocuspocus'), t('hocuspocus') >= 1.5);
    add('throughput padmesh / y-websocket >= 1', t('y-websocket'), t('y-websocket') >= 1);
    add('throughput padmesh / relay >= 0.5', t('relay'), t('relay') >= 0.5);
  }
  if (r.typing) {
    // "No worse than either": at most the better peer's p99.
    const p = (s: string) => get('typing', s, 'p99 ms');
    const best = Math.min(p('hocuspocus'), p('y-websocket'));
    add('typing p99 padmesh / min(peers) <= 1', p('padmesh') / best, p('padmesh') <= best);
  }
  // Issue 19: server CPU per delivered update at most 1.2 × the y-websocket server's (which
  // runs in memory: no storage, no fsync).
  for (const w of ['typing', 'throughput'])
    if (r[w]) {
      const v = ratio(w, CPU_PER_1K, 'padmesh', 'y-websocket');
      add(`${w} cpu per delivered update padmesh / y-websocket <= 1.2`, v, v <= 1.2);
    }
  if (r.connections) {
    for (const n of new Set(r.connections.map((x) => Number(x.connections)).filter(Number.isFinite))) {
      const k = (s: string) => get('connections', s, 'KiB/conn', (x) => Number(x.connections) === n);
      const best = Math.min(k('hocuspocus'), k('y-websocket'));
      add(`KiB/connection at ${n}: padmesh / min(peers) <= 1`, k('padmesh') / best, k('padmesh') <= best);
    }
  }
  // Before/after (BENCH_BEFORE): informational, measured in the same run.
  const info = (target: string, value: number) =>
    Number.isFinite(value) && out.push({ target, value: Number(value.toFixed(2)), result: 'info' });
  info('throughput padmesh / padmesh@before', ratio('throughput', 'updates/s', 'padmesh', 'padmesh@before'));
  info('typing p99 padmesh / padmesh@before', ratio('typing', 'p99 ms', 'padmesh', 'padmesh@before'));
  info('trace seconds padmesh / padmesh@before', ratio('trace', 'seconds', 'padmesh', 'padmesh@before'));
  info('join p50 padmesh / padmesh@before', ratio('join', 'p50 ms', 'padmesh', 'padmesh@before'));
  info('idle cpu padmesh / padmesh@before', ratio('idle', 'cpu %', 'padmesh', 'padmesh@before'));
  info(
    'KiB/connection at 1000 padmesh / padmesh@before',
    get('connections', 'padmesh', 'KiB/conn', (x) => Number(x.connections) === 1000) /
      get('connections', 'padmesh@before', 'KiB/conn', (x) => Number(x.connections) === 1000),
  );
  if (r.idle) {
    // Issue 19: a cluster's idle pads cost at most 1.2 × what the y-websocket server spends on the same pads.
    const pads = Number(r.idle[0]?.pads);
    const c = ratio('idle', 'cpu %', 'padmesh-cluster', 'y-websocket');
    add(`idle ${pads} pads: cpu padmesh-cluster (${CLUSTER_NODES} nodes) / y-websocket <= 1.2`, c, c <= 1.2);
    info(`idle ${pads} pads: cpu padmesh / y-websocket`, ratio('idle', 'cpu %', 'padmesh', 'y-websocket'));
  }
  // Labelled with the sizes that ran: --quick runs these scenarios smaller than their targets.
  const size = (w: string, col: string) => get(w, 'padmesh', col);
  if (r.authors)
    add(
      `${size('authors', 'authors')} authors p95 < 250 ms`,
      get('authors', 'padmesh', 'p95 ms'),
      get('authors', 'padmesh', 'p95 ms') < 250,
    );
  if (r.cursors)
    add(
      `${size('cursors', 'users')} cursors p99 < 100 ms`,
      get('cursors', 'padmesh', 'p99 ms'),
      get('cursors', 'padmesh', 'p99 ms') < 100,
    );
  if (r.cursors)
    add(
      `${size('cursors', 'users')} cursors undelivered = 0`,
      get('cursors', 'padmesh', 'undelivered (final states)'),
      get('cursors', 'padmesh', 'undelivered (final states)') === 0,
    );
  if (r.readers)
    add(
      `${size('readers', 'readers')} readers p99 < 50 ms`,
      get('readers', 'padmesh', 'p99 ms'),
      get('readers', 'padmesh', 'p99 ms') < 50,
    );
  if (r.join)
    add(
      `join storm (${size('join', 'clients')} clients, ${size('join', 'pad MB')} MB) p50 < 1000 ms`,
      get('join', 'padmesh', 'p50 ms'),
      get('join', 'padmesh', 'p50 ms') < 1000,
    );
  if (r.join) {
    // Issue 19: a join storm's median at most 0.6 × Hocuspocus's, in the same run.
    const j = ratio('join', 'p50 ms', 'padmesh', 'hocuspocus');
    add('join storm p50 padmesh / hocuspocus <= 0.6', j, j <= 0.6);
  }
  // Issue 19: a pad of 100,000 single-keystroke updates, not compacted, opens in 200 ms or less.
  for (const row of r.coldload ?? []) {
    const ms = Number(row['open → synced ms']);
    add(`coldload ${String(row.server)} open → synced <= 200 ms`, ms, ms <= 200);
  }
  // Issue 15: no single client can freeze a node. Measured with the node's default limits.
  for (const row of r.hostile ?? []) {
    if (row.server !== 'padmesh') continue;
    const p99 = Number(row['p99 ms']);
    const hz = Number(row['healthz p99 ms']);
    add(`hostile ${row.phase}: bystander edit p99 < ${HOSTILE_TARGET_MS} ms`, p99, p99 < HOSTILE_TARGET_MS);
    add(`hostile ${row.phase}: /healthz p99 < ${HOSTILE_TARGET_MS} ms`, hz, hz < HOSTILE_TARGET_MS);
  }
  return out;
}
