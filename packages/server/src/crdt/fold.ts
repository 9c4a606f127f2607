import { foldRefusing } from './fold-refusing.js';
import { checkUpdate } from './update-check.js';

export interface FoldOptions {
  /** Leave out every entry carrying one of these structs (flat client, clock, end clock): fold-refusing.ts. */
  refuseIds?: readonly number[];
  /** False: the state without what waits in Yjs for a dependency (what a joiner is sent, encode-state.ts). */
  withPendingStructs?: boolean;
  /**
   * Every entry is known to decode: a doc applied it, or a fold encoded it (a join state's,
   * room/join-state.ts). Skips R1's check, which decodes every entry in full: a sixth of a
   * fold's time in the throughput bench's profile, spent on the fold's own output.
   */
  verified?: boolean;
}

/** A snapshot plus log entries folded into one state, and what failed to decode. */
export interface Folded {
  state: Uint8Array;
  /** The snapshot did not decode (it was left out). */
  badSnapshot: boolean;
  /** Indexes into `updates` of entries that did not decode (left out). */
  badUpdates: number[];
  /** Entries left out for carrying a refused insert: named in `refuseIds`, or found misplaced by the fold (HI13). */
  refused: number[];
  /** The snapshot's pending structs were left out for the same reason. */
  droppedSnapshotPending: boolean;
}

/**
 * The CPU-heavy half of a compaction: verifies each entry (R1: it must decode, see
 * update-check.ts), applies the good ones to a fresh doc and encodes the result. Pure, so it
 * can run on the compactor thread or inline. What it leaves out for HI13 (named in
 * `refuseIds`, or found placed between non-neighbours as it goes): fold-refusing.ts.
 */
export function fold(snapshot: Uint8Array | null, updates: readonly Uint8Array[], opts: FoldOptions = {}): Folded {
  const decodes = (u: Uint8Array) => {
    if (opts.verified) return true;
    try {
      checkUpdate(u);
      return true;
    } catch {
      return false;
    }
  };
  const badSnapshot = snapshot !== null && !decodes(snapshot);
  const badUpdates: number[] = [];
  const good = updates.map((u, i) => (decodes(u) ? u : (badUpdates.push(i), null)));
  let refuseIds = opts.refuseIds ?? [];
  // HI13 here too: an insert stored as received while it waited (HI3) may meet its dependency
  // first in a fold (another node's compaction, in a cluster), and a snapshot would hold it
  // placed for good. Each one found is left out and the fold done again without it.
  for (let round = 0; ; round++) {
    const out = foldRefusing(badSnapshot ? null : snapshot, good, refuseIds, opts.withPendingStructs ?? true);
    if (!out.misplaced || round === MAX_REFOLDS)
      return {
        state: out.state,
        badSnapshot,
        badUpdates,
        refused: out.refused,
        droppedSnapshotPending: out.droppedSnapshotPending,
      };
    refuseIds = [...refuseIds, ...out.misplaced];
  }
}

/** Folds again at most this many times for misplaced inserts; past it the last fold stands. */
const MAX_REFOLDS = 8;
