import * as Y from 'yjs';
import { encodeState } from './encode-state.js';

/** A fold that left out what carried refused inserts (HI13). */
export interface RefusingFold {
  state: Uint8Array;
  /** Indexes of the entries left out. */
  refused: number[];
  /** The snapshot's pending structs were left out (they held one). */
  droppedSnapshotPending: boolean;
}

/**
 * Folds a pad's verified entries as `fold` does, leaving out every entry that carries one of
 * the structs `ids` names (flat client, clock, end clock, ...). The room runs it after it found,
 * live, an insert that had waited in Yjs for a dependency land between non-neighbours: that
 * insert's message is stored as it was received (HI3), so every later load would hold it
 * again, and whoever sends the dependency would be refused on every attempt. The live
 * transaction that placed it was discarded, so storage never holds it placed; it holds it
 * raw, or, once a compaction folded it, among the snapshot's pending structs. Those were
 * never integrated, so never acknowledged (P2), and are left out whole when they hold one.
 * An entry is matched by its clock range per client (`Y.parseUpdateMeta`), which may
 * over-match a skipped gap: only entries of the refused sender's client ids can match.
 */
export function foldRefusing(
  snapshot: Uint8Array | null,
  updates: readonly (Uint8Array | null)[],
  ids: readonly number[],
): RefusingFold {
  const refused: number[] = [];
  let droppedSnapshotPending = false;
  const doc = new Y.Doc();
  try {
    doc.transact(() => {
      if (snapshot) {
        Y.applyUpdate(doc, snapshot);
        const pending = doc.store.pendingStructs;
        if (pending && carries(Y.parseUpdateMetaV2(pending.update), ids)) {
          doc.store.pendingStructs = null;
          droppedSnapshotPending = true;
        }
      }
      updates.forEach((u, i) => {
        if (!u) return;
        if (carries(Y.parseUpdateMeta(u), ids)) refused.push(i);
        else Y.applyUpdate(doc, u);
      });
    });
    return { state: encodeState(doc), refused, droppedSnapshotPending };
  } finally {
    doc.destroy();
  }
}

function carries(meta: { from: Map<number, number>; to: Map<number, number> }, ids: readonly number[]): boolean {
  for (let i = 0; i < ids.length; i += 3) {
    const from = meta.from.get(ids[i]!);
    if (from !== undefined && from < ids[i + 2]! && ids[i + 1]! < meta.to.get(ids[i]!)!) return true;
  }
  return false;
}
