import * as Y from 'yjs';
import { encodeState } from './encode-state.js';
import { PlacedCheck } from './placed-check.js';
import { Unplaced, UnplacedRefused } from './unplaced.js';

/** A fold that left out what carried refused inserts (HI13). */
export interface RefusingFold {
  state: Uint8Array;
  /** Indexes of the entries left out. */
  refused: number[];
  /** The snapshot's pending structs were left out (they held one). */
  droppedSnapshotPending: boolean;
  /**
   * An insert that had waited for a dependency landed between non-neighbours in this fold
   * (HI13): the structs at its position, to fold again without; null if none did.
   */
  misplaced: readonly number[] | null;
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
  withPendingStructs = true,
): RefusingFold {
  const refused: number[] = [];
  let droppedSnapshotPending = false;
  let misplaced: readonly number[] | null = null;
  const doc = new Y.Doc();
  // What waits in Yjs is checked where it lands, as the room checks it live.
  const waiting = new Unplaced<null>();
  const placeWaiting = () => {
    if (waiting.count === 0 || misplaced) return;
    try {
      waiting.check(doc);
    } catch (err) {
      if (!(err instanceof UnplacedRefused)) throw err;
      misplaced = err.refusal.ids;
    }
  };
  try {
    doc.transact(() => {
      if (snapshot) {
        Y.applyUpdate(doc, snapshot);
        const pending = doc.store.pendingStructs;
        if (pending && carries(Y.parseUpdateMetaV2(pending.update), ids)) {
          doc.store.pendingStructs = null;
          droppedSnapshotPending = true;
        }
        // Unreadable, it folds unchecked, as a load does (room.ts): a pad that cannot fold would be worse.
        waiting.addPendingOf(doc, null);
      }
      updates.forEach((u, i) => {
        if (!u) return;
        if (carries(Y.parseUpdateMeta(u), ids)) return refused.push(i);
        const before = doc.store.pendingStructs;
        const beforeUpdate = before?.update;
        Y.applyUpdate(doc, u);
        // Yjs replaces its pending structs when some of them integrate, and their update when
        // more wait (in place, same object): neither, and nothing waiting was placed nor added.
        // Checking only then spares a log of 100,000 keystrokes past thousands of waiting inserts.
        const now = doc.store.pendingStructs;
        if (now === before && now?.update === beforeUpdate) return;
        placeWaiting();
        if (doc.store.pendingStructs && !misplaced) waiting.add(PlacedCheck.ofUpdate(u, doc), null);
      });
    });
    return { state: encodeState(doc, undefined, withPendingStructs), refused, droppedSnapshotPending, misplaced };
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
