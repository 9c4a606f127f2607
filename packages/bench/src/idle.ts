/**
 * Issue 19: what open pads cost while nobody types. N pads of ~5 KB of text, one idle
 * y-websocket client on each (kept connected), then, once the servers have had time to
 * settle (versions recorded, stores flushed), each server process's CPU over a window in
 * which nothing is sent. `npm run bench -- idle`; sizes from BENCH_IDLE_* (see bench/README.md).
 */
import { LeanClient } from './client.js';
import { usage, type Running } from './servers/launch.js';
import { prng } from './stats.js';
import { WebSocket } from './ws.js';
import type { Row } from './workloads.js';

export interface IdleOptions {
  pads: number;
  /** Seconds between the last pad written and the window (the servers' after-edit work). */
  settleS: number;
  /** Seconds over which CPU is measured. */
  windowS: number;
  seed: number;
}

/** Characters written per pad: 50 inserts of 100 at random positions, sent as 10 updates. */
export const IDLE_PAD_CHARS = 5_000;
const INSERTS = 50;
const UPDATES = 10;
/** Pads connected and written at a time. */
const BATCH = 50;
/** Upper bounds: HAProxy's 9,000 connections in front of a cluster, and a run that ends in minutes. */
const MAX_PADS = 8_000;
const MAX_SECONDS = 600;

/**
 * Padmesh records a pad's version VERSION_IDLE_MS after its last edit (default 30 s): shorter
 * here, so that one-off work falls inside the settle time, not the window.
 */
export const IDLE_ENV: Record<string, string> = { VERSION_IDLE_MS: '2000' };

function envInt(name: string, def: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}=${raw}: an integer from ${min} to ${max}`);
  return n;
}

/** The workload's sizes: BENCH_IDLE_PADS (2,000), BENCH_IDLE_SETTLE_S (20), BENCH_IDLE_WINDOW_S (30). */
export function idleOptions(quick: boolean, seed: number): IdleOptions {
  return {
    pads: envInt('BENCH_IDLE_PADS', quick ? 200 : 2_000, 1, MAX_PADS),
    settleS: envInt('BENCH_IDLE_SETTLE_S', quick ? 5 : 20, 0, MAX_SECONDS),
    windowS: envInt('BENCH_IDLE_WINDOW_S', quick ? 10 : 30, 1, MAX_SECONDS),
    seed,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const f2 = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(2)) : 'n/a');
const epoch = performance.now();

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Words of prose, so the text looks like a pad's and not one repeated run. */
function filler(rand: () => number, n: number): string {
  const words = ['the', 'pad', 'keeps', 'notes', 'for', 'every', 'meeting', 'and', 'draft', 'we', 'wrote', 'today'];
  let s = '';
  while (s.length < n) s += words[Math.floor(rand() * words.length)]! + (rand() < 0.1 ? '.\n' : ' ');
  return s.slice(0, n);
}

/** ~5 KB in 10 updates of 5 inserts each at random positions: a pad of a few dozen structs. */
function write(c: LeanClient, rand: () => number): void {
  const text = c.doc.getText('content');
  const size = IDLE_PAD_CHARS / INSERTS;
  for (let u = 0; u < UPDATES; u++)
    c.doc.transact(() => {
      for (let i = 0; i < INSERTS / UPDATES; i++)
        text.insert(Math.floor(rand() * (text.length + 1)), filler(rand, size));
    });
}

/** Prometheus gauge `padmesh_open_pads` of one node, or NaN. */
async function openPads(url: string): Promise<number> {
  try {
    const body = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    return Number(/^padmesh_open_pads(?:\{[^}]*\})? (\S+)$/m.exec(body)?.[1]);
  } catch {
    return Number.NaN;
  }
}

export async function idle(server: Running, o: IdleOptions): Promise<Row> {
  const rand = prng(o.seed);
  // Pad names unique to this run: a cluster's Redis (channels per pad) may be shared with other runs.
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const clients: LeanClient[] = [];
  try {
    const t0 = performance.now();
    for (let i = 0; i < o.pads; i += BATCH) {
      const batch = Array.from(
        { length: Math.min(BATCH, o.pads - i) },
        (_, k) => new LeanClient(server, `idle-${run}-${i + k}`, { epoch }),
      );
      clients.push(...batch);
      await Promise.all(batch.map((c) => c.ready()));
      if (!(await until(() => batch.every((c) => c.synced), 30_000)))
        throw new Error(`pads ${i}-${i + batch.length - 1}: no sync answer within 30 s`);
      for (const c of batch) write(c, rand);
      // Let the server take the batch before the next one (its sockets' buffers drained).
      await until(() => batch.every((c) => c.ws.bufferedAmount === 0), 30_000);
    }
    const fillS = (performance.now() - t0) / 1000;
    await sleep(o.settleS * 1000);

    const procs = server.nodes ?? [{ name: server.name, pid: server.pid, url: '' }];
    const u0 = procs.map((p) => usage(p.pid).cpu);
    const lb0 = server.balancerPid ? usage(server.balancerPid).cpu : 0;
    const self0 = process.cpuUsage();
    const w0 = performance.now();
    const bytesIn0 = clients.reduce((n, c) => n + c.bytesIn, 0);
    await sleep(o.windowS * 1000);
    const seconds = (performance.now() - w0) / 1000;
    const pct = (cpuSeconds: number) => f2((cpuSeconds / seconds) * 100);
    const cpu = procs.map((p, i) => usage(p.pid).cpu - u0[i]!);
    const lb = server.balancerPid ? usage(server.balancerPid).cpu - lb0 : Number.NaN;
    const self = process.cpuUsage(self0);
    const bytesIn = clients.reduce((n, c) => n + c.bytesIn, 0) - bytesIn0;
    const rss = procs.reduce((n, p) => n + usage(p.pid).rss, 0);
    const open = clients.filter((c) => c.ws.readyState === WebSocket.OPEN).length;

    // The pads are really there: a fresh client on the first pad gets its text on joining
    // (Padmesh answers with its stored snapshot and the updates since, so it follows them).
    const probe = new LeanClient(server, clients[0]!.pad, { epoch, follow: true });
    clients.push(probe);
    await probe.ready();
    const probeText = probe.doc.getText('content');
    await until(() => probeText.length >= IDLE_PAD_CHARS, 10_000);
    const probeChars = probeText.length;

    const row: Row = {
      server: server.name,
      pads: o.pads,
      'chars/pad': IDLE_PAD_CHARS,
      'fill s': f2(fillS),
      'settle s': o.settleS,
      'window s': f2(seconds),
      'cpu %': pct(cpu.reduce((a, b) => a + b, 0)),
    };
    if (server.nodes) {
      const pads = await Promise.all(server.nodes.map((n) => openPads(n.url)));
      server.nodes.forEach((n, i) => {
        row[`${n.name} cpu %`] = pct(cpu[i]!);
        row[`${n.name} pads`] = Number.isFinite(pads[i]) ? pads[i]! : 'n/a';
      });
      row['haproxy cpu %'] = pct(lb);
    }
    Object.assign(row, {
      'rss MiB': f2(rss / 2 ** 20),
      'clients KiB in': f2(bytesIn / 1024),
      'bench cpu %': pct((self.user + self.system) / 1e6),
      'open at end': open,
      'probe chars': probeChars,
    });
    return row;
  } finally {
    clients.forEach((c) => c.close());
  }
}

/** Adds `column`: each row's `key` over the `base` server's (the y-websocket server for issue 19). */
export function relativeTo(rows: Row[], base: string, key: string, column: string): void {
  const b = Number(rows.find((r) => r.server === base)?.[key]);
  for (const r of rows) {
    const v = Number(r[key]) / b;
    if (key in r) r[column] = Number.isFinite(v) ? Number(v.toFixed(2)) : 'n/a';
  }
}
