/**
 * `npm run bench -- hostile`: what the attacks of SPEC "Hostile input" cost a bystander.
 * Each phase gets a real node of its own (the build, with its default limits); on another pad
 * a bystander pair types (one client's edit until the other receives it) and `/healthz` is
 * polled every 50 ms, from a process of their own (`hostile-bystander.ts`). A baseline phase
 * with no attack, then one phase per attack (`hostile-attacks.ts`); each reports the
 * bystander's edit p50/p99/max, `/healthz` p99/max, the node's RSS growth, what the attacker
 * got (close codes, HTTP statuses) and what the node counted as refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { envDefault } from '@padmesh/server';
import { RawClient } from '@padmesh/server/testing';
import { ATTACKS, type Attack, type AttackContext } from './hostile-attacks.js';
import type { BystanderJob, BystanderResult } from './hostile-bystander.js';
import { AttackSocket, tally } from './hostile-socket.js';
import { BENCH_LIMITS, usage, type Running } from './servers/launch.js';
import { summary } from './stats.js';
import type { Row } from './workloads.js';

/** The bound for a bystander under attack (edit p99 and /healthz p99). */
export const HOSTILE_TARGET_MS = 100;
/**
 * The node's own defaults for every per-address limit the bench raises (`BENCH_LIMITS`): the
 * attacks meet the limits a deployment has. (When the scan budget joined BENCH_LIMITS, a list
 * kept here by hand missed it, and the delete-set attack's 20 frames just under the budget
 * were all accepted: one 760 ms stall that the default budget refuses.)
 */
export const HOSTILE_ENV: Record<string, string> = Object.fromEntries(
  Object.keys(BENCH_LIMITS).map((name) => [name, envDefault(name)]),
);
const EDIT_EVERY_MS = 20;
const HEALTHZ_EVERY_MS = 50;
const HEALTHZ_TIMEOUT_MS = 10_000;
/** Typing before the attack starts and after it ends, so each phase holds some quiet edits too. */
const LEAD_MS = 500;
const TAIL_MS = 1_000;
/** No attack may hold a phase longer than this (a stalled node shows as this, not a hang). */
const PHASE_MAX_MS = 90_000;
const BASELINE_MS = 4_000;
/** Below this share of one core over 500 ms the node counts as quiet (the bystander's typing costs ~5 %). */
const QUIET_CPU = 0.15;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const f1 = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(1)) : 'n/a');
const MiB = (b: number) => b / 2 ** 20;

/** The phases: a baseline with no attack, then each attack. */
export const HOSTILE_PHASES: Pick<Attack, 'name' | 'rules' | 'prepare'>[] = [
  { name: 'baseline (no attack)', rules: '-', prepare: async () => () => sleep(BASELINE_MS) },
  ...ATTACKS,
];

/** Indexes into HOSTILE_PHASES of the phases whose names contain one of `only` (all when empty). */
export function hostilePhases(only: string[]): number[] {
  return HOSTILE_PHASES.flatMap((p, i) => (i === 0 || !only.length || only.some((x) => p.name.includes(x)) ? [i] : []));
}

/**
 * One phase on `server`, a node started for it alone: an attack's leftovers (a pad of a
 * million structs, a backlog still being worked through) would otherwise be measured as the
 * next attack's cost.
 */
export async function hostilePhase(server: Running, o: { seed: number; phase: number }): Promise<Row> {
  const attack = HOSTILE_PHASES[o.phase]!;
  const http = server.wsBase.replace(/^ws/, 'http').replace(/\/ws$/, '');
  const quiet = async (ms: number) => {
    const end = performance.now() + ms;
    let last = usage(server.pid).cpu;
    while (performance.now() < end) {
      await sleep(500);
      const now = usage(server.pid).cpu;
      if (now - last < QUIET_CPU * 0.5) return;
      last = now;
    }
  };
  const sockets: AttackSocket[] = [];
  const helpers: RawClient[] = [];
  const notes: string[] = [];
  const facts: string[] = [];
  const ctx: AttackContext = {
    http,
    async socket(pad, opts) {
      const s = new AttackSocket(`${server.wsBase}/${pad}`, opts);
      sockets.push(s);
      await s.ready();
      return s;
    },
    async honest(pad, text) {
      const c = new RawClient(server.wsBase, pad);
      helpers.push(c);
      await c.ready(20_000);
      if (text) {
        c.insert(0, text);
        await c.saved(30_000);
      }
      return c;
    },
    note: (x) => void notes.push(String(x)),
    fact: (x) => void facts.push(x),
    quiet,
  };
  const bystander = await Bystander.start({
    server: { name: server.name, wsBase: server.wsBase, framing: server.framing },
    http,
    seed: o.seed,
    editEveryMs: EDIT_EVERY_MS,
    healthzEveryMs: HEALTHZ_EVERY_MS,
    healthzTimeoutMs: HEALTHZ_TIMEOUT_MS,
  });
  try {
    const run = await attack.prepare(ctx);
    await quiet(10_000);

    const pid = server.pid;
    const rss0 = usage(pid).rss;
    let rssPeak = rss0;
    const refused0 = await refusals(http);
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, alive(server) ? usage(pid).rss : 0)), 100);
    bystander.begin();
    await sleep(LEAD_MS);
    const t0 = performance.now();
    let error = '';
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        run(),
        new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`over ${PHASE_MAX_MS} ms`)), PHASE_MAX_MS))),
      ]);
    } catch (err) {
      error = (err as Error).message.slice(0, 80);
    } finally {
      clearTimeout(timer);
    }
    const attackS = (performance.now() - t0) / 1000;
    await sleep(TAIL_MS);
    const b = await bystander.end();
    clearInterval(sampler);
    const up = alive(server);
    const rss1 = up ? usage(pid).rss : 0;
    const refused = up ? diff(refused0, await refusals(http)) : 'node exited';
    const outcome = [tally([...sockets.map((s) => s.outcome), ...notes]), ...facts].filter(Boolean).join('; ');

    const lat = summary(b.latencies);
    const hz = summary(b.healthz);
    const row: Row = {
      server: server.name,
      phase: attack.name,
      rules: attack.rules,
      'attack s': f1(attackS),
      edits: b.sent,
      // Not received within 15 s of the phase's end.
      'lost edits': b.sent - lat.n,
      'p50 ms': f1(lat.p50),
      'p99 ms': f1(lat.p99),
      'max ms': f1(lat.max),
      'healthz p99 ms': f1(hz.p99),
      'healthz max ms': f1(hz.max),
      'healthz polls': hz.n,
      // Polls that got no 200 within HEALTHZ_TIMEOUT_MS (in the p99 and max with the time they took).
      'healthz failed': b.healthzFailed,
      'rss MiB': f1(MiB(rss0)),
      'rss peak +MiB': f1(MiB(rssPeak - rss0)),
      'rss end +MiB': up ? f1(MiB(rss1 - rss0)) : 'n/a',
      attacker: outcome || '-',
      'node refused': refused || '-',
      node: up ? 'up' : 'EXITED',
      // The bystander process's own worst loop delay: the resolution of its figures.
      'bystander loop max ms': f1(b.loopMaxMs),
      // The machine is shared: a loaded one stretches every figure here, the bystander's too.
      'load avg': f1(loadavg()[0]!),
      ...(error ? { error } : {}),
    };
    console.log(
      `  ${server.name} ${attack.name}: bystander p99 ${row['p99 ms']} ms, max ${row['max ms']}; ` +
        `/healthz p99 ${row['healthz p99 ms']}; rss +${row['rss peak +MiB']} MiB peak; ` +
        `attacker: ${row.attacker}; node refused: ${row['node refused']}`,
    );
    return row;
  } finally {
    bystander.kill();
    sockets.forEach((s) => s.terminate());
    helpers.forEach((c) => c.close());
  }
}

/** The bystander process (`hostile-bystander.ts`): `start` once it is synced, `begin`, then `end` for its figures. */
class Bystander {
  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: AsyncIterator<string>,
  ) {}

  static async start(job: BystanderJob): Promise<Bystander> {
    const script = fileURLToPath(new URL('./hostile-bystander.ts', import.meta.url));
    const child = spawn(process.execPath, [...process.execArgv, script, JSON.stringify(job)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const b = new Bystander(child, createInterface({ input: child.stdout! })[Symbol.asyncIterator]());
    if ((await b.line(20_000)) !== 'READY') throw new Error('bystander did not start');
    return b;
  }

  begin(): void {
    this.child.stdin!.write('start\n');
  }

  async end(): Promise<BystanderResult> {
    this.child.stdin!.write('stop\n');
    return JSON.parse(await this.line(60_000)) as BystanderResult;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  private async line(ms: number): Promise<string> {
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error('bystander silent')), ms)));
    try {
      const r = await Promise.race([this.lines.next(), timeout]);
      if (r.done) throw new Error('bystander exited');
      return r.value;
    } finally {
      clearTimeout(t);
    }
  }
}

function alive(server: Running): boolean {
  return server.child.exitCode === null && server.child.signalCode === null;
}

/** `padmesh_rejected_total` by reason, from the node's /metrics. */
async function refusals(http: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  try {
    const text = await (await fetch(`${http}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    for (const m of text.matchAll(/^padmesh_rejected_total\{reason="([^"]+)"\} (\d+)/gm)) out.set(m[1]!, Number(m[2]));
  } catch {
    // An older build without the counter, or a node that stopped answering: reported as nothing counted.
  }
  return out;
}

function diff(before: Map<string, number>, after: Map<string, number>): string {
  return [...after]
    .map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ');
}
