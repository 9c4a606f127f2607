import * as Y from 'yjs';
import { corruptionReporter, loadVerified } from './integrity.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { Storage } from './storage/types.js';

export interface RecoveryOptions {
  /** Pads with at least this many log entries past their snapshot get compacted. */
  minEntries: number;
  /** Upper bound on pads handled per start (bounded work); 0 turns the pass off. */
  maxPads: number;
  log: Logger;
  metrics: Metrics;
  /** Checked between pads so a shutdown is not held up by the pass. */
  stopped: () => boolean;
}

export interface RecoveryResult {
  pads: number;
  entries: number;
  corrupt: number;
  failed: number;
}

/**
 * Start-up recovery (R4). A node killed mid-session leaves pads whose log grew past the
 * last snapshot (the compaction that would have run at unload never ran). This pass finds
 * them, verifies every entry (quarantining bad ones, R1/R2) and folds the log into a fresh
 * snapshot, one pad at a time, largest backlog first, yielding between pads. It runs in the
 * background after the node is listening: readiness never waits for it, and a pad a client
 * opens meanwhile loads (and verifies) on its own. Concurrent compactions of one pad are safe
 * (storage contract S5, S10).
 */
export async function recoverBacklog(storage: Storage, opts: RecoveryOptions): Promise<RecoveryResult> {
  const result: RecoveryResult = { pads: 0, entries: 0, corrupt: 0, failed: 0 };
  if (opts.maxPads <= 0) return result;
  const started = Date.now();
  const backlog = (await storage.backlog(opts.minEntries)).sort((a, b) => b.entries - a.entries).slice(0, opts.maxPads);
  const report = corruptionReporter(opts.log, opts.metrics);
  for (const { pad } of backlog) {
    if (opts.stopped()) break;
    try {
      const done = await compactPad(storage, pad, (c) => {
        result.corrupt++;
        report(c);
      });
      result.pads++;
      result.entries += done;
      opts.metrics.recoveryCompactions.inc();
    } catch (err) {
      result.failed++;
      opts.log.warn({ err, pad }, 'start-up compaction failed; the pad compacts when next used');
    }
    await new Promise((r) => setImmediate(r));
  }
  if (backlog.length > 0) opts.log.info({ ...result, ms: Date.now() - started }, 'start-up recovery finished');
  return result;
}

/** Verifies a pad's stored entries and folds them into one snapshot; returns the entries folded. */
export async function compactPad(storage: Storage, pad: string, report?: Parameters<typeof loadVerified>[2]['report']): Promise<number> {
  const stored = await loadVerified(storage, pad, { quarantine: true, report });
  if (stored.updates.length === 0 && stored.corrupt.length === 0) return 0;
  const doc = new Y.Doc();
  try {
    doc.transact(() => {
      if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
      for (const u of stored.updates) Y.applyUpdate(doc, u);
    });
    await storage.compact(pad, Y.encodeStateAsUpdate(doc), stored.lastSeq);
  } finally {
    doc.destroy();
  }
  return stored.updates.length;
}
