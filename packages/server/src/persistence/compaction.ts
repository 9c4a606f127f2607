import { inlineFolder, type Folder } from './compactor.js';
import { quarantineAndReport, undecodableEntries } from './integrity.js';
import type { CorruptEntry, Storage } from '../storage/types.js';

export interface Compacted {
  /** Log entries folded into the new snapshot (0: nothing to do). */
  folded: number;
  /** Their bytes plus the old snapshot's, now replaced by `snapshotBytes`. */
  replacedBytes: number;
  snapshotBytes: number;
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
  opts: { report?: (c: CorruptEntry) => void; folder?: Folder } = {},
): Promise<Compacted> {
  const stored = await storage.load(pad);
  if (stored.updates.length === 0 && stored.corrupt.length === 0)
    return { folded: 0, replacedBytes: 0, snapshotBytes: stored.snapshot?.length ?? 0 };
  const { state, badSnapshot, badUpdates } = await (opts.folder ?? inlineFolder).fold(stored.snapshot, stored.updates);
  const corrupt = [...stored.corrupt, ...undecodableEntries(pad, stored, badSnapshot, badUpdates)];
  // R2: quarantined before the compaction below deletes what they cover.
  await quarantineAndReport(storage, corrupt, { quarantine: true, report: opts.report });
  await storage.compact(pad, state, stored.lastSeq);
  const replacedBytes = (stored.snapshot?.length ?? 0) + stored.updates.reduce((n, u) => n + u.length, 0);
  return { folded: stored.updates.length, replacedBytes, snapshotBytes: state.length };
}
