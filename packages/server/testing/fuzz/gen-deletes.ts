import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { fork, updateFrame, type Frame, type PadView } from './frames.js';
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
      // Every `step`-th character, written as the delete set a Yjs client deleting them one by
      // one would send (sorted one-clock ranges per writer), without doing the deletes in Yjs:
      // text.delete per character made this generator three quarters of the round's time.
      const doc = fork(view.base(), rand.clientId());
      const step = rand.int(2, 4);
      const byClient = new Map<number, number[]>();
      let pos = 0;
      for (let item = doc.getText('content')._start; item; item = item.right) {
        if (item.deleted || !item.countable) continue;
        let clocks = byClient.get(item.id.client);
        if (!clocks) byClient.set(item.id.client, (clocks = []));
        for (let k = (step - (pos % step)) % step; k < item.length; k += step) clocks.push(item.id.clock + k);
        pos += item.length;
      }
      doc.destroy();
      if (pos < 2) return [updateFrame(dsUpdate(new Map()), 'valid')];
      for (const clocks of byClient.values()) clocks.sort((a, b) => a - b);
      return [updateFrame(dsUpdate(byClient), 'valid')];
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

/** A v1 update of only one-clock delete ranges, per client in the order given. */
function dsUpdate(byClient: Map<number, number[]>): Uint8Array {
  const enc = new Y.UpdateEncoderV1();
  encoding.writeVarUint(enc.restEncoder, 0);
  encoding.writeVarUint(enc.restEncoder, byClient.size);
  for (const [client, clocks] of byClient) {
    encoding.writeVarUint(enc.restEncoder, client);
    encoding.writeVarUint(enc.restEncoder, clocks.length);
    for (const clock of clocks) {
      enc.writeDsClock(clock);
      enc.writeDsLen(1);
    }
  }
  return enc.toUint8Array();
}
