import * as Y from 'yjs';
import { encodeState } from './encode-state.js';
import { checkUpdate } from './update-check.js';

/** A snapshot plus log entries folded into one state, and what failed to decode. */
export interface Folded {
  state: Uint8Array;
  /** The snapshot did not decode (it was left out). */
  badSnapshot: boolean;
  /** Indexes into `updates` of entries that did not decode (left out). */
  badUpdates: number[];
}

/**
 * The CPU-heavy half of a compaction: verifies each entry (R1: it must decode, see
 * update-check.ts), applies the good ones to a fresh doc and encodes the result. Pure, so it
 * can run on the compactor thread or inline.
 */
export function fold(snapshot: Uint8Array | null, updates: readonly Uint8Array[]): Folded {
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
  const doc = new Y.Doc();
  try {
    doc.transact(() => {
      if (snapshot && !badSnapshot) Y.applyUpdate(doc, snapshot);
      updates.forEach((u, i) => (decodes(u) ? Y.applyUpdate(doc, u) : badUpdates.push(i)));
    });
    return { state: encodeState(doc), badSnapshot, badUpdates };
  } finally {
    doc.destroy();
  }
}
