import type { LogEntry, Storage, StoredPad } from './types.js';

interface PadState {
  snapshot: Uint8Array | null;
  snapshotSeq: number;
  log: { seq: number; update: Uint8Array; id: string | undefined }[];
  /** Idempotency keys of the entries in `log`. */
  ids: Set<string>;
}

/** In-process storage for tests and the contract's reference behaviour; keeps nothing on disk. */
export class MemoryStorage implements Storage {
  private pads = new Map<string, PadState>();
  private seq = 0;
  private closed = false;

  private pad(id: string): PadState {
    let p = this.pads.get(id);
    if (!p) {
      p = { snapshot: null, snapshotSeq: 0, log: [], ids: new Set() };
      this.pads.set(id, p);
    }
    return p;
  }

  async load(pad: string): Promise<StoredPad> {
    this.check();
    const p = this.pads.get(pad);
    if (!p) return { snapshot: null, updates: [], lastSeq: 0 };
    const last = p.log.at(-1)?.seq ?? p.snapshotSeq;
    return { snapshot: p.snapshot, updates: p.log.map((e) => e.update), lastSeq: last };
  }

  async append(entries: readonly LogEntry[]): Promise<void> {
    this.check();
    for (const e of entries) {
      const p = this.pad(e.pad);
      // Idempotency key: skip an entry already in the live log (a retried batch).
      if (e.id !== undefined) {
        if (p.ids.has(e.id)) continue;
        p.ids.add(e.id);
      }
      p.log.push({ seq: ++this.seq, update: e.update.slice(), id: e.id });
    }
  }

  async compact(pad: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    this.check();
    const p = this.pad(pad);
    if (throughSeq <= p.snapshotSeq) return;
    p.snapshot = snapshot.slice();
    p.snapshotSeq = throughSeq;
    p.log = p.log.filter((e) => e.seq > throughSeq);
    p.ids = new Set(p.log.flatMap((e) => (e.id === undefined ? [] : [e.id])));
  }

  async listPads(): Promise<string[]> {
    this.check();
    return [...this.pads.keys()];
  }

  async ping(): Promise<void> {
    this.check();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private check(): void {
    if (this.closed) throw new Error('storage is closed');
  }
}
