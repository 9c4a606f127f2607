import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NODE_FLAGS } from '@padmesh/server';
import { launchCluster } from './padmesh-cluster.js';

export type ServerName = 'padmesh' | 'padmesh@before' | 'padmesh-cluster' | 'hocuspocus' | 'y-websocket' | 'relay';
/**
 * BENCH_BEFORE=<a built checkout of another commit> adds `padmesh@before`, that build started
 * as its own `npm start` did, to every side-by-side workload: before/after in one run.
 */
export const BEFORE = process.env.BENCH_BEFORE ? resolve(process.env.BENCH_BEFORE) : null;
export const SERVERS: ServerName[] = [
  'padmesh',
  ...(BEFORE ? (['padmesh@before'] as const) : []),
  'hocuspocus',
  'y-websocket',
  'relay',
];

export interface Running {
  name: ServerName;
  pid: number;
  /** ws://127.0.0.1:PORT/ws for padmesh (rooms are `${wsBase}/${pad}`), ws://127.0.0.1:PORT otherwise. */
  wsBase: string;
  /** Hocuspocus multiplexes documents on one socket and frames every message with the name. */
  framing: 'y-websocket' | 'hocuspocus';
  /** A cluster's nodes (`pid` is the first one's): their CPU together is the server's. */
  nodes?: { name: string; pid: number; url: string }[];
  /** A cluster's load balancer (HAProxy), reported apart from the server. */
  balancerPid?: number | undefined;
  child: ChildProcess;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '../../../..');
/**
 * Padmesh runs its build as `npm start` does (dist/ and NODE_FLAGS; `npm run bench` builds first), so it
 * carries no TypeScript loader or source maps; the peers' tiny start scripts need tsx, and
 * must not see our "source" export condition.
 */
const tsxFor = (name: ServerName) =>
  name === 'padmesh' ? [...NODE_FLAGS] : name === 'padmesh@before' ? beforeFlags() : ['--import', 'tsx'];
/** The flags the other checkout's `npm start` used (none before node-flags.ts existed). */
function beforeFlags(): string[] {
  const start =
    (JSON.parse(readFileSync(join(BEFORE!, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
      .start ?? '';
  return /node ((?:--\S+ )*)packages\/server\/dist\/main\.js/.exec(start)?.[1]?.trim().split(' ').filter(Boolean) ?? [];
}
/** BENCH_CPU_PROF=<dir>: every server writes a V8 CPU profile there when it stops (open in Chrome DevTools). */
const profFlags = () => [
  ...(process.env.BENCH_CPU_PROF ? [`--cpu-prof --cpu-prof-dir="${resolve(process.env.BENCH_CPU_PROF)}"`] : []),
  // BENCH_HEAP_PROF=<dir>: a sampling heap profile of every Padmesh server, garbage included (heap-sample.mjs).
  ...(process.env.BENCH_HEAP_PROF ? [`--import "${join(import.meta.dirname, '../heap-sample.mjs')}"`] : []),
  ...(process.env.BENCH_HEAP_DIR
    ? [`--heapsnapshot-signal=SIGUSR2 --diagnostic-dir="${resolve(process.env.BENCH_HEAP_DIR)}"`]
    : []),
];

/** Limits raised for the load: every bench client comes from one address. */
export const BENCH_LIMITS: Record<string, string> = {
  RATE_MESSAGES_PER_SEC: '1000000',
  RATE_BURST: '1000000',
  RATE_MESSAGES_PER_SEC_PER_IP: '1000000',
  RATE_BURST_PER_IP: '1000000',
  MAX_CONNECTIONS_PER_IP: '1000000',
  MAX_NEW_PADS_PER_IP_PER_MIN: '1000000',
  // The scan budget is per address (HI1); the bench's clients stand for people at many addresses.
  SCAN_STEPS_PER_SEC: '1000000',
  SCAN_STEPS_BURST: '1000000',
};

/**
 * Starts one server in its own process on a free loopback port (`padmesh-cluster`: nodes,
 * HAProxy, PostgreSQL and Redis, see padmesh-cluster.ts).
 */
export async function launch(name: ServerName, env: Record<string, string> = {}): Promise<Running> {
  if (name === 'padmesh-cluster') return launchCluster({ ...BENCH_LIMITS, ...env });
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const script = {
    padmesh: join(ROOT, 'packages/server/dist/main.js'),
    'padmesh@before': join(BEFORE ?? '/nonexistent', 'packages/server/dist/main.js'),
    'padmesh-cluster': '',
    hocuspocus: join(import.meta.dirname, 'hocuspocus-main.ts'),
    'y-websocket': join(import.meta.dirname, 'yws-main.ts'),
    relay: join(import.meta.dirname, 'relay-main.ts'),
  }[name];
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
  const child = spawn(
    'bash',
    [
      '-c',
      `ulimit -n 65536 2>/dev/null || ulimit -n $(ulimit -Hn); exec "${process.execPath}" ${[...profFlags(), ...tsxFor(name)].join(' ')} "${script}"`,
    ],
    {
      cwd: join(ROOT, 'packages/bench'),
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        ...(process.env.BENCH_HEAP_PROF ? { BENCH_HEAP_PROF: resolve(process.env.BENCH_HEAP_PROF) } : {}),
        ...BENCH_LIMITS,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const port = await new Promise<number>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`${name} did not start: ${out}`)), 20_000);
    const check = () => {
      const m = /READY (\d+)|running at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) return (clearTimeout(t), res(Number(m[1] ?? m[2])));
      if (child.exitCode !== null) return (clearTimeout(t), rej(new Error(`${name} exited: ${out}`)));
      setTimeout(check, 20);
    };
    check();
  });
  return {
    name,
    pid: child.pid!,
    wsBase: name.startsWith('padmesh') ? `ws://127.0.0.1:${port}/ws` : `ws://127.0.0.1:${port}`,
    framing: name === 'hocuspocus' ? 'hocuspocus' : 'y-websocket',
    child,
    async stop() {
      if (child.exitCode === null) {
        const done = new Promise((r) => child.once('exit', r));
        // A profiled server must exit on its own to write its profile; give it 10 s.
        if (process.env.BENCH_CPU_PROF || process.env.BENCH_HEAP_PROF) {
          child.kill('SIGINT');
          const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await done;
          clearTimeout(t);
        } else {
          child.kill('SIGKILL');
          await done;
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** CPU seconds (user+system) and RSS bytes of a process, from /proc. */
export function usage(pid: number): { cpu: number; rss: number } {
  // The server is the exec'd child of bash, so the pid is the server itself.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  return { cpu: ticks / 100, rss };
}
