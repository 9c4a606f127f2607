// What a delete set costs Yjs to apply against what `deleteCost` charges for it (HI1), in process:
//   node --conditions=source --import tsx packages/server/scripts/measure-deletes.ts
import * as Y from 'yjs';
import { baseText, deleteRanges, fragmentedText } from '../testing/big-updates.js';
import { readUpdateShape, shapeLimits } from '../src/crdt/update-shape.js';
import { deleteCost } from '../src/room/scan-probe.js';

const cases: [string, () => Y.Doc, (doc: Y.Doc) => Uint8Array][] = [
  [
    '10,000 copies of one range over 20,000 structs',
    () => fragmentedText(20_000),
    () => deleteRanges(5, Array(10_000).fill([0, 20_000])),
  ],
  [
    '1,000 copies of one range over 20,000 structs',
    () => fragmentedText(20_000),
    () => deleteRanges(5, Array(1_000).fill([0, 20_000])),
  ],
  [
    '100,000 one-clock ranges over one run of 200,000',
    () => baseText(200_000, 5),
    () =>
      deleteRanges(
        5,
        Array.from({ length: 100_000 }, (_, i) => [2 * i, 1]),
      ),
  ],
  [
    '100,000 one-clock ranges over one run of 200,000, descending',
    () => baseText(200_000, 5),
    () =>
      deleteRanges(
        5,
        Array.from({ length: 100_000 }, (_, i) => [200_000 - 2 * (i + 1), 1]),
      ),
  ],
  [
    '20,000 one-clock ranges over one run of 200,000, descending',
    () => baseText(200_000, 5),
    () =>
      deleteRanges(
        5,
        Array.from({ length: 20_000 }, (_, i) => [200_000 - 10 * (i + 1), 1]),
      ),
  ],
  [
    '10,000 one-clock ranges over one run of 200,000',
    () => baseText(200_000, 5),
    () =>
      deleteRanges(
        5,
        Array.from({ length: 10_000 }, (_, i) => [20 * i, 1]),
      ),
  ],
  [
    'honest: delete all of 200,000 structs, one range',
    () => fragmentedText(200_000),
    () => deleteRanges(5, [[0, 200_000]]),
  ],
  [
    'honest: 3,000 word deletes over one run',
    () => baseText(200_000, 5),
    () =>
      deleteRanges(
        5,
        Array.from({ length: 3_000 }, (_, i) => [60 * i, 5]),
      ),
  ],
];
console.log('case | steps charged | apply ms');
for (const [name, doc, mk] of cases) {
  const d = doc();
  const update = mk(d);
  const steps = deleteCost(
    d,
    readUpdateShape(update, shapeLimits({ maxUpdateStructs: 200_000, maxUpdateClients: 64 })).deletes,
    Infinity,
  );
  const t0 = performance.now();
  Y.applyUpdate(d, update);
  console.log(`${name} | ${steps.toLocaleString('en')} | ${(performance.now() - t0).toFixed(0)}`);
}
