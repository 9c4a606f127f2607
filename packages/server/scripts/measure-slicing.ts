// CPU time of a max-cap update on the event loop, phase by phase (HS1-HS4). Run (from the repo root):
//   node --conditions=source --import tsx packages/server/scripts/measure-slicing.ts
import * as Y from 'yjs';
import { checkUpdate } from '../src/crdt/update-check.js';
import { readUpdateShape, shapeSteps, shapeLimits } from '../src/crdt/update-shape.js';
import { scanCost } from '../src/room/scan-probe.js';
import { baseText, mapKeys, scatteredInserts } from '../testing/big-updates.js';

const limits = shapeLimits({ maxUpdateStructs: 200_000, maxUpdateClients: 64 });

function cpu<T>(fn: () => T): [T, number] {
  const t = process.cpuUsage();
  const r = fn();
  const d = process.cpuUsage(t);
  return [r, (d.user + d.system) / 1000];
}

function measure(name: string, base: Y.Doc | null, update: Uint8Array): void {
  const [shape, shapeMs] = cpu(() => readUpdateShape(update, limits));
  let longestStep = 0;
  const [, recordMs] = cpu(() => {
    const steps = shapeSteps(update, limits, true);
    for (;;) {
      const t = process.cpuUsage();
      const r = steps.next();
      const d = process.cpuUsage(t);
      longestStep = Math.max(longestStep, (d.user + d.system) / 1000);
      if (r.done) return r.value;
    }
  });
  const [, checkMs] = cpu(() => checkUpdate(update));
  const doc = new Y.Doc();
  if (base) Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
  const [steps, scanMs] = cpu(() => scanCost(doc, shape.anchors, 1e9));
  const [, applyMs] = cpu(() => Y.applyUpdate(doc, update));
  const f = (n: number) => n.toFixed(0);
  console.log(
    `${name}: ${update.length} B, ${shape.structs} structs, ${shape.clients.size} clients, ${shape.anchors.length} anchors; ` +
      `CPU ms: shape ${f(shapeMs)} (recording ${f(recordMs)}, longest step ${f(longestStep)}), checkUpdate ${f(checkMs)}, ` +
      `scan ${f(scanMs)} (${steps} steps), Y.applyUpdate ${f(applyMs)}`,
  );
}

const base = baseText(10_000);
const scattered = scatteredInserts(base, 199_000, 64, 1);
const map = mapKeys(199_999);
for (let i = 0; i < 3; i++) {
  measure('scattered', base, scattered);
  measure('map', null, map);
}
