import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { haproxyConfig } from './haproxy-config.js';
import { NODE_FLAGS } from '@padmesh/server';

/** A node started from sources compiles them first; on a loaded 2-core machine that took over 20 s. */
const NODE_READY_TIMEOUT_MS = 60_000;
const ROOT = resolve(import.meta.dirname, '..');
const HAPROXY = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p));

export interface ClusterOptions {
  nodes: number;
  /** HAProxy's port (0 = any free port). */
  port: number;
  storageUrl: string;
  storageSchema?: string;
  redisUrl: string;
  /** Where each node's log goes (`<dir>/node<i>.log`); undefined = inherit stdout with a prefix. */
  logDir?: string;
  /** Run nodes from TypeScript sources (tests) instead of the built dist (npm run cluster). */
  fromSource?: boolean;
  env?: Record<string, string>;
  /** Extra node flags after NODE_FLAGS, e.g. `--cpu-prof` (which Node refuses in NODE_OPTIONS). */
  nodeArgs?: string[];
}

export interface ClusterNode {
  name: string;
  port: number;
  url: string;
  child: ChildProcess | null;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** A probe that fails means "not yet"; `gone()` returning a reason (the process exited) fails at once. */
async function until(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
  gone: () => string | null = () => null,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const why = gone();
    if (why) throw new Error(`cluster: ${why} while waiting for ${what}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`cluster: timed out after ${timeoutMs} ms waiting for ${what}`);
}

const ok = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;

/**
 * A local cluster: N Padmesh nodes on loopback behind one HAProxy, sharing PostgreSQL and
 * Redis. Used by `npm run cluster` and by the cluster tests.
 */
export class Cluster {
  private readonly secret = randomBytes(32).toString('base64url');
  readonly nodes: ClusterNode[] = [];
  haproxy: ChildProcess | null = null;
  port = 0;
  private dir = join(tmpdir(), `padmesh-cluster-${process.pid}-${Date.now().toString(36)}`);

  private constructor(private readonly o: ClusterOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  static async start(o: ClusterOptions): Promise<Cluster> {
    if (!HAPROXY) throw new Error('haproxy not found: install it with scripts/system-deps.sh');
    const c = new Cluster(o);
    mkdirSync(c.dir, { recursive: true });
    try {
      for (let i = 1; i <= o.nodes; i++)
        c.nodes.push({ name: `node${i}`, port: await freePort(), url: '', child: null });
      for (const n of c.nodes) n.url = `http://127.0.0.1:${n.port}`;
      await Promise.all(c.nodes.map((_, i) => c.startNode(i)));
      c.port = o.port || (await freePort());
      await c.startHaproxy();
    } catch (err) {
      await c.stop();
      throw err;
    }
    return c;
  }

  async startNode(i: number): Promise<void> {
    const n = this.nodes[i]!;
    const flags = [...NODE_FLAGS, ...(this.o.nodeArgs ?? [])];
    const args = this.o.fromSource
      ? [...flags, '--conditions=source', '--import', 'tsx', join(ROOT, 'packages/server/src/main.ts')]
      : [...flags, join(ROOT, 'packages/server/dist/main.js')];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(n.port),
        HOST: '127.0.0.1',
        NODE_ID: n.name,
        STORAGE_URL: this.o.storageUrl,
        ...(this.o.storageSchema ? { STORAGE_SCHEMA: this.o.storageSchema } : {}),
        REDIS_URL: this.o.redisUrl,
        TRUST_PROXY: '1',
        // One key for the whole cluster: an unlock cookie from one node works on every other (OW6).
        SERVER_SECRET: this.secret,
        DRAIN_DELAY_MS: '2500',
        LOG_LEVEL: 'info',
        ...this.o.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.o.logDir) {
      mkdirSync(this.o.logDir, { recursive: true });
      const log = createWriteStream(join(this.o.logDir, `${n.name}.log`), { flags: 'a' });
      child.stdout!.pipe(log);
      child.stderr!.pipe(log);
    } else {
      const prefix = (d: Buffer) => process.stdout.write(d.toString().replace(/^(?=.)/gm, `[${n.name}] `));
      child.stdout!.on('data', prefix);
      child.stderr!.on('data', prefix);
    }
    n.child = child;
    await until(
      () => ok(`${n.url}/readyz`),
      `${n.name} ready`,
      NODE_READY_TIMEOUT_MS,
      () =>
        child.exitCode !== null || child.signalCode
          ? `${n.name} exited with ${child.exitCode ?? child.signalCode}`
          : null,
    );
  }

  private async startHaproxy(): Promise<void> {
    const cfg = join(this.dir, 'haproxy.cfg');
    writeFileSync(
      cfg,
      haproxyConfig({
        bind: `127.0.0.1:${this.port}`,
        backends: this.nodes.map((n) => ({ name: n.name, host: '127.0.0.1', port: n.port })),
      }),
    );
    const hp = spawn(HAPROXY!, ['-f', cfg, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    hp.stdout!.on('data', (d) => (out += d));
    hp.stderr!.on('data', (d) => (out += d));
    this.haproxy = hp;
    await until(
      () => ok(`${this.url}/readyz`),
      'haproxy routing',
      10_000,
      () => (hp.exitCode !== null || hp.signalCode ? `haproxy exited: ${out}` : null),
    );
  }

  /** Which node HAProxy routes `pad` to right now (nodes name themselves in a response header). */
  async nodeFor(pad: string): Promise<number> {
    const res = await fetch(`${this.url}/${pad}.txt`, { method: 'HEAD' });
    return this.nodes.findIndex((n) => n.name === res.headers.get('x-padmesh-node'));
  }

  async kill(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.nodes[i]!.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
    this.nodes[i]!.child = null;
  }

  async stop(): Promise<void> {
    this.haproxy?.kill('SIGKILL');
    await Promise.all(this.nodes.map((_, i) => this.kill(i, 'SIGKILL')));
  }
}
