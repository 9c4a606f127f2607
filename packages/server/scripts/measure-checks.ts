// What the hostile-input checks cost per honest update, next to applying it (issue 15's "< 5 %").
import * as Y from 'yjs';
import { readUpdateShape, shapeLimits } from '../src/crdt/update-shape.js';
import { scanCost } from '../src/room/scan-probe.js';

const N = Number(process.env.N ?? 20_000);
const src = new Y.Doc();
const text = src.getText('content');
const updates: Uint8Array[] = [];
src.on('update', (u: Uint8Array) => updates.push(u));
let s = 1;
const tok = (i: number) => `<s${String(i).padStart(6, '0')}>word `;
for (let i = 0; i < 2 * N; i++) {
  s = (s * 1103515245 + 12345) >>> 0;
  text.insert(tok(0).length * (s % (i + 1)), tok(i));
}
const limits = shapeLimits({ maxUpdateStructs: 200_000, maxUpdateClients: 64 });
const base = new Y.Doc();
Y.applyUpdate(base, Y.mergeUpdates(updates.slice(0, N)));
const rest = updates.slice(N);
const time = (label: string, f: (u: Uint8Array) => void) => {
  const t0 = performance.now();
  for (const u of rest) f(u);
  const us = ((performance.now() - t0) * 1000) / rest.length;
  console.log(label.padEnd(24), us.toFixed(2), 'µs/update');
};
for (let round = 0; round < 3; round++) {
  console.log('round', round);
  const shapes = rest.map((u) => readUpdateShape(u, limits));
  time('readUpdateShape', (u) => readUpdateShape(u, limits));
  let i = 0;
  time('scanCost', () => void scanCost(base, shapes[i++]!.anchors, 25_000));
  time('Y.decodeUpdate', (u) => Y.decodeUpdate(u));
  const d = new Y.Doc();
  Y.applyUpdate(d, Y.encodeStateAsUpdate(base));
  time('Y.applyUpdate', (u) => Y.applyUpdate(d, u));
}
