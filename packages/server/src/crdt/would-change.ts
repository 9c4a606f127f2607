import * as Y from 'yjs';
import type { UpdateShape } from './update-shape.js';

/**
 * Whether applying an update (read as `shape`) would change `doc`: it holds a struct the doc
 * lacks, or deletes something the doc has not deleted (OW12). A viewer reconnecting with a
 * cached doc answers sync step 1 with everything it has, delete set included; that is all
 * already here, and must not count as an edit. Deletions of items the doc does not know count
 * as a change.
 *
 * Each delete range is looked up in the client's structs (a binary search, then the structs it
 * spans), counted in `visits`; past `maxVisits` it stops and says "change", which a read-only
 * connection is refused for. It used to build the pad's whole delete set for every message
 * (O(structs) each): a viewer repeating one known deletion cost the node that for each frame.
 */
export function wouldChange(
  doc: Y.Doc,
  shape: Pick<UpdateShape, 'ranges' | 'deletes'>,
  maxVisits = Number.POSITIVE_INFINITY,
): { change: boolean; visits: number } {
  const store = doc.store;
  for (const [client, r] of shape.ranges) if (r.end > Y.getState(store, client)) return { change: true, visits: 0 };
  const d = shape.deletes;
  let visits = 0;
  for (let i = 0; i < d.length; i += 3) {
    const client = d[i]!;
    const clock = d[i + 1]!;
    const end = clock + d[i + 2]!;
    if (end > Y.getState(store, client)) return { change: true, visits };
    const structs = store.clients.get(client)!;
    for (let k = Y.findIndexSS(structs, clock); k < structs.length && structs[k]!.id.clock < end; k++) {
      if (++visits > maxVisits || !structs[k]!.deleted) return { change: true, visits };
    }
  }
  return { change: false, visits };
}
