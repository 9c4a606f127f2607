import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { CorruptEntry, Storage, StoredPad } from '../storage/types.js';
import { checkUpdate } from '../crdt/update-check.js';

/** A load whose every returned entry passed its checksum and decodes as a Yjs update. */
export interface VerifiedPad extends StoredPad {
  /** What was found bad on this load (already quarantined when `quarantine` was set). */
  corrupt: CorruptEntry[];
}

export interface VerifyOptions {
  /** Move bad entries aside in storage (R2). False for read-only checks (`padmesh verify`). */
  quarantine: boolean;
  /** Told about each bad entry (log line + metric in the server, a summary line in the CLI). */
  report?: (entry: CorruptEntry) => void;
}

/**
 * Loads a pad and drops from it every entry that fails verification (R1): a checksum
 * mismatch (found by the adapter) or bytes that do not decode as a Yjs update. The pad is
 * then served from everything that verifies (R3); Yjs keeps updates that depended on a
 * dropped one pending, so the text is the last consistent state, and a client still holding
 * the lost edit re-sends it on its next sync.
 *
 * With `quarantine`, bad entries are moved aside *before* this returns, so a compaction
 * that follows (which deletes every log entry through `lastSeq`) can never delete them (R2).
 */
export async function loadVerified(storage: Storage, pad: string, opts: VerifyOptions): Promise<VerifiedPad> {
  const stored = await storage.load(pad);
  const corrupt: CorruptEntry[] = [...(stored.corrupt ?? [])];
  let snapshot = stored.snapshot;
  if (snapshot && !decodes(snapshot)) {
    corrupt.push({ pad, kind: 'snapshot', seq: stored.snapshotSeq ?? -1, reason: 'undecodable' });
    snapshot = null;
  }
  const updates: Uint8Array[] = [];
  const seqs: number[] = [];
  stored.updates.forEach((u, i) => {
    const seq = stored.seqs?.[i] ?? -1;
    if (decodes(u)) {
      updates.push(u);
      seqs.push(seq);
    } else corrupt.push({ pad, kind: 'update', seq, reason: 'undecodable' });
  });
  if (corrupt.length > 0) {
    // An adapter that cannot say where an entry lives (seq -1) can only report it.
    if (opts.quarantine) await storage.quarantine(corrupt.filter((c) => c.seq >= 0));
    for (const c of corrupt) opts.report?.(c);
  }
  return { ...stored, snapshot, updates, seqs, corrupt };
}

function decodes(update: Uint8Array): boolean {
  try {
    checkUpdate(update);
    return true;
  } catch {
    return false;
  }
}

/** The server's reporter: one error line with pad and position, and `padmesh_corrupt_entries_total`. */
export function corruptionReporter(log: Logger, metrics: Metrics): (c: CorruptEntry) => void {
  return (c) => {
    metrics.corruptEntries.inc({ kind: c.kind, reason: c.reason });
    log.error(
      { pad: c.pad, kind: c.kind, seq: c.seq, reason: c.reason },
      'corrupt stored entry quarantined; pad served from its last good state',
    );
  };
}
