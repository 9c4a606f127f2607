/**
 * What the HI1 scan budget charges for the hostile bench's contested-insert frames against
 * what applying them costs, in one process (no socket, no other load):
 * frame k = 64 client ids × 4 inserts at the spot the k-1 frames before it crowd.
 * Run: node --import tsx packages/server/scripts/measure-scan.ts [frames]
 */
import * as Y from 'yjs';
import { readUpdateShape, shapeLimits } from '../src/crdt/update-shape.js';
import { scanCost } from '../src/room/scan-probe.js';
import { concurrentInserts } from '../testing/hostile-frames.js';

const frames = Number(process.argv[2] ?? 8);
const doc = new Y.Doc();
doc.getText('content').insert(0, 'abc');
const base = Y.encodeStateAsUpdate(doc);
const limits = shapeLimits({ maxUpdateStructs: 200_000, maxUpdateClients: 64 });
console.log('frame  charged_steps  apply_ms  us_per_charged_step');
for (let k = 0; k < frames; k++) {
  const update = concurrentInserts(base, 64, 1, 4, 2_000_000 + 64 * k);
  const charged = scanCost(doc, readUpdateShape(update, limits).anchors, Number.MAX_SAFE_INTEGER);
  const t = performance.now();
  Y.applyUpdate(doc, update);
  const ms = performance.now() - t;
  console.log(`${k + 1}  ${charged}  ${ms.toFixed(0)}  ${((ms * 1000) / charged).toFixed(2)}`);
}
// An honest keystroke at the end and in the middle of the crowded text.
for (const at of [doc.getText('content').length, 1]) {
  const sv = Y.encodeStateVector(doc);
  const typist = new Y.Doc();
  Y.applyUpdate(typist, Y.encodeStateAsUpdate(doc));
  typist.getText('content').insert(at, 'k');
  const key = Y.encodeStateAsUpdate(typist, sv);
  console.log(`keystroke at ${at}: charged ${scanCost(doc, readUpdateShape(key, limits).anchors, 1e9)}`);
}
