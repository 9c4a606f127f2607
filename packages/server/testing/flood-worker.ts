import { decodeMessage } from '@padmesh/protocol';
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { updateFrame } from './hostile-frames.js';

/**
 * The L4 flood's sockets, on a thread of their own: sending 6,000 frames and counting their
 * acknowledgements on the test's thread held its loop 100-190 ms, and the bystander timed on
 * that loop measured the test, not the node.
 */
export interface FloodSetup {
  wsUrl: string;
  sockets: number;
  each: number;
  pads: number;
}

/** Worker to test: `open` once every socket is open, `acked` when asked, `done` once all are acknowledged. */
export type FloodReport =
  | { kind: 'open' }
  | { kind: 'acked'; total: number }
  | { kind: 'done'; closes: number[] }
  | { kind: 'error'; message: string };

/** Test to worker: `go` sends every frame at once; `count` asks for the acknowledgements so far. */
export type FloodCommand = { kind: 'go' } | { kind: 'count' } | { kind: 'close' };

const { wsUrl, sockets: n, each, pads } = workerData as FloodSetup;
const port = parentPort!;
const report = (r: FloodReport) => port.postMessage(r);

// Lean sockets, built before the clock: each types its own text, counts its acknowledgements
// and decodes nothing else (applying 6,000 relayed edits would time this thread, not the node).
const frames = Array.from({ length: n }, () => {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(updateFrame(u)));
  for (let i = 0; i < each; i++) doc.getText('content').insert(i, 'x');
  return out;
});
const acked = new Array<number>(n).fill(0);
const closes: number[] = [];
let reported = false;

function checkDone(): void {
  if (reported || !acked.every((a) => a === each)) return;
  reported = true;
  report({ kind: 'done', closes });
}

const sockets = await Promise.all(
  frames.map(
    (_, i) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`${wsUrl}/flood-${i % pads}?padmesh=1`);
        ws.on('message', (data: Buffer) => {
          if (data[0] === 0 || data[0] === 1) return;
          const m = decodeMessage(new Uint8Array(data));
          if (m.type !== 'saved') return;
          acked[i] = m.seq;
          checkDone();
        });
        ws.on('close', (code) => closes.push(code));
        ws.on('open', () => resolve(ws));
        ws.on('error', reject);
      }),
  ),
).catch((err: Error) => {
  report({ kind: 'error', message: err.message });
  return [];
});

port.on('message', (c: FloodCommand) => {
  if (c.kind === 'go') sockets.forEach((ws, i) => frames[i]!.forEach((f) => ws.send(f)));
  else if (c.kind === 'count') report({ kind: 'acked', total: acked.reduce((a, b) => a + b, 0) });
  else {
    for (const ws of sockets) ws.close();
    port.close();
  }
});
if (sockets.length === n) report({ kind: 'open' });
