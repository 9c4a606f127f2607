/**
 * The load generator of the `throughput` workload, in its own process so it has a core of
 * its own and the server is the bottleneck. Writers send pre-built Yjs updates (built before
 * the clock starts) with a fixed window of updates in flight; readers count the `<sN>`
 * tokens they receive (merged updates carry several), which acknowledges the window.
 * Input: one JSON argument; output: `GO` when the clock starts, then one JSON line.
 */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { WebSocket } from './ws.js';

export interface LoadJob {
  wsBase: string;
  framing: 'y-websocket' | 'hocuspocus';
  /** The relay answers no sync; the others do and must have answered before the clock starts. */
  sync: boolean;
  pads: number;
  readers: number;
  window: number;
  seconds: number;
  /** Updates built per pad (an upper bound on what a writer can send). */
  perPad: number;
  /** Seconds of the same load before the clock starts. */
  warmupSeconds?: number;
}
export interface LoadResult {
  updatesSent: number;
  /** Every pad's pool was delivered before `seconds` ran out (the clock stopped there). */
  drained: boolean;
  deliveries: number;
  seconds: number;
  clientCpuPct: number;
}

const job = JSON.parse(process.argv[2]!) as LoadJob;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function frame(pad: string, type: number, body: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  if (job.framing === 'hocuspocus') encoding.writeVarString(e, pad);
  encoding.writeVarUint(e, type);
  body(e);
  return encoding.toUint8Array(e);
}

/**
 * Typing-like updates: a short token and a word at a random position of the writer's text.
 * Tokens have one length and go in only between tokens, so none is ever split: a server that
 * merges updates (Padmesh) sends split items as separate strings, and a token cut between
 * `<` and `s` would go uncounted.
 */
function buildUpdates(pad: string, n: number, seed: number): Uint8Array[] {
  const doc = new Y.Doc();
  const text = doc.getText('content');
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) =>
    out.push(frame(pad, 0, (e) => (encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, u)))),
  );
  const token = (i: number) => `<s${String(i).padStart(6, '0')}>word `;
  const length = token(0).length;
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    text.insert(length * (s % (i + 1)), token(i));
  }
  doc.destroy();
  return out;
}

function countTokens(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf('<s'); i >= 0; i = data.indexOf('<s', i + 2)) n++;
  return n;
}

async function open(pad: string, onData: (d: Buffer) => void): Promise<{ ws: WebSocket; synced: Promise<void> }> {
  const url = job.framing === 'hocuspocus' ? job.wsBase : `${job.wsBase}/${pad}`;
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.binaryType = 'nodebuffer';
  let markSynced!: () => void;
  const synced = new Promise<void>((r) => (markSynced = r));
  ws.on('message', (d: Buffer) => {
    // Sync step 2 from the server (type 0, step 1 in lib0 numbering) ends the handshake.
    const at = job.framing === 'hocuspocus' ? 1 + d[0]! : 0;
    if (d[at] === 0 && d[at + 1] === 1) markSynced();
    else if (d[at] === 0 && d[at + 1] === 0 && job.sync)
      ws.send(
        frame(
          pad,
          0,
          (e) => (encoding.writeVarUint(e, 1), encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(new Y.Doc()))),
        ),
      );
    onData(d);
  });
  await new Promise<void>((res, rej) => (ws.once('open', () => res()), ws.once('error', rej)));
  if (job.framing === 'hocuspocus')
    ws.send(frame(pad, 2, (e) => (encoding.writeVarUint(e, 0), encoding.writeVarString(e, ''))));
  if (job.sync)
    ws.send(
      frame(
        pad,
        0,
        (e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint8Array(e, Y.encodeStateVector(new Y.Doc()))),
      ),
    );
  else markSynced();
  return { ws, synced };
}

const pads = Array.from({ length: job.pads }, (_, p) => `tp-${process.pid}-${p}`);
const updates = pads.map((pad, p) => buildUpdates(pad, job.perPad, p + 1));
let running = false;
let sentTotal = 0;
let deliveries = 0;
// A CRDT server that gets through every pad's whole pool stops the clock there: timing it
// over the full `seconds` would cap its rate at perPad × pads / seconds.
let padsDone = 0;
let allDone!: () => void;
const finished = new Promise<void>((r) => (allDone = r));
const writers = await Promise.all(
  pads.map(async (pad, p) => {
    const state = { sent: 0, received: new Array<number>(job.readers).fill(0), done: false };
    const pump = () => {
      if (!running) return;
      const acked = Math.min(...state.received);
      const pool = updates[p]!;
      // The relay does no CRDT work, so it may see the same frames again; a CRDT server would
      // drop a repeated update unseen, so for those the pool is a hard limit.
      while (state.sent - acked < job.window && (state.sent < pool.length || !job.sync)) {
        writer.ws.send(pool[state.sent++ % pool.length]!);
        sentTotal++;
      }
    };
    const readers = await Promise.all(
      Array.from({ length: job.readers }, (_, r) =>
        open(pad, (d) => {
          const n = countTokens(d);
          if (n === 0 || !running) return;
          state.received[r]! += n;
          deliveries += n;
          if (job.sync && !state.done && state.received.every((k) => k >= updates[p]!.length)) {
            state.done = true;
            if (++padsDone === job.pads) allDone();
          }
          pump();
        }),
      ),
    );
    const writer = await open(pad, () => {});
    await Promise.all([writer.synced, ...readers.map((r) => r.synced)]);
    return { pump, state, sockets: [writer.ws, ...readers.map((r) => r.ws)] };
  }),
);
await wait(500);
running = true;
writers.forEach((w) => w.pump());
// Unmeasured warm-up at full load (the server's JIT; see `typing` in workloads.ts): the
// clock and the counts start after it, with the pipeline already full.
if ((job.warmupSeconds ?? 0) > 0) await wait(job.warmupSeconds! * 1000);
deliveries = 0;
sentTotal = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
process.stdout.write('GO\n');
await Promise.race([wait(job.seconds * 1000), finished]);
running = false;
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
// Each update counts once per reader: a reader that counted more than its writer sent means
// the count is wrong (a token counted twice), and the figure must not be reported.
for (const w of writers) {
  if (job.sync && w.state.received.some((k) => k > w.state.sent)) {
    process.stderr.write(`a reader counted ${Math.max(...w.state.received)} updates of ${w.state.sent} sent\n`);
    process.exit(1);
  }
}
const result: LoadResult = {
  updatesSent: sentTotal,
  drained: padsDone === job.pads,
  deliveries,
  seconds,
  clientCpuPct: (cpu.user + cpu.system) / 1e4 / seconds,
};
process.stdout.write(JSON.stringify(result) + '\n');
writers.forEach((w) => w.sockets.forEach((s) => s.terminate()));
process.exit(0);
