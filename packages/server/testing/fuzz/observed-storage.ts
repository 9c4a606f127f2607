import * as Y from 'yjs';
import { MemoryStorage } from '../../src/storage/memory.js';
import type { LogEntry } from '../../src/storage/types.js';

/** What storage has committed for one pad, kept up as it commits: the ack oracle's ground truth. */
export interface Committed {
  /** Every committed entry applied in commit order; compaction folds only these, so it changes nothing here. */
  readonly doc: Y.Doc;
  /** The committed entries as stored, for updates Yjs holds pending (stored raw, HI3). */
  readonly entries: Uint8Array[];
}

/**
 * The real in-memory storage, observed: each commit is also applied to a per-pad mirror doc
 * at the moment it lands (so an acknowledgement can be checked against exactly what was
 * committed when it was sent, without reloading the pad per message), and compactions are
 * timed from the load they start with to the snapshot they write (the fold, which the
 * simulator runs inline; a node runs it on its compactor thread).
 */
export class ObservedStorage extends MemoryStorage {
  private readonly mirrors = new Map<string, Committed>();
  private readonly loadedAt = new Map<string, number>();
  /** The longest compaction seen (load to snapshot), and the pad. */
  longestFold = { ms: 0, pad: '' };

  committed(pad: string): Committed {
    let c = this.mirrors.get(pad);
    if (!c) {
      c = { doc: new Y.Doc(), entries: [] };
      this.mirrors.set(pad, c);
    }
    return c;
  }

  /** Entries committed for `pad` so far (never decreases: compaction does not count). */
  appended(pad: string): number {
    return this.mirrors.get(pad)?.entries.length ?? 0;
  }

  override async append(entries: readonly LogEntry[]): Promise<void> {
    await super.append(entries);
    for (const e of entries) {
      const c = this.committed(e.pad);
      c.entries.push(e.update);
      Y.applyUpdate(c.doc, e.update);
    }
  }

  override load(pad: string): ReturnType<MemoryStorage['load']> {
    this.loadedAt.set(pad, performance.now());
    return super.load(pad);
  }

  override async compact(pad: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    const since = this.loadedAt.get(pad);
    if (since !== undefined) {
      const ms = performance.now() - since;
      if (ms > this.longestFold.ms) this.longestFold = { ms, pad };
    }
    return super.compact(pad, snapshot, throughSeq);
  }

  /** Drops the mirrors (the fuzzer's heap stays flat across epochs). */
  override async close(): Promise<void> {
    for (const c of this.mirrors.values()) c.doc.destroy();
    this.mirrors.clear();
    await super.close();
  }
}
