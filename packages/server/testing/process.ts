import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { NODE_FLAGS } from '../src/node-flags.js';
import { waitFor } from './wait.js';

const MAIN = resolve(import.meta.dirname, '../src/main.ts');
const DIST_MAIN = resolve(import.meta.dirname, '../dist/main.js');

/**
 * Tests run the sources through tsx; `PADMESH_SPAWN=dist` runs the build instead, as `npm start`
 * does. The soak restarts a node a thousand times, and compiling on every start made a restart
 * cost seconds of CPU on a loaded machine.
 */
function entry(): string[] {
  if (process.env.PADMESH_SPAWN !== 'dist') return ['--conditions=source', '--import', 'tsx', MAIN];
  if (!existsSync(DIST_MAIN)) throw new Error(`PADMESH_SPAWN=dist but ${DIST_MAIN} is missing: run npm run build`);
  return [DIST_MAIN];
}

/**
 * `PADMESH_TEST_NODE_ARGS`: extra flags for every node a test spawns, to profile what a test
 * does to the node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (bench/README.md, step 16).
 */
function profilingArgs(): string[] {
  return process.env.PADMESH_TEST_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
}

export interface NodeProcess {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs the real server entry point as a child process (so kill -9 is a real kill -9), with the
 * V8 flags every production start uses (NODE_FLAGS): without them the young generation grows
 * to 16 MiB, and the hostile suite's HS4 measured a bystander p99 of 104-139 ms against 81-83
 * with them, timing a node nobody runs.
 */
export async function spawnNode(
  env: Record<string, string>,
  timeoutMs = 15_000,
  /** V8 / Node flags for the child beyond NODE_FLAGS, e.g. `--max-old-space-size=128` (HI4). */
  nodeArgs: string[] = [],
): Promise<NodeProcess> {
  const child = spawn(process.execPath, [...profilingArgs(), ...NODE_FLAGS, ...nodeArgs, ...entry()], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // A child that exited will never print its address: fail at once with its output instead of
  // waiting out the timeout (the fault harness restarts nodes while their database restarts).
  let gone: ((err: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => (gone = reject));
  // 'close', not 'exit': by then the child's last words are in `out`.
  child.once('close', (code) => gone?.(new Error(`server exited with ${code}: ${out}`)));
  failed.catch(() => {});
  const started = waitFor(
    () => /Padmesh is running at (http:\/\/[^/\s]+)\//.exec(out)?.[1],
    'server start',
    timeoutMs,
    20,
  );
  started.catch(() => {});
  const url = await Promise.race([started, failed]);
  gone = undefined;
  return {
    child,
    url,
    wsUrl: url.replace(/^http/, 'ws') + '/ws',
    output: () => out,
    /** SIGKILL unless told otherwise; a profiled node (PADMESH_TEST_NODE_ARGS) gets SIGTERM, so V8 writes its profile. */
    async kill(signal?: NodeJS.Signals) {
      const sig = signal ?? (profilingArgs().length > 0 ? 'SIGTERM' : 'SIGKILL');
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      return exited;
    },
  };
}
