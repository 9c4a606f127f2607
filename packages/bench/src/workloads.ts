import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { LeanClient } from './client.js';
import { usage, type Running } from './servers/launch.js';
import { prng, summary } from './stats.js';
import type { LoadJob, LoadResult } from './throughput-load.js';

export type Row = Record<string, string | number>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const epoch = performance.now();
const f1 = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(1)) : 'n/a');
/**
 * Issue 19's measure of cost: server CPU-ms spent per 1,000 updates delivered to clients
 * (every receiving client counts once per update), over the same window.
 */
export const CPU_PER_1K = 'cpu ms/1k delivered';
const perThousand = (cpuSeconds: number, delivered: number) => f1((cpuSeconds * 1000) / (delivered / 1000));

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

async function connect(
  server: Running,
  pad: string,
  n: number,
  opts: { observe?: boolean; follow?: boolean; applySync?: boolean } = {},
): Promise<LeanClient[]> {
  const out: LeanClient[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, () => new LeanClient(server, pad, { epoch, ...opts }));
    await Promise.all(batch.map((c) => c.ready()));
    out.push(...batch);
  }
  // The relay keeps no state and never answers sync; the others do.
  if (server.name !== 'relay') await until(() => out.every((c) => c.synced), 15_000);
  return out;
}

/** Runs `fn` and reports the server's CPU share and RSS over it. */
async function measured<T>(
  server: Running,
  fn: () => Promise<T>,
): Promise<{ value: T; cpuPct: number; cpuSeconds: number; rssMiB: number; seconds: number }> {
  const u0 = usage(server.pid);
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const u1 = usage(server.pid);
  const cpuSeconds = u1.cpu - u0.cpu;
  return { value, cpuPct: (cpuSeconds / seconds) * 100, cpuSeconds, rssMiB: u1.rss / 2 ** 20, seconds };
}

/** P pads × C clients, each typing K tokens per second at random positions. */
export async function typing(
  server: Running,
  o: { pads: number; clients: number; perSec: number; seconds: number; seed: number; warmupSeconds: number },
): Promise<Row> {
  const rand = prng(o.seed);
  const groups = await Promise.all(
    Array.from({ length: o.pads }, (_, p) => connect(server, `typing-${p}`, o.clients, { observe: true })),
  );
  const all = groups.flat();
  let sent = 0;
  const type = async (seconds: number) => {
    const timers = all.map((c) => setInterval(() => (c.type(rand), sent++), 1000 / o.perSec));
    await sleep(seconds * 1000);
    timers.forEach(clearInterval);
    await sleep(1000);
  };
  // Unmeasured: a fresh process spends its first seconds compiling its hot code (V8's
  // optimising compiler ran on 4 threads, ~30 % of Padmesh's samples in a 12 s window), which
  // the steady state a long-lived server runs in does not pay. Every server gets the same.
  if (o.warmupSeconds > 0) {
    await type(o.warmupSeconds);
    sent = 0;
    for (const c of all) {
      c.latencies.length = 0;
      c.bytesIn = c.bytesOut = 0;
    }
  }
  const m = await measured(server, () => type(o.seconds));
  const lat = all.flatMap((c) => c.latencies);
  const expected = sent * (o.clients - 1);
  const bytes = all.reduce((n, c) => n + c.bytesIn + c.bytesOut, 0);
  all.forEach((c) => c.close());
  const s = summary(lat);
  return {
    server: server.name,
    sent,
    delivered: lat.length,
    'lost %': f1((100 * (expected - lat.length)) / expected),
    'updates/s': Math.round(lat.length / o.seconds),
    'p50 ms': f1(s.p50),
    'p99 ms': f1(s.p99),
    'max ms': f1(s.max),
    'cpu %': f1(m.cpuPct),
    [CPU_PER_1K]: perThousand(m.cpuSeconds, lat.length),
    'rss MiB': f1(m.rssMiB),
    'wire MiB': f1(bytes / 2 ** 20),
  };
}

/** One writer, N readers on one pad. */
export async function fanout(
  server: Running,
  o: { readers: number; perSec: number; seconds: number; seed: number },
): Promise<Row> {
  const rand = prng(o.seed);
  const pad = `fanout-${o.readers}`;
  const readers = await connect(server, pad, o.readers, { observe: true });
  const [writer] = await connect(server, pad, 1);
  let sent = 0;
  const m = await measured(server, async () => {
    const t = setInterval(() => (writer!.type(rand), sent++), 1000 / o.perSec);
    await sleep(o.seconds * 1000);
    clearInterval(t);
    await until(() => readers.every((r) => r.latencies.length >= sent), 5_000);
  });
  const lat = readers.flatMap((r) => r.latencies);
  [...readers, writer!].forEach((c) => c.close());
  const s = summary(lat);
  return {
    server: server.name,
    readers: o.readers,
    sent,
    'delivered %': f1((100 * lat.length) / (sent * o.readers)),
    'p50 ms': f1(s.p50),
    'p95 ms': f1(s.p95),
    'p99 ms': f1(s.p99),
    'max ms': f1(s.max),
    'cpu %': f1(m.cpuPct),
    'rss MiB': f1(m.rssMiB),
  };
}

/**
 * A synthetic editing trace (seeded runs of typing, deletions and jumps, like a person
 * writing) replayed by several clients at once; every client must end with the text of
 * all their edits merged.
 */
export async function trace(server: Running, o: { clients: number; ops: number; seed: number }): Promise<Row> {
  const rand = prng(o.seed);
  const cs = await connect(server, 'trace', o.clients, { follow: true });
  const words = ['the ', 'pad ', 'merges ', 'every ', 'edit ', 'live ', 'and ', 'keeps ', 'it\n'];
  const m = await measured(server, async () => {
    for (let i = 0; i < o.ops; i++) {
      const c = cs[i % cs.length]!;
      const t = c.doc.getText('content');
      const r = rand();
      if (r < 0.75)
        t.insert(Math.min(t.length, Math.floor(rand() * (t.length + 1))), words[Math.floor(rand() * words.length)]!);
      else if (t.length > 10) t.delete(Math.floor(rand() * (t.length - 5)), 1 + Math.floor(rand() * 5));
      if (i % 20 === 0) await sleep(1);
    }
    const expected = new Y.Doc();
    for (const c of cs) Y.applyUpdate(expected, Y.encodeStateAsUpdate(c.doc));
    const want = expected.getText('content').toString();
    const ok = await until(() => cs.every((c) => c.doc.getText('content').toString() === want), 20_000);
    return { ok, length: want.length };
  });
  cs.forEach((c) => c.close());
  return {
    server: server.name,
    clients: o.clients,
    ops: o.ops,
    'final chars': m.value.length,
    converged: m.value.ok ? 'yes' : 'NO',
    seconds: f1(m.seconds),
    'cpu %': f1(m.cpuPct),
    'msgs in': cs.reduce((n, c) => n + c.messagesIn, 0),
    'KiB in': Math.round(cs.reduce((n, c) => n + c.bytesIn, 0) / 1024),
  };
}

/**
 * Memory per idle connection: RSS growth over n connections, divided by n. Ten warm-up
 * clients open the ten pads first, so the growth is the sockets', not the pads' or the
 * code paths' first use.
 */
export async function connections(server: Running, o: { n: number }): Promise<Row> {
  const warm: LeanClient[] = [];
  for (let p = 0; p < 10; p++) warm.push(...(await connect(server, `idle-${p}`, 1)));
  await sleep(1000);
  const before = usage(server.pid).rss;
  const cs: LeanClient[] = [];
  for (let p = 0; p < 10; p++) cs.push(...(await connect(server, `idle-${p}`, Math.ceil(o.n / 10))));
  await sleep(1000);
  const after = usage(server.pid).rss;
  [...cs, ...warm].forEach((c) => c.close());
  await sleep(500);
  return {
    server: server.name,
    connections: cs.length,
    'rss before MiB': f1(before / 2 ** 20),
    'rss after MiB': f1(after / 2 ** 20),
    'KiB/conn': f1((after - before) / 1024 / cs.length),
  };
}

/** 500 present users moving cursors once a second; observers time each cursor and count the last ones they never got. */
export async function cursors(server: Running, o: { users: number; observers: number; seconds: number }): Promise<Row> {
  const users = await connect(server, 'cursors', o.users);
  const observers = await connect(server, 'cursors', o.observers, { observe: true });
  const last = new Map<LeanClient, string>();
  const m = await measured(server, async () => {
    const timers = users.map((u, i) =>
      setTimeout(() => {
        last.set(u, u.moveCursor());
        timers[i] = setInterval(() => last.set(u, u.moveCursor()), 1000) as unknown as NodeJS.Timeout;
      }, Math.random() * 1000),
    );
    await sleep(o.seconds * 1000);
    timers.forEach((t) => (clearTimeout(t), clearInterval(t)));
    await sleep(1500);
  });
  const lat = observers.flatMap((x) => x.cursorLatencies);
  const undelivered = observers.reduce((n, x) => n + [...last.values()].filter((tok) => !x.seen.has(tok)).length, 0);
  [...users, ...observers].forEach((c) => c.close());
  const s = summary(lat);
  return {
    server: server.name,
    users: o.users,
    'p50 ms': f1(s.p50),
    'p95 ms': f1(s.p95),
    'p99 ms': f1(s.p99),
    'undelivered (final states)': undelivered,
    'cpu %': f1(m.cpuPct),
    'rss MiB': f1(m.rssMiB),
  };
}

/** N clients join a pad of `mb` MB at once; time from connect to the sync answer. */
export async function joinStorm(server: Running, o: { clients: number; mb: number }): Promise<Row> {
  const [seed] = await connect(server, 'storm', 1);
  const t = seed!.doc.getText('content');
  const chunk = 'lorem ipsum dolor sit amet '.repeat(40) + '\n';
  const seeded = performance.now();
  while (t.length < o.mb * 1024 * 1024) t.insert(t.length, chunk);
  // The storm starts on a quiet server: one still integrating the seed would add that work to
  // the joiners' times (each append to the pad's one long Yjs item copies the item's text, so
  // seeding 4 MB takes seconds on the client and on the server).
  await quiet(server);
  const settledS = (performance.now() - seeded) / 1000;
  let peak = usage(server.pid).rss;
  const sampler = setInterval(() => (peak = Math.max(peak, usage(server.pid).rss)), 50);
  const start = performance.now();
  const cs = Array.from({ length: o.clients }, () => new LeanClient(server, 'storm', { epoch, applySync: false }));
  await until(() => cs.every((c) => c.synced), 60_000);
  clearInterval(sampler);
  const times = cs.filter((c) => c.synced).map((c) => c.syncedAt - start);
  [...cs, seed!].forEach((c) => c.close());
  const s = summary(times);
  return {
    server: server.name,
    clients: o.clients,
    'pad MB': o.mb,
    'seed settled s': f1(settledS),
    synced: times.length,
    'p50 ms': f1(s.p50),
    'p99 ms': f1(s.p99),
    'peak rss MiB': f1(peak / 2 ** 20),
  };
}

/** Resolves once the server has used under 5 % of a core for a whole 500 ms window (at most 60 s). */
async function quiet(server: Running): Promise<void> {
  const end = performance.now() + 60_000;
  let last = usage(server.pid).cpu;
  do {
    await sleep(500);
    const now = usage(server.pid).cpu;
    if (now - last < 0.025) return;
    last = now;
  } while (performance.now() < end);
}

/** 400 authors typing on one pad; a sample of them measures latency. */
export async function authors(
  server: Running,
  o: { authors: number; everyMs: number; seconds: number; seed: number },
): Promise<Row> {
  const rand = prng(o.seed);
  const cs = await connect(server, 'authors', o.authors, { observe: true });
  let sent = 0;
  const m = await measured(server, async () => {
    const timers = cs.map((c) =>
      setTimeout(() => {
        timers.push(setInterval(() => (c.type(rand), sent++), o.everyMs) as unknown as NodeJS.Timeout);
      }, rand() * o.everyMs),
    );
    await sleep(o.seconds * 1000);
    timers.forEach((t) => (clearTimeout(t), clearInterval(t)));
    await sleep(2000);
  });
  const lat = cs.flatMap((c) => c.latencies);
  const expected = sent * (o.authors - 1);
  cs.forEach((c) => c.close());
  const s = summary(lat);
  return {
    server: server.name,
    authors: o.authors,
    'updates sent': sent,
    'delivered %': f1((100 * lat.length) / expected),
    'p50 ms': f1(s.p50),
    'p95 ms': f1(s.p95),
    'p99 ms': f1(s.p99),
    'cpu %': f1(m.cpuPct),
    'rss MiB': f1(m.rssMiB),
  };
}

/**
 * Saturating throughput: P pads, one writer and R readers each, every writer keeping
 * `window` updates in flight. The load generator runs in its own process (throughput-load.ts)
 * and only sends pre-built frames and counts tokens, so it costs less per update than any
 * server here but the relay; its CPU share is reported so a reader can see who saturated.
 */
export async function throughput(
  server: Running,
  o: { pads: number; readers: number; window: number; seconds: number; warmupSeconds: number },
): Promise<Row> {
  const job: LoadJob = {
    wsBase: server.wsBase,
    framing: server.framing,
    sync: server.name !== 'relay',
    ...o,
    perPad: 75_000,
  };
  let u0 = usage(server.pid);
  const r = await runLoad(job, () => (u0 = usage(server.pid)));
  const u1 = usage(server.pid);
  return {
    server: server.name,
    pads: o.pads,
    readers: o.readers,
    window: o.window,
    'updates/s': Math.round(r.deliveries / o.readers / r.seconds),
    // yes: every pool was delivered before the time ran out, and the clock stopped there.
    drained: r.drained ? 'yes' : 'no',
    'deliveries/s': Math.round(r.deliveries / r.seconds),
    'server cpu %': f1(((u1.cpu - u0.cpu) / r.seconds) * 100),
    [CPU_PER_1K]: perThousand(u1.cpu - u0.cpu, r.deliveries),
    'load cpu %': f1(r.clientCpuPct),
    'rss MiB': f1(u1.rss / 2 ** 20),
  };
}

/** Runs the load generator; `onStart` runs when its clock starts (after set-up). */
function runLoad(job: LoadJob, onStart: () => void): Promise<LoadResult> {
  const script = fileURLToPath(new URL('./throughput-load.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let started = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (!started && out.includes('GO\n')) {
        started = true;
        onStart();
      }
    });
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), (job.seconds + 120) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as LoadResult);
      else reject(new Error(`load generator failed (exit ${code}): ${err.slice(-300)}`));
    });
  });
}
