import type { Timer } from '../clock.js';
import { HeapGuard, OverloadedError } from './heap-guard.js';
import { loadRoom, type RoomDeps } from './loader.js';
import type { Room } from './room.js';

interface Entry {
  room: Promise<Room>;
  /** Set once loaded, so `release` can tell this room from a later reload of the same pad. */
  loaded: Room | null;
  refs: number;
  idleTimer: Timer | null;
}

/**
 * The pads open on this node. Concurrent opens of one pad share a single load; a pad
 * stays loaded while anyone holds it and for `idleMs` after, then is flushed and freed.
 * Unused pads are also evicted least-recently-used first whenever the estimated memory of
 * loaded pads passes `memoryBudget` bytes (M2); pads in use are never evicted.
 */
export class Rooms {
  private entries = new Map<string, Entry>();
  /** Pads nobody holds, least recently released first (a Set keeps insertion order). */
  private idle = new Set<string>();
  private estimates = new Map<string, number>();
  private estimatedBytes = 0;

  private readonly idleMs: number;
  private readonly memoryBudget: number;
  private readonly onCountChange: (n: number) => void;
  private readonly heap: HeapGuard;

  constructor(
    private readonly deps: RoomDeps,
    opts: { idleMs: number; memoryBudget?: number; onCountChange?: (n: number) => void; heap?: HeapGuard },
  ) {
    this.heap = opts.heap ?? new HeapGuard();
    this.idleMs = opts.idleMs;
    this.memoryBudget = opts.memoryBudget ?? Number.POSITIVE_INFINITY;
    this.onCountChange = opts.onCountChange ?? (() => {});
  }

  /** Estimated bytes held by loaded pads. */
  get memoryEstimate(): number {
    return this.estimatedBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The pad's room if it is loaded here (no reference taken), else null. */
  peek(pad: string): Room | null {
    return this.entries.get(pad)?.loaded ?? null;
  }

  /** Loads (or reuses) the pad and takes a reference; pair with `release`. */
  async acquire(pad: string): Promise<Room> {
    for (;;) {
      let entry = this.entries.get(pad);
      if (!entry) {
        this.admitLoad(pad);
        entry = { room: this.load(pad), loaded: null, refs: 0, idleTimer: null };
        const e = entry;
        void e.room.then(
          (r) => (e.loaded = r),
          () => {},
        );
        this.entries.set(pad, entry);
        this.onCountChange(this.entries.size);
      }
      entry.refs++;
      this.idle.delete(pad);
      entry.idleTimer?.cancel();
      entry.idleTimer = null;
      let room: Room;
      try {
        room = await entry.room;
      } catch (err) {
        if (this.entries.get(pad) === entry) this.forget(pad);
        throw err;
      }
      if (room.isOpen) return room;
      // Lost a race with an unload: wait for it to finish, then load afresh.
      entry.refs--;
      await room.close();
    }
  }

  release(room: Room): void {
    const entry = this.entries.get(room.pad);
    if (!entry || entry.loaded !== room) return;
    entry.refs--;
    this.setEstimate(room.pad, room.memoryEstimate());
    if (entry.refs > 0 || entry.idleTimer) return;
    this.idle.delete(room.pad);
    this.idle.add(room.pad);
    entry.idleTimer = this.deps.clock.after(this.idleMs, () => void this.unload(room.pad, entry));
    this.enforceBudget();
  }

  /**
   * A new load is refused, retryably, while loaded pads' estimated heap or the heap in use
   * is past the node's ceiling, once idle pads are evicted (HI4): the node stays up for the
   * pads it has instead of dying for one more.
   */
  private admitLoad(pad: string): void {
    if (!this.heap.overloaded(this.refreshEstimates())) return;
    this.enforceBudget(this.heap.ceiling);
    if (!this.heap.overloaded(this.estimatedBytes)) return;
    this.deps.metrics.rejected.inc({ reason: 'node_overloaded' });
    this.deps.log.warn(
      { pad, estimated: this.estimatedBytes, ceiling: this.heap.ceiling },
      'refusing to load a pad: heap ceiling',
    );
    throw new OverloadedError('server is near its memory limit; try again later');
  }

  /** Loaded pads' estimates now (O(pads), on loads only), not as of their last release. */
  private refreshEstimates(): number {
    for (const [pad, e] of this.entries) if (e.loaded) this.setEstimate(pad, e.loaded.memoryEstimate());
    return this.estimatedBytes;
  }

  private setEstimate(pad: string, bytes: number): void {
    this.estimatedBytes += bytes - (this.estimates.get(pad) ?? 0);
    this.estimates.set(pad, bytes);
  }

  private enforceBudget(budget = this.memoryBudget): void {
    for (const pad of this.idle) {
      if (this.estimatedBytes <= budget) return;
      const entry = this.entries.get(pad);
      this.idle.delete(pad);
      if (!entry || entry.refs > 0) continue;
      entry.idleTimer?.cancel();
      entry.idleTimer = null;
      this.setEstimate(pad, 0);
      void this.unload(pad, entry);
    }
  }

  /** Rooms currently loaded (for shutdown and metrics). */
  async loaded(): Promise<Room[]> {
    const settled = await Promise.allSettled([...this.entries.values()].map((e) => e.room));
    return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  }

  /** Flushes and frees every pad. */
  async closeAll(): Promise<void> {
    for (const e of this.entries.values()) e.idleTimer?.cancel();
    const rooms = await this.loaded();
    await Promise.all(rooms.map((r) => r.close()));
    this.entries.clear();
    this.idle.clear();
    this.estimates.clear();
    this.estimatedBytes = 0;
    this.onCountChange(0);
  }

  private load(pad: string): Promise<Room> {
    return loadRoom(
      pad,
      this.deps,
      () => {
        const entry = this.entries.get(pad);
        if (entry) void this.unload(pad, entry, true);
      },
      () => this.heap.heapInUsePast(),
    );
  }

  private async unload(pad: string, entry: Entry, force = false): Promise<void> {
    if (this.entries.get(pad) !== entry) return;
    const room = await entry.room;
    if (!force && entry.refs > 0) return;
    if (force) this.forget(pad);
    try {
      await room.close();
    } catch (err) {
      this.deps.log.error({ err, pad }, 'pad close failed; keeping it loaded');
      return;
    }
    if (this.entries.get(pad) === entry) this.forget(pad);
  }

  private forget(pad: string): void {
    this.entries.delete(pad);
    this.idle.delete(pad);
    this.setEstimate(pad, 0);
    this.estimates.delete(pad);
    this.onCountChange(this.entries.size);
  }
}
