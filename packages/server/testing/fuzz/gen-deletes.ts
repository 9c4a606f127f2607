import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { edit, fork, updateFrame, type Frame, type PadView } from './frames.js';
import type { Generator } from './generator.js';

/** MAX_UPDATE_DELETE_RANGES (update-shape.ts), restated: the oracle must not read it from the code under test. */
const MAX_DELETE_RANGES = 100_000;

/**
 * Huge delete sets. Small ones come from a fork deleting every other character (one range
 * each, over every writer's items); large ones are written with Yjs's own v1 encoder: tens
 * of thousands of one-clock ranges over the writers' clocks, partly past what the pad has
 * (those wait in Yjs as a pending delete set, HI3). Past 100,000 ranges: 4415.
 */
export const hugeDeletes: Generator = {
  name: 'huge-deletes',
  make(view: PadView): Frame[] {
    const { rand } = view;
    if (rand.chance(0.5)) {
      const doc = fork(view.base(), rand.clientId());
      const text = doc.getText('content');
      const step = rand.int(2, 4);
      const update = edit(doc, () => {
        for (let i = text.length - 2; i >= 0; i -= step) text.delete(i, 1);
      });
      doc.destroy();
      return [updateFrame(update, 'valid')];
    }
    // Near the cap, over a client the pad does not know (all of it held pending, or refused):
    // over the writers' runs, tens of thousands of ranges each split a struct, and Yjs splits
    // by array splice, quadratic: 100,000 ranges held the node 3-11 s (a known open finding,
    // see SPEC HF6), which would dominate a long round. Over the writers: up to 5,000.
    const near = rand.chance(0.1);
    const ranges = near ? rand.int(MAX_DELETE_RANGES - 20_000, MAX_DELETE_RANGES + 20_000) : rand.size(5_000);
    const clients = near ? [rand.clientId()] : [...view.writers(), rand.clientId()].slice(0, 8);
    const enc = new Y.UpdateEncoderV1();
    encoding.writeVarUint(enc.restEncoder, 0);
    encoding.writeVarUint(enc.restEncoder, clients.length);
    let left = ranges;
    clients.forEach((client, i) => {
      const n = i === clients.length - 1 ? left : rand.int(0, left);
      left -= n;
      encoding.writeVarUint(enc.restEncoder, client);
      encoding.writeVarUint(enc.restEncoder, n);
      // Sorted, disjoint, one clock each with a gap: the most ranges for the fewest clocks.
      for (let r = 0; r < n; r++) {
        enc.writeDsClock(r * 2);
        enc.writeDsLen(1);
      }
    });
    return [updateFrame(enc.toUint8Array(), ranges > MAX_DELETE_RANGES ? 'over' : 'valid')];
  },
};
