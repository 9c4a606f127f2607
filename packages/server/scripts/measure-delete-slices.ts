/**
 * The longest turn a dear delete set costs, applied whole and in slices (`crdt/delete-slices.ts`):
 * the bench's delete-set attack, N copies of one range over a pad of 20,000 one-character
 * structs, and N distinct ranges over the same pad. Run:
 *   node --conditions=source --import tsx packages/server/scripts/measure-delete-slices.ts
 */
import * as Y from 'yjs';
import { DeleteSlicer } from '../src/crdt/delete-slices.js';
import { readUpdateShape, shapeLimits } from '../src/crdt/update-shape.js';
import { deleteRanges, fragmentedText } from '../testing/big-updates.js';

const limits = { ...shapeLimits({ maxUpdateStructs: 200_000, maxUpdateClients: 64 }), maxDeleteRanges: 1e9 };

function pad(): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(fragmentedText(20_000)));
  return doc;
}

function measure(name: string, update: Uint8Array): void {
  const whole = pad();
  let t = performance.now();
  Y.applyUpdate(whole, update);
  const wholeMs = performance.now() - t;
  const sliced = pad();
  const slicer = new DeleteSlicer(null, readUpdateShape(update, limits).deletes);
  let longest = 0;
  let slices = 0;
  while (!slicer.done) {
    t = performance.now();
    Y.applyUpdate(sliced, slicer.next(sliced));
    longest = Math.max(longest, performance.now() - t);
    slices++;
  }
  const same = Buffer.from(Y.encodeStateAsUpdate(whole)).equals(Buffer.from(Y.encodeStateAsUpdate(sliced)));
  console.log(
    `${name}: whole ${wholeMs.toFixed(1)} ms; ${slices} slices, longest ${longest.toFixed(1)} ms; same doc: ${same}`,
  );
}

for (let round = 0; round < 3; round++) {
  measure('600 copies of one range', deleteRanges(5, Array(600).fill([0, 20_000])));
  measure(
    '600 ranges of 2 clocks, apart',
    deleteRanges(
      5,
      Array.from({ length: 600 }, (_, i) => [i * 33, 2] as const),
    ),
  );
}
