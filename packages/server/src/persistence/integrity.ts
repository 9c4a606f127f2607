import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { CorruptEntry, Storage, StoredPad } from '../storage/types.js';
import { readKeystroke } from '../crdt/keystroke-runs.js';
import { checkUpdate } from '../crdt/update-check.js';
import type * as Y from 'yjs';
import {
  applyStoredInTurns,
  isBigEntry,
  passesCheckUpdate,
  readShapeInTurns,
  StoredApplier,
  Turns,
  type Undecodable,
} from './load-in-turns.js';

/**
 * A load whose every returned entry passed its checksum and decodes as a Yjs update;
 * `corrupt` lists what was found bad on this load (already quarantined when asked to).
 */
export type VerifiedPad = StoredPad;

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
 * the lost edit re-sends it on its next sync. `stored-doc.ts` turns the result into a doc.
 *
 * With `quarantine`, bad entries are moved aside *before* this returns, so a compaction
 * that follows (which deletes every log entry through `lastSeq`) can never delete them (R2).
 */
export async function loadVerified(storage: Storage, pad: string, opts: VerifyOptions): Promise<VerifiedPad> {
  const stored = await storage.load(pad);
  // Checked across event-loop turns: decoding a pad at the caps took 1.2 s of one (HS4).
  const turns = new Turns();
  const badSnapshot = stored.snapshot !== null && !(await decodes(stored.snapshot, turns));
  const badUpdates = await undecodableIndexes(stored.updates, turns);
  return leaveOut(storage, pad, stored, { snapshot: badSnapshot, updates: badUpdates }, opts);
}

/**
 * `loadVerified`, then `applyStoredInTurns` into `doc`, in one pass: the apply is the decode
 * check (it applies only what decodes), so a room's load reads each entry once; and where the
 * storage streams (`loadInBatches`), each batch is applied while the next is read. Bad entries
 * are quarantined before this returns, as `loadVerified` does, and before the room exists
 * that could compact them away (R2).
 */
export async function loadVerifiedInto(
  doc: Y.Doc,
  storage: Storage,
  pad: string,
  opts: VerifyOptions,
): Promise<VerifiedPad> {
  if (!storage.loadInBatches) {
    const stored = await storage.load(pad);
    return leaveOut(storage, pad, stored, await applyStoredInTurns(doc, stored), opts);
  }
  const applier = new StoredApplier(doc);
  let stored: StoredPad;
  try {
    stored = await storage.loadInBatches(pad, applier);
  } catch (err) {
    await applier.done().catch(() => {});
    throw err;
  }
  return leaveOut(storage, pad, stored, await applier.done(), opts);
}

/** `stored` without the entries that did not decode, which are quarantined and reported first. */
async function leaveOut(
  storage: Storage,
  pad: string,
  stored: StoredPad,
  bad: Undecodable,
  opts: VerifyOptions,
): Promise<VerifiedPad> {
  const corrupt = [...stored.corrupt, ...undecodableEntries(pad, stored, bad.snapshot, bad.updates)];
  await quarantineAndReport(storage, corrupt, opts);
  if (!bad.snapshot && bad.updates.length === 0) return { ...stored, corrupt };
  const left = new Set(bad.updates);
  return {
    ...stored,
    snapshot: bad.snapshot ? null : stored.snapshot,
    updates: stored.updates.filter((_, i) => !left.has(i)),
    seqs: stored.seqs.filter((_, i) => !left.has(i)),
    corrupt,
  };
}

/**
 * Where the entries a decode check refused live (`badUpdates` index `stored.updates`), as
 * corrupt entries that can be quarantined. Shared by loads (above) and compaction folds.
 */
export function undecodableEntries(
  pad: string,
  stored: StoredPad,
  badSnapshot: boolean,
  badUpdates: readonly number[],
): CorruptEntry[] {
  const out: CorruptEntry[] = [];
  if (badSnapshot) {
    if (stored.snapshotSeq === null) throw new Error(`storage returned a snapshot of ${pad} without its position`);
    out.push({ pad, kind: 'snapshot', seq: stored.snapshotSeq, reason: 'undecodable' });
  }
  for (const i of badUpdates) out.push({ pad, kind: 'update', seq: stored.seqs[i]!, reason: 'undecodable' });
  return out;
}

/**
 * The one place bad entries go (R2): moved aside in storage first when `quarantine` is set
 * (so nothing that compacts afterwards can delete them), then each told to `report`.
 */
export async function quarantineAndReport(
  storage: Storage,
  corrupt: readonly CorruptEntry[],
  opts: VerifyOptions,
): Promise<void> {
  if (corrupt.length === 0) return;
  if (opts.quarantine) await storage.quarantine(corrupt);
  for (const c of corrupt) opts.report?.(c);
}

/**
 * Indexes of the entries that do not decode. Small entries are checked in a plain loop until
 * the turn is spent (an `await` per entry cost more than the check itself on a 100,000-entry log).
 */
async function undecodableIndexes(updates: readonly Uint8Array[], turns: Turns): Promise<number[]> {
  const bad: number[] = [];
  let i = 0;
  while (i < updates.length) {
    if (isBigEntry(updates[i]!)) {
      if (!(await decodes(updates[i]!, turns))) bad.push(i);
      i++;
      continue;
    }
    do {
      if (!smallDecodes(updates[i]!)) bad.push(i);
      i++;
    } while (i < updates.length && !isBigEntry(updates[i]!) && !turns.spent);
    await turns.maybeYield();
  }
  return bad;
}

function smallDecodes(update: Uint8Array): boolean {
  // A keystroke (most of a long log) is read without Yjs: ~0.2 µs, against ~1.2 µs for
  // `checkUpdate`'s Y.decodeUpdate. It accepts only what `checkUpdate` accepts.
  return readKeystroke(update) !== null || passesCheckUpdate(update);
}

async function decodes(update: Uint8Array, turns: Turns): Promise<boolean> {
  try {
    if (isBigEntry(update)) await readShapeInTurns(update, turns);
    else {
      checkUpdate(update);
      await turns.maybeYield();
    }
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
