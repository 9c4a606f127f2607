/**
 * The bystander of the `hostile` workload, in its own process: a writer and a reader on one
 * pad (latency = the writer's edit until the reader receives it) and a `/healthz` poller. Run
 * apart from the attacker so that the attacker's own work (building, sending and receiving
 * megabytes, its garbage collection) cannot stall the loop that times the node.
 * Input: one JSON argument (BystanderJob). Prints `READY` once both clients are synced; on the
 * line `start` on stdin it types and polls; on `stop` it stops, waits for the edits in flight
 * (at most DELIVERY_WAIT_MS) and prints one JSON line (BystanderResult), then exits.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { LeanClient } from './client.js';
import type { Running } from './servers/launch.js';
import { prng } from './stats.js';

export interface BystanderJob {
  server: Pick<Running, 'name' | 'wsBase' | 'framing'>;
  http: string;
  seed: number;
  editEveryMs: number;
  healthzEveryMs: number;
  healthzTimeoutMs: number;
}
export interface BystanderResult {
  sent: number;
  latencies: number[];
  /** Every poll's time; a failed or timed-out poll counts with the time it took. */
  healthz: number[];
  healthzFailed: number;
  /** This process's own worst event-loop delay: what the figures cannot resolve. */
  loopMaxMs: number;
}

const DELIVERY_WAIT_MS = 15_000;
const BYSTANDER_ADDRESS = '127.0.0.2';
const job = JSON.parse(process.argv[2]!) as BystanderJob;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const epoch = performance.now();
const rand = prng(job.seed);
// Another address than the attacker's (127.0.0.1): the node's per-address limits are the
// attacker's to spend, and a bystander is somebody else.
const from = BYSTANDER_ADDRESS;
const writer = new LeanClient(job.server, 'bystander', { epoch, from });
const reader = new LeanClient(job.server, 'bystander', { epoch, observe: true, from });
await Promise.all([writer.ready(), reader.ready()]);
for (const end = Date.now() + 10_000; !(writer.synced && reader.synced) && Date.now() < end;) await sleep(10);
process.stdout.write('READY\n');

const lines = createInterface({ input: process.stdin });
const next = () => new Promise<string>((r) => lines.once('line', r));
await next(); // start
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
let sent = 0;
const typer = setInterval(() => (writer.type(rand), sent++), job.editEveryMs);
const healthz: number[] = [];
let healthzFailed = 0;
let probing = true;
const prober = (async () => {
  while (probing) {
    const t = performance.now();
    try {
      const res = await fetch(`${job.http}/healthz`, { signal: AbortSignal.timeout(job.healthzTimeoutMs) });
      await res.arrayBuffer();
      if (res.status !== 200) healthzFailed++;
    } catch {
      healthzFailed++;
    }
    healthz.push(performance.now() - t);
    await sleep(job.healthzEveryMs);
  }
})();
await next(); // stop
clearInterval(typer);
probing = false;
await prober;
for (const end = Date.now() + DELIVERY_WAIT_MS; reader.latencies.length < sent && Date.now() < end;) await sleep(10);
loop.disable();
const result: BystanderResult = {
  sent,
  latencies: reader.latencies,
  healthz,
  healthzFailed,
  loopMaxMs: loop.max / 1e6,
};
process.stdout.write(JSON.stringify(result) + '\n');
writer.close();
reader.close();
lines.close();
