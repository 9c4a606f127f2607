import { compactPad } from './compaction.js';
import type { Folder } from './compactor.js';
import { corruptionReporter } from './integrity.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Storage } from '../storage/types.js';

export interface RecoveryOptions {
  /** Pads with at least this many log entries past their snapshot get compacted. */
  minEntries: number;
  /** Upper bound on pads handled per start (bounded work); 0 turns the pass off. */
  maxPads: number;
  log: Logger;
  metrics: Metrics;
  /** Checked between pads so a shutdown is not held up by the pass. */
  stopped: () => boolean;
  /** Where folds run (the node's compactor thread); inline when absent. */
  folder?: Folder;
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
      const done = await compactPad(storage, pad, {
        folder: opts.folder,
        report: (c) => {
          result.corrupt++;
          report(c);
        },
      });
      result.pads++;
      result.entries += done.folded;
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
