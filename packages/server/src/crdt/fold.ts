import * as Y from 'yjs';
import { encodeState } from './encode-state.js';
import { foldRefusing } from './fold-refusing.js';
import { checkUpdate } from './update-check.js';

export interface FoldOptions {
  /** Leave out every entry carrying one of these structs (flat client, clock, end clock): fold-refusing.ts. */
  refuseIds?: readonly number[];
  /** False: the state without what waits in Yjs for a dependency (what a joiner is sent, encode-state.ts). */
  withPendingStructs?: boolean;
}

/** A snapshot plus log entries folded into one state, and what failed to decode. */
export interface Folded {
  state: Uint8Array;
  /** The snapshot did not decode (it was left out). */
  badSnapshot: boolean;
  /** Indexes into `updates` of entries that did not decode (left out). */
  badUpdates: number[];
  /** With `refuseIds`: entries left out for carrying a refused insert (HI13). */
  refused: number[];
  /** With `refuseIds`: the snapshot's pending structs were left out for the same reason. */
  droppedSnapshotPending: boolean;
}

/**
 * The CPU-heavy half of a compaction: verifies each entry (R1: it must decode, see
 * update-check.ts), applies the good ones to a fresh doc and encodes the result. Pure, so it
 * can run on the compactor thread or inline. With `refuseIds`, see fold-refusing.ts.
 */
export function fold(snapshot: Uint8Array | null, updates: readonly Uint8Array[], opts: FoldOptions = {}): Folded {
  const refuseIds = opts.refuseIds ?? [];
  const decodes = (u: Uint8Array) => {
    try {
      checkUpdate(u);
      return true;
    } catch {
      return false;
    }
  };
  const badSnapshot = snapshot !== null && !decodes(snapshot);
  const badUpdates: number[] = [];
  if (refuseIds.length > 0) {
    const good = updates.map((u, i) => (decodes(u) ? u : (badUpdates.push(i), null)));
    const out = foldRefusing(badSnapshot ? null : snapshot, good, refuseIds);
    return { ...out, badSnapshot, badUpdates };
  }
  const doc = new Y.Doc();
  try {
    doc.transact(() => {
      if (snapshot && !badSnapshot) Y.applyUpdate(doc, snapshot);
      updates.forEach((u, i) => (decodes(u) ? Y.applyUpdate(doc, u) : badUpdates.push(i)));
    });
    const state = encodeState(doc, undefined, opts.withPendingStructs ?? true);
    return { state, badSnapshot, badUpdates, refused: [], droppedSnapshotPending: false };
  } finally {
    doc.destroy();
  }
}
