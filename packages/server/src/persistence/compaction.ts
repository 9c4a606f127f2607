import { EMPTY_UPDATE } from '../crdt/encode-state.js';
import { inlineFolder, type Folder } from './compactor.js';
import { quarantineAndReport, undecodableEntries } from './integrity.js';
import type { CorruptEntry, Storage } from '../storage/types.js';

export interface Compacted {
  /** Log entries folded into the new snapshot (0: nothing to do). */
  folded: number;
  /** Their bytes plus the old snapshot's, now replaced by `snapshotBytes`. */
  replacedBytes: number;
  snapshotBytes: number;
  /** With `refuseIds`: log entries moved to quarantine for carrying a refused insert (HI13). */
  refused: number;
}

/**
 * Folds a pad's stored log into one snapshot, from storage's own contents so no other
 * writer's entry is lost. Every entry is verified (R1); bad ones (checksum, or bytes that do
 * not decode) are quarantined before the compaction deletes what it covers (R2) and told to
 * `report`. The fold runs on `folder` (the node's compactor thread; inline by default).
 */
export async function compactPad(
  storage: Storage,
  pad: string,
  opts: { report?: (c: CorruptEntry) => void; folder?: Folder; refuseIds?: readonly number[] } = {},
): Promise<Compacted> {
  const refuseIds = opts.refuseIds ?? [];
  const refuse = refuseIds.length > 0;
  // A snapshot is only ever replaced by a newer one (concurrent compactions), and what is
  // refused may be among its pending structs: an empty update gives the rewrite a newer position.
  if (refuse) await storage.append([{ pad, update: EMPTY_UPDATE }]);
  const stored = await storage.load(pad);
  if (stored.updates.length === 0 && stored.corrupt.length === 0)
    return { folded: 0, replacedBytes: 0, snapshotBytes: stored.snapshot?.length ?? 0, refused: 0 };
  const folder = opts.folder ?? inlineFolder;
  const { state, badSnapshot, badUpdates, refused } = await folder.fold(stored.snapshot, stored.updates, { refuseIds });
  const corrupt = [...stored.corrupt, ...undecodableEntries(pad, stored, badSnapshot, badUpdates)];
  // R2: quarantined before the compaction below deletes what they cover.
  await quarantineAndReport(storage, corrupt, { quarantine: true, report: opts.report });
  // Kept aside, like corrupt entries, for whoever looks into the attack; never loaded again.
  if (refused.length > 0)
    await storage.quarantine(refused.map((i) => ({ pad, kind: 'update', seq: stored.seqs[i]!, reason: 'misplaced' })));
  await storage.compact(pad, state, stored.lastSeq);
  const replacedBytes = (stored.snapshot?.length ?? 0) + stored.updates.reduce((n, u) => n + u.length, 0);
  return { folded: stored.updates.length, replacedBytes, snapshotBytes: state.length, refused: refused.length };
}
