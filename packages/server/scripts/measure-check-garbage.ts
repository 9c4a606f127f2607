// Heap bytes allocated, and time, per honest update by the checks that run before Yjs applies
// it (read its shape, admit it to the pad), next to applying it: the garbage half of issue 15's
// "checks cost < 5 %". `node --conditions=source --import tsx scripts/measure-check-garbage.ts`
import { Session } from 'node:inspector';
import * as Y from 'yjs';
import { readUpdateShape, shapeLimits } from '../src/crdt/update-shape.js';
import { TokenBucket } from '../src/limits.js';
import { PadShape } from '../src/room/pad-shape.js';

const N = Number(process.env.N ?? 20_000);
const src = new Y.Doc();
const updates: Uint8Array[] = [];
src.on('update', (u: Uint8Array) => updates.push(u));
const text = src.getText('content');
let s = 1;
// The bench's throughput load: a token at a random place between tokens.
for (let i = 0; i < 2 * N; i++) {
  s = (s * 1103515245 + 12345) >>> 0;
  text.insert(15 * (s % (i + 1)), `<s${String(i).padStart(6, '0')}>word `);
}
const limits = shapeLimits({ maxUpdateStructs: 200_000, maxUpdateClients: 256 });

interface ProfileNode {
  selfSize: number;
  children: ProfileNode[];
}
const allocated = (n: ProfileNode): number => n.selfSize + n.children.reduce((a, c) => a + allocated(c), 0);
const session = new Session();
session.connect();
const post = <T>(method: string, params: object = {}) =>
  new Promise<T>((res, rej) => session.post(method, params, (err, v) => (err ? rej(err) : res(v as T))));
await post('HeapProfiler.enable');

type Step = 'read' | 'read+admit' | 'apply';
async function measure(step: Step, sampled: boolean): Promise<number> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.mergeUpdates(updates.slice(0, N)));
  const pad = new PadShape(doc, { maxPadStructs: 10_000_000, maxPadClients: 10_000, maxPendingBytes: 1 << 30 });
  const scans = new TokenBucket(1e15, 1e15);
  if (sampled)
    // Objects collected young count too: they are the garbage being measured.
    await post('HeapProfiler.startSampling', {
      samplingInterval: 256,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  const t0 = performance.now();
  for (let i = N; i < 2 * N; i++) {
    const u = updates[i]!;
    if (step === 'apply') Y.applyUpdate(doc, u);
    else {
      const shape = readUpdateShape(u, limits, true);
      if (step === 'read+admit') {
        pad.admit(shape, u.length, scans);
        pad.settled();
      }
    }
  }
  const us = ((performance.now() - t0) * 1000) / N;
  if (!sampled) return us;
  const { profile } = await post<{ profile: { head: ProfileNode } }>('HeapProfiler.stopSampling');
  return allocated(profile.head) / N;
}

for (const step of ['read', 'read+admit', 'apply'] as const) {
  const us = [0, 1, 2].map(() => 0);
  for (let r = 0; r < 3; r++) us[r] = await measure(step, false);
  const bytes = await measure(step, true);
  console.log(
    step.padEnd(12),
    `${Math.round(bytes)} bytes/update`.padEnd(20),
    `${us.sort((a, b) => a - b)[1]!.toFixed(2)} µs/update (median of 3)`,
  );
}
