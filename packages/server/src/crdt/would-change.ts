import * as Y from 'yjs';

/**
 * Whether applying `update` would change `doc`: it holds a struct the doc lacks, or deletes
 * something the doc has not deleted (OW12). A viewer reconnecting with a cached doc answers
 * sync step 1 with everything it has, delete set included; that is all already here, and
 * must not count as an edit. Deletions of items the doc does not know count as a change.
 */
export function wouldChange(doc: Y.Doc, update: Uint8Array): boolean {
  const have = Y.decodeStateVector(Y.encodeStateVector(doc));
  for (const [client, end] of Y.parseUpdateMeta(update).to) if (end > (have.get(client) ?? 0)) return true;
  const { ds } = Y.decodeUpdate(update);
  if (ds.clients.size === 0) return false;
  const deleted = Y.createDeleteSetFromStructStore(doc.store);
  for (const [client, ranges] of ds.clients) {
    const known = have.get(client) ?? 0;
    const mine = deleted.clients.get(client) ?? [];
    for (const r of ranges) {
      if (r.clock + r.len > known) return true;
      if (!covered(mine, r.clock, r.clock + r.len)) return true;
    }
  }
  return false;
}

/** Whether sorted, merged ranges cover [from, to). */
function covered(ranges: readonly { clock: number; len: number }[], from: number, to: number): boolean {
  let at = from;
  for (const r of ranges) {
    if (r.clock > at) break;
    if (r.clock + r.len > at) at = r.clock + r.len;
    if (at >= to) return true;
  }
  return at >= to;
}
