import { checksum, checksumMatches } from './checksum.js';
import { padFootprint } from '../persistence/pad-footprint.js';
import { MemoryRecords } from './memory-records.js';
import type { CorruptEntry, LogEntry, QuarantinedEntry, Storage, StoredPad } from './types.js';

interface PadState {
  snapshot: Uint8Array | null;
  snapshotSeq: number;
  snapshotSum: number;
  log: { seq: number; update: Uint8Array; id: string | undefined; sum: number }[];
  /** Idempotency keys of the entries in `log`. */
  ids: Set<string>;
}

/** In-process storage for tests and the contract's reference behaviour; keeps nothing on disk. */
export class MemoryStorage implements Storage {
  private pads = new Map<string, PadState>();
  private seq = 0;
  private closed = false;
  private jail: QuarantinedEntry[] = [];
  /** Last append per pad (ms), for the idle-expiry sweep. */
  private touched = new Map<string, number>();
  readonly records = new MemoryRecords(() => this.check());

  private pad(id: string): PadState {
    let p = this.pads.get(id);
    if (!p) {
      p = { snapshot: null, snapshotSeq: 0, snapshotSum: 0, log: [], ids: new Set() };
      this.pads.set(id, p);
    }
    return p;
  }

  async load(pad: string): Promise<StoredPad> {
    this.check();
    const p = this.pads.get(pad);
    if (!p) return { snapshot: null, snapshotSeq: null, updates: [], seqs: [], lastSeq: 0, corrupt: [] };
    const last = p.log.at(-1)?.seq ?? p.snapshotSeq;
    const corrupt: CorruptEntry[] = [];
    let snapshot = p.snapshot;
    if (snapshot && !checksumMatches(snapshot, p.snapshotSum)) {
      corrupt.push({ pad, kind: 'snapshot', seq: p.snapshotSeq, reason: 'checksum' });
      snapshot = null;
    }
    const good: typeof p.log = [];
    for (const e of p.log) {
      if (checksumMatches(e.update, e.sum)) good.push(e);
      else corrupt.push({ pad, kind: 'update', seq: e.seq, reason: 'checksum' });
    }
    return {
      snapshot,
      // A quarantined snapshot leaves `snapshot` null but keeps its position for `compact`.
      snapshotSeq: p.snapshot ? p.snapshotSeq : null,
      updates: good.map((e) => e.update),
      seqs: good.map((e) => e.seq),
      lastSeq: last,
      corrupt,
    };
  }

  async append(entries: readonly LogEntry[]): Promise<void> {
    this.check();
    const now = Date.now();
    for (const e of entries) {
      this.touched.set(e.pad, now);
      const p = this.pad(e.pad);
      // Idempotency key: skip an entry already in the live log (a retried batch).
      if (e.id !== undefined) {
        if (p.ids.has(e.id)) continue;
        p.ids.add(e.id);
      }
      p.log.push({ seq: ++this.seq, update: e.update.slice(), id: e.id, sum: checksum(e.update) });
    }
  }

  async compact(pad: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    this.check();
    const p = this.pad(pad);
    if (throughSeq <= p.snapshotSeq) return;
    p.snapshot = snapshot.slice();
    p.snapshotSeq = throughSeq;
    p.snapshotSum = checksum(snapshot);
    p.log = p.log.filter((e) => e.seq > throughSeq);
    p.ids = new Set(p.log.flatMap((e) => (e.id === undefined ? [] : [e.id])));
  }

  async quarantine(entries: readonly CorruptEntry[]): Promise<void> {
    this.check();
    for (const c of entries) {
      const p = this.pads.get(c.pad);
      if (!p) continue;
      if (c.kind === 'snapshot') {
        if (!p.snapshot || p.snapshotSeq !== c.seq) continue;
        this.jail.push({ ...c, data: p.snapshot, at: new Date() });
        p.snapshot = null;
        continue;
      }
      const i = p.log.findIndex((e) => e.seq === c.seq);
      if (i < 0) continue;
      this.jail.push({ ...c, data: p.log[i]!.update, at: new Date() });
      p.log.splice(i, 1);
    }
  }

  async quarantined(pad?: string): Promise<QuarantinedEntry[]> {
    this.check();
    return this.jail.filter((q) => pad === undefined || q.pad === pad);
  }

  async backlog(minEntries: number): Promise<{ pad: string; entries: number }[]> {
    this.check();
    return [...this.pads]
      .filter(([, p]) => p.log.length >= minEntries)
      .map(([pad, p]) => ({ pad, entries: p.log.length }));
  }

  /** Tests only: flips a byte of a stored entry, as bit rot would (the contract's R1 scenarios). */
  corruptForTest(pad: string, kind: 'update' | 'snapshot', seq: number): void {
    const p = this.pads.get(pad);
    const bytes = kind === 'snapshot' ? p?.snapshot : p?.log.find((e) => e.seq === seq)?.update;
    if (!bytes || bytes.length === 0) throw new Error(`nothing stored to corrupt for ${pad}`);
    const at = bytes.length >> 1;
    bytes[at] = bytes[at]! ^ 0xff;
  }

  async deletePad(pad: string): Promise<void> {
    this.check();
    const f = await padFootprint(this, pad);
    const gone = (name: string) => f.logs.includes(name) || name.startsWith(f.logPrefix);
    for (const name of [...this.pads.keys()]) if (gone(name)) this.pads.delete(name);
    for (const name of [...this.touched.keys()]) if (gone(name)) this.touched.delete(name);
    this.jail = this.jail.filter((q) => !gone(q.pad));
    await this.records.delete(f.recordKeys);
    await this.records.deletePrefix(f.recordPrefix);
  }

  async idlePads(before: number): Promise<string[]> {
    this.check();
    return [...this.touched].filter(([pad, at]) => at < before && !pad.startsWith(':')).map(([pad]) => pad);
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
