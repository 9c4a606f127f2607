import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import type { Slicer } from './delete-slices.js';
import { SlicePace } from './slice-pace.js';
import type { StructTable } from './update-shape.js';

/**
 * Most structs per slice: cutting and integrating 2k structs takes ~5-12 ms of CPU on a quiet
 * machine (HS2; 8k took up to 50, 4k up to 25). Slices are sized under it by time (`SlicePace`).
 */
export const SLICE_STRUCTS = 2_048;

/** v1 info byte of a Skip struct: a gap in a client's clocks inside one block. */
const SKIP = 10;

/**
 * Cuts a big v1 update into slices that each integrate completely, one per event-loop turn
 * (HS2). Every struct of a slice has what it depends on (its client's earlier clocks, its
 * origin, right origin and parent item) in the doc, in an earlier slice or in the slice
 * itself: the order is Yjs's own dependency resolution, simulated on IDs. Structs that can
 * never be placed (a dependency nobody sent) go in the last slice with the delete set, where
 * Yjs holds them pending exactly as it would for the whole update. Applying every slice in
 * order leaves the doc as `Y.applyUpdate` of the whole update does (update-split.test.ts).
 *
 * Each slice is computed against the doc as it is when asked for (`next`), so edits applied
 * in between (a peer's, from the bus) only make more of it ready. Slices are v1 updates
 * written by copying the struct bytes the shape reader located (v1 struct encodings do not
 * depend on their position): no Yjs structs are built to cut them.
 */
export class UpdateSlicer implements Slicer {
  /** Per client in the update: its rows of the table [from, to) in clock order, and the next to slice. */
  private readonly queues = new Map<number, { from: number; to: number; next: number }>();
  /** Clocks reached per client by the slices handed out so far. */
  private readonly reached = new Map<number, number>();
  /** Clients whose next struct may be ready. */
  private ready: number[] = [];
  /** Clients waiting until another client reaches a clock: waiter client, clock needed (exclusive). */
  private readonly waiting = new Map<number, { client: number; clock: number }[]>();
  private finished = false;
  private taken = 0;
  private readonly pace: SlicePace;

  constructor(
    private readonly update: Uint8Array,
    private readonly table: StructTable,
    /** Most structs a slice holds; under it, slices are sized by what the last took (`took`). */
    max = SLICE_STRUCTS,
    /** False: the last slice carries an empty delete set (`DeleteSlicer` applies it after, in parts). */
    private readonly withDeletes = true,
  ) {
    this.pace = new SlicePace(max);
    // A client's structs are one run of rows (its block): a queue is a range, built in O(clients).
    // Arrays of indexes pushed one by one took ~40 ms of one turn for a 610,000-struct snapshot.
    for (const b of table.blocks) this.queues.set(b.client, { from: b.from, to: b.to, next: b.from });
    // Yjs starts from the highest client id; any order is correct, this one keeps slices alike.
    this.ready = [...this.queues.keys()].sort((a, b) => a - b);
  }

  /** Applying the slice handed out last took `ms` of wall time: sizes the next one. */
  took(ms: number): void {
    this.pace.took(this.taken, ms);
  }

  /** True once the last slice (with the delete set) was handed out. */
  get done(): boolean {
    return this.finished;
  }

  /**
   * The next slice, closed against `doc` as it is now; the last one carries the rest and the
   * delete set. Slices are cut the same way while the doc holds pending structs (from an
   * earlier update with a missing dependency), but whether Yjs retries those depends on the
   * order updates arrive in: the property test found slices that left a pending struct out
   * where one whole update integrated it. So whoever applies slices over pending structs
   * retries the pending update once the last one is in, until nothing more integrates
   * (`PendingRetry.force`): then slices and the whole update leave the same doc. (Applying the rest at once instead
   * let one client's small pending update, then a max-cap paste, hold the loop for the paste.)
   */
  next(doc: Y.Doc): Uint8Array {
    if (this.finished) throw new Error('no slices left');
    const max = this.pace.next;
    const store = doc.store;
    const state = (c: number) => Math.max(Y.getState(store, c), this.reached.get(c) ?? 0);
    /** Per client: index into its queue where this slice starts. */
    const from = new Map<number, number>();
    let taken = 0;
    /** Structs taken when every parked client was last woken: no progress since means nothing more is ready. */
    let takenAtWake = -1;
    while (taken < max) {
      const c = this.ready.pop();
      if (c === undefined) {
        // Nothing known ready: the doc may have gained what a waiter needs since it was parked.
        if (takenAtWake === taken || !this.wakeAll()) break;
        takenAtWake = taken;
        continue;
      }
      const q = this.queues.get(c)!;
      while (q.next < q.to && taken < max) {
        const blocker = this.blocker(q.next, state);
        if (blocker) {
          this.park(c, blocker.client, blocker.clock);
          break;
        }
        if (!from.has(c)) from.set(c, q.next);
        const i = q.next++;
        const end = this.table.clock(i) + this.table.len(i);
        if (end > (this.reached.get(c) ?? 0)) {
          this.reached.set(c, end);
          this.wake(c, state(c));
        }
        taken++;
      }
      // Still ready (the slice is full): next time, start here.
      if (q.next < q.to && taken >= max && !this.isParked(c)) this.ready.push(c);
    }
    this.taken = taken;
    const last = taken < max;
    if (last) {
      // Nothing more can be placed: the rest (never ready) rides in the last slice, pending in Yjs.
      for (const [c, q] of this.queues) if (q.next < q.to && !from.has(c)) from.set(c, q.next);
      for (const q of this.queues.values()) q.next = q.to;
      this.finished = true;
    }
    return this.write(from, last);
  }

  /**
   * What struct `i` still waits for, as (client, clock to exceed), or null if Yjs would
   * integrate it now: its client has every earlier clock (Yjs's "offset < 0" wall), and its
   * origin, right origin and parent item are there (Item.getMissing).
   */
  private blocker(i: number, state: (c: number) => number): { client: number; clock: number } | null {
    const t = this.table;
    const own = t.client(i);
    const clock = t.clock(i);
    if (state(own) < clock) return { client: own, clock: clock - 1 };
    for (let k = 0; k < 3; k++) {
      const c = t.depClient(i, k);
      if (Number.isNaN(c)) continue;
      const at = t.depClock(i, k);
      if (at >= state(c)) return { client: c, clock: at };
    }
    return null;
  }

  private park(waiter: number, on: number, clock: number): void {
    let list = this.waiting.get(on);
    if (!list) this.waiting.set(on, (list = []));
    list.push({ client: waiter, clock });
  }

  private isParked(c: number): boolean {
    for (const list of this.waiting.values()) if (list.some((w) => w.client === c)) return true;
    return false;
  }

  /** `on` reached `state`: waiters that needed less are ready again. */
  private wake(on: number, state: number): void {
    const list = this.waiting.get(on);
    if (!list) return;
    const still = list.filter((w) => w.clock >= state);
    if (still.length === list.length) return;
    for (const w of list) if (w.clock < state) this.ready.push(w.client);
    if (still.length > 0) this.waiting.set(on, still);
    else this.waiting.delete(on);
  }

  /** Makes every parked client ready again (they re-park if still blocked); false if none was parked. */
  private wakeAll(): boolean {
    if (this.waiting.size === 0) return false;
    for (const list of this.waiting.values()) for (const w of list) this.ready.push(w.client);
    this.waiting.clear();
    return true;
  }

  /**
   * One v1 update: per client one block (Yjs keeps one per client) from its slice start to
   * its queue position, a Skip struct over any gap, then the delete set or an empty one.
   */
  private write(from: Map<number, number>, last: boolean): Uint8Array {
    const t = this.table;
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, from.size);
    for (const [c, start] of from) {
      const stop = this.queues.get(c)!.next;
      let n = stop - start;
      for (let j = start + 1; j < stop; j++) if (t.clock(j) > t.clock(j - 1) + t.len(j - 1)) n++;
      encoding.writeVarUint(e, n);
      encoding.writeVarUint(e, c);
      encoding.writeVarUint(e, t.clock(start));
      for (let i = start; i < stop; i++) {
        if (i > start) {
          const gap = t.clock(i) - (t.clock(i - 1) + t.len(i - 1));
          if (gap > 0) {
            encoding.writeUint8(e, SKIP);
            encoding.writeVarUint(e, gap);
          }
        }
        encoding.writeUint8Array(e, this.update.subarray(t.start(i), t.end(i)));
      }
    }
    if (last && this.withDeletes) encoding.writeUint8Array(e, this.update.subarray(t.dsStart, t.dsEnd));
    else encoding.writeVarUint(e, 0);
    return encoding.toUint8Array(e);
  }
}
