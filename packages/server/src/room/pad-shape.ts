import * as Y from 'yjs';
import { ShapeError, type Anchor, type UpdateShape } from '../crdt/update-shape.js';
import type { TokenBucket } from '../limits.js';
import { deleteCost, scanCost, type Prescan } from './scan-probe.js';
import { MAX_UNPLACED_ANCHORS } from '../crdt/unplaced.js';

/**
 * Delete ranges a pad may hold waiting for the items they delete (Yjs `pendingDs`), besides
 * their bytes (HI3). Yjs re-reads all of them in every later transaction and applies each
 * once its items arrive; it keeps them delta-encoded, so in clock order and disjoint however
 * they were sent (60 copies of one range become one range and 59 past it), and applying them
 * costs at most one step over each of the client's structs plus two splits per range: with
 * 64 ranges, two splices of the client's array per range, about 60 ms at a pad's 1,000,000
 * structs. An honest delete pends only while the insert it deletes is on its way (another
 * node's relay, an offline merge): a handful of ranges for a moment.
 */
export const MAX_PENDING_DELETE_RANGES = 64;

/** Per-pad limits (HI2, HI3); see config.ts for the values and why honest use never meets them. */
export interface PadShapeLimits {
  maxPadStructs: number;
  maxPadClients: number;
  maxPendingBytes: number;
}

/** What one admitted update will do to the pad. */
export interface Admission {
  /** Some of it may wait for missing dependencies (Yjs pendingStructs / pendingDs). */
  mayPend: boolean;
  /** Inserts placed by what comes in the same batch: HI13 is checked once they are in (`checkPlaced`). */
  placed: Anchor[] | null;
  /** What applying its delete set costs, in walk steps (HI1): past DELETE_SLICE_STEPS it is applied in slices. */
  deleteSteps: number;
}

/**
 * One pad's struct, client-id and pending-update accounting: admits an update by its shape
 * before it is applied, so a refused update costs its reading and nothing else (design §5).
 * The counts start from the loaded doc's store and are re-read from it after every applied
 * batch (`settled`), so what Yjs merged, GC'd or left pending is what is counted.
 */
export class PadShape {
  /** Structs in the doc's store after the last applied batch. */
  private structs = 0;
  /** Bytes Yjs holds pending (structs and deletes waiting for missing dependencies). */
  private pending = 0;
  /** Ranges in Yjs's pending delete set after the last applied batch. */
  private pendingDeletes = 0;
  /** What the batch admitted but not yet applied will add. */
  private batch = {
    structs: 0,
    pending: 0,
    pendingRanges: 0,
    unplaced: 0,
    clients: new Set<number>(),
    ends: new Map<number, number>(),
  };

  constructor(
    private readonly doc: Y.Doc,
    private readonly limits: PadShapeLimits,
    /** Inserts already waiting past their batch for their HI13 check (`crdt/unplaced.ts`). */
    private readonly unplaced: () => number = () => 0,
  ) {
    this.recount();
  }

  get structCount(): number {
    return this.structs;
  }

  get pendingBytes(): number {
    return this.pending;
  }

  /** The admitted batch is applied: counts come from the store again. */
  settled(): void {
    this.recount();
    this.batch = { structs: 0, pending: 0, pendingRanges: 0, unplaced: 0, clients: new Set(), ends: new Map() };
  }

  /** Re-reads the counts from the store (after any change, e.g. a peer's): O(client ids), not O(structs). */
  recount(): void {
    const store = this.doc.store;
    let n = 0;
    for (const list of store.clients.values()) n += list.length;
    this.structs = n;
    this.pending = (store.pendingStructs?.update.length ?? 0) + (store.pendingDs?.length ?? 0);
    this.pendingDeletes = 0;
    if (store.pendingDs)
      for (const list of Y.decodeUpdateV2(store.pendingDs).ds.clients.values()) this.pendingDeletes += list.length;
  }

  /** Takes `shape` into the batch, or throws ShapeError if it would pass a per-pad limit. */
  admit(shape: UpdateShape, bytes: number, scans: TokenBucket, waitingFull = false, prescan?: Prescan): Admission {
    const { maxPadStructs, maxPadClients, maxPendingBytes } = this.limits;
    const b = this.batch;
    if (this.structs + b.structs + shape.structs > maxPadStructs)
      throw new ShapeError('pad_structs', `pad would exceed ${maxPadStructs} structs`);
    const known = this.doc.store.clients;
    let fresh = 0;
    for (const c of shape.clients) if (!known.has(c) && !b.clients.has(c)) fresh++;
    if (fresh > 0 && known.size + b.clients.size + fresh > maxPadClients)
      throw new ShapeError('pad_clients', `pad would exceed ${maxPadClients} client ids`);
    // Last, as the dearest check: walks at most what this connection may still spend.
    const allowed = Math.floor(scans.available());
    if (prescan?.error) throw prescan.error;
    // A big update's scan ran in parts while it was read (`ScanInParts`); the rest is charged here.
    const placed: Anchor[] | null = shape.anchors.length === 0 ? null : prescan ? prescan.placed : [];
    let steps = prescan ? prescan.steps : placed ? scanCost(this.doc, shape.anchors, allowed, placed) : 0;
    let deleteSteps = 0;
    if (steps <= allowed && shape.deletes.length > 0) {
      deleteSteps = deleteCost(this.doc, shape.deletes, allowed - steps);
      steps += deleteSteps;
    }
    if (!scans.take(steps))
      throw new ShapeError(
        'scan_budget',
        `update would make Yjs scan more than ${allowed} structs to place its inserts and apply its deletes`,
      );
    const mayPend = this.mayPend(shape);
    if (mayPend) {
      if (waitingFull)
        throw new ShapeError('pad_pending', 'too many messages on this pad wait for missing dependencies');
      // The whole update counts: what of it pends is only known after applying it.
      if (this.pending + b.pending + bytes > maxPendingBytes)
        throw new ShapeError('pad_pending', `pad holds ${maxPendingBytes} bytes of updates with missing dependencies`);
      const ranges = this.pendingRanges(shape);
      if (this.pendingDeletes + b.pendingRanges + ranges > MAX_PENDING_DELETE_RANGES)
        throw new ShapeError(
          'pad_pending',
          `pad holds ${MAX_PENDING_DELETE_RANGES} delete ranges waiting for the items they delete`,
        );
      // Its inserts placed by what has not come yet may wait past the batch for their check.
      const waits = placed?.length ?? 0;
      if (waits > 0 && this.unplaced() + b.unplaced + waits > MAX_UNPLACED_ANCHORS)
        throw new ShapeError(
          'pad_pending',
          `pad holds ${MAX_UNPLACED_ANCHORS} inserts waiting for what they are placed next to`,
        );
      b.pending += bytes;
      b.pendingRanges += ranges;
      b.unplaced += waits;
    } else {
      for (const [c, r] of shape.ranges) b.ends.set(c, Math.max(r.end, b.ends.get(c) ?? 0));
    }
    b.structs += shape.structs;
    for (const c of shape.clients) if (!known.has(c)) b.clients.add(c);
    return { mayPend, placed: placed && placed.length > 0 ? placed : null, deleteSteps };
  }

  /** The update's delete ranges that reach past what the pad, this batch and the update itself have. */
  private pendingRanges(shape: UpdateShape): number {
    const d = shape.deletes;
    let n = 0;
    for (let i = 0; i < d.length; i += 3) {
      const c = d[i]!;
      const have = Math.max(Y.getState(this.doc.store, c), this.batch.ends.get(c) ?? 0);
      const r = shape.ranges.get(c);
      if (d[i + 1]! + d[i + 2]! > (r && r.first <= have ? Math.max(have, r.end) : have)) n++;
    }
    return n;
  }

  /**
   * True unless every dependency of the update is in the doc or earlier in this batch:
   * each client's structs start at or before what the pad has of that client, and every
   * origin, parent, delete and skipped gap points at clocks the pad (or the update) has.
   * Conservative: a false "may pend" only costs storing the raw update as well (HI3).
   */
  private mayPend(shape: UpdateShape): boolean {
    for (const c of shape.ranges.keys()) if (shape.ranges.get(c)!.first > this.have(c)) return true;
    for (const c of shape.needs.keys()) {
      const r = shape.ranges.get(c);
      const have = this.have(c);
      const upTo = r && r.first <= have ? Math.max(have, r.end) : have;
      if (shape.needs.get(c)! > upTo) return true;
    }
    return false;
  }

  /** One past the client's last clock in the doc or in this batch so far. */
  private have(client: number): number {
    return Math.max(Y.getState(this.doc.store, client), this.batch.ends.get(client) ?? 0);
  }
}
