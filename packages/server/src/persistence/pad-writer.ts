import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Storage } from '../storage/types.js';
import { compactPad } from './compaction.js';
import type { Folder } from './compactor.js';
import { corruptionReporter } from './integrity.js';
import type { WriteBatcher } from './write-batcher.js';

/**
 * See maybeCompact: how far past COMPACT_EVERY a large pad's log may grow (8,000 entries at the
 * default, as when COMPACT_EVERY was 500 and this 16: a cold load of them takes ~15 ms).
 */
const COMPACT_EVERY_MAX_FACTOR = 4;
/** On unload, a pad with at least this many unfolded entries (or COMPACT_EVERY, if lower) is compacted. */
const COMPACT_ON_CLOSE_MIN_ENTRIES = 50;

export interface PadWriterDeps {
  storage: Storage;
  batcher: WriteBatcher;
  log: Logger;
  metrics: Metrics;
  compactEvery: number;
  /** Where compactions fold the log (the node's compactor thread); inline when absent. */
  folder?: Folder;
}

/** What the pad's last load found in storage: the starting point of the accounting. */
export interface StoredSize {
  snapshotBytes: number;
  logEntries: number;
  logBytes: number;
}

/**
 * One pad's write path: appends every update through the node's group commit, keeps the
 * durability watermark acknowledgements wait on (D1), accounts the pad's stored bytes (the
 * pad-size limit), and paces compaction of its log into snapshots.
 */
export class PadWriter {
  /** Settles after every update appended so far has been committed, in order. */
  private lastWrite: Promise<void> = Promise.resolve();
  private sinceCompact: number;
  /** Bytes of the stored snapshot, as of the last load or compaction (compaction pacing). */
  private snapshotBytes: number;
  /** Stored bytes for this pad, approximately. */
  private bytes: number;
  private compacting = false;
  /** The compaction in flight, if any: a refusing one (below) must not race an older fold. */
  private folding: Promise<unknown> = Promise.resolve();
  /** The pad was deleted: append, compaction and close write nothing more. */
  private discarded = false;

  constructor(
    private readonly pad: string,
    private readonly deps: PadWriterDeps,
    stored: StoredSize,
  ) {
    this.snapshotBytes = stored.snapshotBytes;
    this.sinceCompact = stored.logEntries;
    this.bytes = stored.snapshotBytes + stored.logBytes;
  }

  /** Approximate bytes this pad holds in storage. */
  get storedBytes(): number {
    return this.bytes;
  }

  /** Queues `update` for the next group commit; `durable()` covers it from now on. */
  append(update: Uint8Array): void {
    if (this.discarded) return;
    this.bytes += update.length;
    this.sinceCompact++;
    this.lastWrite = this.deps.batcher.append({ pad: this.pad, update });
    this.maybeCompact();
  }

  /** Resolves once everything appended so far is committed. */
  durable(): Promise<void> {
    return this.lastWrite;
  }

  /**
   * Folds the stored log into a snapshot, from storage's own contents so no other writer's
   * entry is lost. A fold re-applies the snapshot too, so on a large pad it waits until the
   * log holds as many bytes as the snapshot: the cost stays proportional to the edits
   * (bench: 8 busy pads lost 40 % of their throughput to folds every 500 entries). A small
   * pad folds every COMPACT_EVERY (2,000) entries: each fold has a fixed cost (a load, a trip
   * to the compactor thread, a snapshot write), and at 500 the typing bench spent 12 % of the
   * node's CPU more per update (54.8 against 48.3 CPU-ms per 1,000 delivered). The log
   * never grows past COMPACT_EVERY_MAX_FACTOR × COMPACT_EVERY entries, which bounds load time.
   */
  maybeCompact(): void {
    const every = this.deps.compactEvery;
    if (this.compacting || this.sinceCompact < every) return;
    const logBytes = this.bytes - this.snapshotBytes;
    if (logBytes < this.snapshotBytes && this.sinceCompact < every * COMPACT_EVERY_MAX_FACTOR) return;
    this.compacting = true;
    void this.compact().finally(() => (this.compacting = false));
  }

  compact(): Promise<number> {
    return (this.folding = this.fold([]));
  }

  /**
   * Compacts without the structs `ids` names (flat client, clock, end clock), moving each log
   * entry that carries one to quarantine (`crdt/fold-refusing.ts`): the room refused them live,
   * inserts stored as received while they waited for a dependency (HI13). Resolves to how many.
   */
  async refuseStored(ids: readonly number[]): Promise<number> {
    await this.folding;
    return (this.folding = this.fold(ids));
  }

  private async fold(refuseIds: readonly number[]): Promise<number> {
    await this.lastWrite;
    if (this.discarded) return 0;
    try {
      // Verified (R2): a bad entry is quarantined before the compaction deletes what it covers.
      const done = await compactPad(this.deps.storage, this.pad, {
        report: corruptionReporter(this.deps.log, this.deps.metrics),
        folder: this.deps.folder,
        refuseIds,
      });
      if (done.folded === 0) return done.refused;
      this.sinceCompact = Math.max(0, this.sinceCompact - done.folded);
      this.bytes = done.snapshotBytes + Math.max(0, this.bytes - done.replacedBytes);
      this.snapshotBytes = done.snapshotBytes;
      this.deps.log.debug({ pad: this.pad, entries: done.folded, bytes: done.snapshotBytes }, 'compacted');
      return done.refused;
    } catch (err) {
      this.deps.metrics.storageErrors.inc();
      this.deps.log.warn({ err, pad: this.pad }, 'compaction failed; will retry later');
      return 0;
    }
  }

  /** The pad was deleted: nothing more goes to storage (writes already queued still settle). */
  discard(): void {
    this.discarded = true;
  }

  /** Before a pad is unloaded: everything committed, and a log worth folding folded. */
  async close(): Promise<void> {
    await this.lastWrite;
    const worth = Math.min(COMPACT_ON_CLOSE_MIN_ENTRIES, this.deps.compactEvery);
    if (this.sinceCompact > 0 && this.sinceCompact >= worth) await this.compact();
  }
}
