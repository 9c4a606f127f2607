import { CloseCode, TEXT_NAME, encodeMessage } from '@padmesh/protocol';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Clock, Timer } from '../clock.js';
import type { ClusterLink } from '../cluster/link.js';
import { encodeState } from '../crdt/encode-state.js';
import { PendingRetry } from '../crdt/pending-retry.js';
import { applyDiff, textDiff, textDiffBytes } from '../crdt/text-diff.js';
import type { VersionRecorder } from '../history/recorder.js';
import type { VersionMeta } from '../history/versions.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { PadWriter } from '../persistence/pad-writer.js';
import { CloseError, type Conn } from '../transport/socket.js';
import type { Claim, SliceGate } from '../transport/slice-gate.js';
import { ShapeError, type Anchor, type UpdateShape } from '../crdt/update-shape.js';
import { PlacedCheck, PlacedTooDear } from '../crdt/placed-check.js';
import { SLICE_STRUCTS, UpdateSlicer } from '../crdt/update-split.js';
import { DELETE_SLICE_VISITS, DeleteSlicer, oneSlice, structsOnly, type Slicer } from '../crdt/delete-slices.js';
import { DELETE_VISITS_PER_STEP, type Prescan } from './scan-probe.js';
import type { TokenBucket } from '../limits.js';
import { Fanout, presenceUpdate } from './fanout.js';
import { ENCODE_AT_LOAD_MAX_STRUCTS, type JoinState } from './join-state.js';
import { PadShape, type PadShapeLimits } from './pad-shape.js';
import { padGrowthProblem, type PadSizeLimits } from './pad-size.js';
import { BUS_ORIGIN, LOCAL_ORIGIN, isOrigin, type Origin } from './origin.js';
import type { PresenceExpiry } from './presence-expiry.js';
import { PresenceGuard, PresenceRefused } from './presence-guard.js';
import { Unplaced, UnplacedRefused } from '../crdt/unplaced.js';
import { editorOf } from './presence-values.js';

/** Fixed cost of a loaded pad (Y.Doc, awareness, maps), measured roughly with 10k empty pads. */
const ROOM_BASE_BYTES = 8 * 1024;
/**
 * Heap per Yjs struct, measured (scripts/measure-heap.mjs, Node 20, 200k structs each): text
 * typed one character at random positions 212 B, typed in runs of 20 365 B (with its
 * characters), Y.Map entries 327 B, Y.Array items 295 B. Rounded up: the estimate must not
 * undercount a pad of map entries, which cost 6-8 bytes on the wire each (HI4).
 */
const HEAP_BYTES_PER_STRUCT = 400;
/** Content (strings, binary, pending updates) held roughly once more in the heap than stored, UTF-16. */
const HEAP_BYTES_PER_STORED_BYTE = 2;

export interface RoomLimits extends PadShapeLimits, PadSizeLimits {}

/** What a room is built from; `loadRoom` (loader.ts) assembles it. */
export interface RoomParts {
  doc: Y.Doc;
  writer: PadWriter;
  /** Cluster mode: peers with this pad open hear about every change through it. */
  link: (doc: Y.Doc, awareness: awarenessProtocol.Awareness) => ClusterLink | null;
  /** Document history (V1-V5); absent when history is off. */
  /** `stateOf` is the doc's state, encoded off the event loop (`JoinState.state`). */
  recorder: ((doc: Y.Doc, stateOf: () => Promise<Uint8Array>) => VersionRecorder) | null;
  /** Asks the registry to forget this room (after an invalid update left the doc suspect). */
  evicted: () => void;
  /** True while the heap in use is near V8's limit: updates that add structs are refused (HI4). */
  overloaded: () => boolean;
  limits: RoomLimits;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  /** What a client joining with an empty doc is sent, without encoding the pad (HS5). */
  joinState: JoinState;
  /** The node's one timer that drops presence nobody renewed (instead of one per pad). */
  presenceExpiry: PresenceExpiry;
  /** The node's line for delete sets applied in parts: one pad at a time (HS3). */
  deleteGate: SliceGate;
}

type Lifecycle = { kind: 'open' } | { kind: 'closing'; done: Promise<void> } | { kind: 'closed' };

/** Client updates checked but not yet applied, and the promise their acknowledgement waits on. */
/**
 * A client message whose structs waited in Yjs for a missing dependency. Its `saved` waits
 * until every struct it carries is integrated and that state is stored (P2, D1): stored raw
 * alone, it would come back after a crash only once someone re-sent the dependency, and an
 * acknowledgement promises the edit is there after a crash.
 */
interface Waiting {
  conn: Conn;
  ranges: UpdateShape['ranges'];
  resolve: () => void;
}

/** Messages of one pad waiting for their dependencies; past it a message that may wait is refused (4524). */
export const MAX_WAITING_MESSAGES = 4096;
/** Least time between two retries of a pad's pending update that Yjs would not retry (HF5). */
export const PENDING_RETRY_MS = 250;

interface Incoming {
  /** `mayPend`: some of it may wait in Yjs for missing dependencies, so it is stored as received (HI3). */
  items: Item[];
  /** The batch's messages that may wait in Yjs: acknowledged once visible (see `Waiting`). */
  waits: Waiting[];
  bytes: number;
  chars: number;
  durable: Promise<void>;
  settle: () => void;
}

/** One admitted client update. */
interface Item {
  conn: Conn;
  update: Uint8Array;
  mayPend: boolean;
  /** A big update (or a dear delete set) is applied a slice per turn (HS2); null: all at once in the batch. */
  slicer: Slicer | null;
  /**
   * Its place in a node-wide line (HS3), released once it is applied or abandoned: a big
   * update's, claimed by its session; a dear delete set's, claimed here (`deleteGate`).
   */
  slot: Claim | null;
  /** Its inserts placed by others in the batch, checked as they are applied (HI13); null once none is left. */
  placed: PlacedCheck | null;
}

/** A batch whose big update is being applied a slice per turn, and where it is in the batch. */
interface Slicing {
  batch: Incoming;
  at: number;
}

/**
 * One pad in memory: its Y.Doc, awareness and connected clients. Routes every change by
 * its origin: client edits are applied once per turn, fanned out, stored and replicated;
 * peers' edits are fanned out and stored; stored state is only loaded (C1, D1).
 */
export class Room {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  private readonly conns = new Set<Conn>();
  private readonly fanout: Fanout;
  /** Presence ownership and bounds: every client awareness frame passes it before it is applied (PR1-PR6). */
  private readonly guard: PresenceGuard;
  private readonly writer: PadWriter;
  private readonly link: ClusterLink | null;
  private readonly recorder: VersionRecorder | null;
  private lifecycle: Lifecycle = { kind: 'open' };
  /** Deleted (discard): closing records no version. */
  private discarded = false;
  private incoming: Incoming | null = null;
  /** Messages acknowledged once their dependencies arrive; bounded by `MAX_WAITING_MESSAGES`. */
  private waiting: Waiting[] = [];
  /** While set, later batches wait: a pad applies client updates in the order they were admitted (HS2). */
  private slicing: Slicing | null = null;
  /** Settles when the batch being sliced is applied. */
  private sliced: { done: Promise<void>; settle: () => void } | null = null;
  private readonly log: Logger;
  private readonly unwatchPresence: () => void;
  private readonly shape: PadShape;
  private readonly pendingRetry = new PendingRetry();
  private retryTimer: Timer | null = null;
  /** Set when a batch is refused inside its transaction: its doc update is dropped, and the pad evicted. */
  private discarding = false;
  /** Inserts whose HI13 check waits until Yjs places them (past their batch, or left pending by the load). */
  private readonly unplaced = new Unplaced<Conn | null>();
  /** Inserts stored as received (HI3) and refused once placed (flat client, clock, end): closing quarantines their entries. */
  private refusedStored: number[] = [];
  private lastRetry = Number.NEGATIVE_INFINITY;

  constructor(
    readonly pad: string,
    private readonly parts: RoomParts,
  ) {
    this.doc = parts.doc;
    this.shape = new PadShape(this.doc, parts.limits, () => this.unplaced.count);
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.awareness.setLocalState(null);
    this.unwatchPresence = parts.presenceExpiry.watch(this.awareness);
    this.guard = new PresenceGuard(this.awareness);
    this.log = parts.log.child({ pad });
    this.fanout = new Fanout(this.conns, this.awareness, parts.clock);
    this.writer = parts.writer;
    this.link = parts.link(this.doc, this.awareness);
    this.recorder =
      parts.recorder?.(this.doc, () =>
        parts.joinState.ready ? parts.joinState.state() : Promise.resolve(encodeState(this.doc, undefined, false)),
      ) ?? null;
    // History lists refresh live: a version recorded here, or on a peer node, is announced to
    // every client that opted in with padmesh=2 (V7).
    if (this.recorder)
      this.recorder.onRecorded = (v) => {
        this.announceVersion(v.id);
        this.link?.publishVersion(v.id);
      };
    if (this.link) this.link.onPeerVersion = (id) => this.announceVersion(id);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => this.onDocUpdate(update, origin));
    // The load may have applied big entries in slices over pending ones (load-in-turns.ts).
    if (this.doc.store.pendingStructs) {
      if (!this.unplaced.addPendingOf(this.doc, null))
        this.log.error('pending structs of the load could not be read for HI13');
      this.forceRetry();
    }
    this.awareness.on('update', (change: AwarenessChange, origin: unknown) => this.onAwarenessUpdate(change, origin));
  }

  get isOpen(): boolean {
    return this.lifecycle.kind === 'open';
  }

  /** Heap held by this pad, by what its structs cost, not what they take on the wire (HI4). */
  memoryEstimate(): number {
    const bytes = this.writer.storedBytes + this.shape.pendingBytes;
    return ROOM_BASE_BYTES + bytes * HEAP_BYTES_PER_STORED_BYTE + this.shape.structCount * HEAP_BYTES_PER_STRUCT;
  }

  /** True for a pad nobody has written to (opening it is "creating" it, for rate limits). */
  isEmpty(): boolean {
    return this.doc.store.clients.size === 0;
  }

  get text(): string {
    return this.doc.getText(TEXT_NAME).toString();
  }

  /** Peers' messages for this pad, from the bus (the loader routes them here). */
  fromBus(m: Parameters<ClusterLink['receive']>[0]): void {
    this.link?.receive(m);
  }

  /** Tells this node's `padmesh=2` clients that the history has a new version (V7). */
  private announceVersion(latest: string): void {
    let frame: Uint8Array | null = null;
    for (const c of this.conns) if (c.wantsVersions) c.send((frame ??= encodeMessage({ type: 'versions', latest })));
  }

  /** Cluster mode: tells peers this pad's state now, so either side sends what the other lacks (C4). */
  announceState(): void {
    this.link?.announce(true);
  }

  join(conn: Conn): void {
    this.conns.add(conn);
    this.guard.joined(conn);
    conn.send(encodeMessage({ type: 'sync-step1', stateVector: Y.encodeStateVector(this.doc) }));
    const states = this.awareness.getStates();
    if (states.size > 0) conn.send(this.presenceFrame());
  }

  leave(conn: Conn): void {
    if (!this.conns.delete(conn)) return;
    if (this.waiting.length > 0) this.waiting = this.waiting.filter((w) => w.conn !== conn);
    const ids = this.guard.release(conn);
    if (ids.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, ids, null);
  }

  /**
   * The answer to a client's sync step 1, in frames: what it lacks of this pad. One for a
   * state vector that is not empty is encoded here, O(structs) (Yjs writes the whole delete
   * set): it is charged to `scans`, the address's budget (HI5), or refused with 4529.
   */
  syncAnswer(stateVector: Uint8Array, scans?: TokenBucket, waited = false): Uint8Array[] | Promise<Uint8Array[]> {
    if (isEmptyStateVector(stateVector)) {
      const join = this.parts.joinState;
      if (join.ready) return join.answer();
      // A pad loaded with pending structs has its join answer folded without them first
      // (join-state.ts): a joiner of a big one waits for it rather than encode the pad here.
      if (!waited && this.shape.structCount > ENCODE_AT_LOAD_MAX_STRUCTS)
        return join.whenReady().then(() => (this.isOpen ? this.syncAnswer(stateVector, scans, true) : []));
    }
    // Capped at the whole burst, so a pad past it can still be answered: once per refill.
    const cost = Math.min(Math.ceil(this.shape.structCount / SYNC_STRUCTS_PER_STEP), scans?.capacity ?? 0);
    if (scans && !scans.take(cost)) {
      this.parts.metrics.rejected.inc({ reason: 'sync_step1_cost' });
      throw new CloseError(
        CloseCode.RateLimited,
        'sync requests on this pad cost more than this address may spend now',
      );
    }
    let update: Uint8Array;
    try {
      update = encodeState(this.doc, stateVector, false);
    } catch {
      throw new CloseError(CloseCode.MalformedMessage, 'invalid state vector in sync step 1');
    }
    return [encodeMessage({ type: 'sync-step2', update })];
  }

  /**
   * Every known presence state, as one awareness frame; never `conn`'s own, whose clocks on
   * this side may run ahead of the client's (PR6) and would overwrite its local state.
   */
  presenceFrame(conn?: Conn): Uint8Array {
    const ids = [...this.awareness.getStates().keys()].filter((id) => !conn?.awarenessIds.has(id));
    return encodeMessage({ type: 'awareness', update: presenceUpdate(this.awareness, ids) });
  }

  /** A client's awareness frame: bounded, owned and normalised by the guard before any of it applies (PR1-PR6). */
  applyPresence(conn: Conn, update: Uint8Array): void {
    let admitted;
    try {
      admitted = this.guard.admit(conn, update);
    } catch (err) {
      if (err instanceof PresenceRefused) this.parts.metrics.rejected.inc({ reason: err.label });
      throw err;
    }
    if (admitted.full) {
      this.parts.metrics.rejected.inc({ reason: 'presence_pad_full' });
      this.log.warn({ conn: conn.id }, 'pad presence full; newcomer edits but is not shown');
    }
    if (admitted.update) awarenessProtocol.applyAwarenessUpdate(this.awareness, admitted.update, conn);
  }

  /**
   * Takes a checked client update into this turn's batch, after the pad-size limits (L-rules).
   * Resolves once the update is applied and durable, and once what it carries is in the doc if it
   * waited for a dependency (`Waiting`); the caller acknowledges it then (D1, P2).
   */
  submit(
    conn: Conn,
    update: Uint8Array,
    shape: UpdateShape,
    scans: TokenBucket,
    slot?: Claim,
    prescan?: Prescan,
  ): Promise<void> {
    const insertedChars = shape.insertedChars;
    const q = (this.incoming ??= this.newBatch());
    this.checkGrowth(update.length, insertedChars, shape.structs > 0);
    let mayPend: boolean;
    let placed: Anchor[] | null;
    let deleteSteps: number;
    try {
      ({ mayPend, placed, deleteSteps } = this.shape.admit(
        shape,
        update.length,
        scans,
        this.waiting.length >= MAX_WAITING_MESSAGES,
        prescan,
      ));
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      this.parts.metrics.rejected.inc({ reason: err.limit });
      const code =
        err.limit === 'pad_pending'
          ? CloseCode.MissingDependencies
          : err.limit === 'scan_budget'
            ? CloseCode.UpdateTooComplex
            : err.limit === 'invalid_origins'
              ? CloseCode.InvalidUpdate
              : CloseCode.PadTooComplex;
      throw new CloseError(code, err.message);
    }
    const slicer = slicerFor(update, shape, deleteSteps);
    q.items.push({
      conn,
      update,
      mayPend,
      slicer,
      slot: slot ?? (slicer instanceof DeleteSlicer ? this.claimDeleteSlot() : null),
      placed: placed ? new PlacedCheck(placed) : null,
    });
    q.bytes += update.length;
    q.chars += insertedChars;
    if (q.items.length === 1) this.parts.clock.after(0, () => this.applyIncoming());
    if (!mayPend) return q.durable;
    return new Promise((resolve) => q.waits.push({ conn, ranges: shape.ranges, resolve }));
  }

  /**
   * The pad-size (L5) and node-memory (HI4) checks every write passes before it is applied,
   * counting what this turn's batch already admitted: 4413 / 4513 as a CloseError, which the
   * HTTP layer turns into 413 / 503.
   */
  private checkGrowth(addBytes: number, addChars: number, addsStructs: boolean): void {
    const q = this.incoming;
    const problem = padGrowthProblem(this.parts.limits, {
      storedBytes: this.writer.storedBytes + (q?.bytes ?? 0),
      chars: this.doc.getText(TEXT_NAME).length + (q?.chars ?? 0),
      addBytes,
      addChars,
    });
    if (problem) {
      this.parts.metrics.rejected.inc({ reason: 'pad_too_large' });
      throw new CloseError(CloseCode.PadTooLarge, problem);
    }
    if (addsStructs && this.parts.overloaded()) {
      this.parts.metrics.rejected.inc({ reason: 'node_overloaded' });
      throw new CloseError(CloseCode.NodeOverloaded, 'server is near its memory limit; try again later');
    }
  }

  /**
   * A dear delete set can come in a frame of a few kilobytes, so no session claimed a slot
   * for it: it waits here for the node's one delete set applied in parts at a time (HS3).
   * Refused past the line's length like a big update; the batch's counts it was admitted to
   * stay until the batch settles, which only refuses more meanwhile.
   */
  private claimDeleteSlot(): Claim {
    const claim = this.parts.deleteGate.claim();
    if (claim) return claim;
    this.parts.metrics.rejected.inc({ reason: 'slicing_busy' });
    throw new CloseError(CloseCode.NodeOverloaded, 'server is busy with large delete sets; try again later');
  }

  private newBatch(): Incoming {
    let settle = () => {};
    const durable = new Promise<void>((resolve) => (settle = resolve));
    return { items: [], waits: [], bytes: 0, chars: 0, durable, settle };
  }

  /**
   * Applies every client update that arrived since the last turn in one Yjs transaction:
   * one integration pass, one doc update to fan out, store and replicate, instead of one
   * each (bench: a busy pad's throughput was bound by per-transaction cost). Each update was
   * checked on arrival, so a batch fails only if Yjs itself throws. A big update in the batch
   * is applied a slice per turn instead (HS2); what follows it waits, in order.
   */
  private applyIncoming(): void {
    if (this.slicing) return; // the sliced batch picks up what arrived meanwhile when it ends
    const batch = this.incoming;
    this.incoming = null;
    if (!batch || batch.items.length === 0) return;
    // A closing pad still applies what it admitted (close waits for it); a closed one has no doc.
    if (this.lifecycle.kind === 'closed') return this.abandon(batch);
    this.applyFrom(batch, 0);
  }

  /** Applies the batch from item `at`: the small ones in one transaction, up to the next big one. */
  private applyFrom(batch: Incoming, at: number): void {
    let end = at;
    while (end < batch.items.length && !batch.items[end]!.slicer) end++;
    if (end > at && !this.transact(batch.items.slice(at, end), (u) => Y.applyUpdate(this.doc, u))) {
      return this.abandon(batch);
    }
    if (end < batch.items.length) {
      const s: Slicing = { batch, at: end };
      this.slicing = s;
      this.sliced ??= newSettler();
      const slot = batch.items[end]!.slot;
      const first = (): void => {
        if (this.slicing === s) this.parts.clock.after(0, () => this.nextSlice(s));
      };
      if (slot) void slot.granted.then(first);
      else first();
      return;
    }
    this.finish(batch);
  }

  /** One slice of the big update being applied, per turn: other pads' work runs in between (HS2). */
  private nextSlice(s: Slicing): void {
    // A batch abandoned while its slice waited: a later one has its own chain of turns.
    if (this.slicing !== s) return;
    const item = s.batch.items[s.at]!;
    if (this.lifecycle.kind === 'closed') return this.abandon(s.batch);
    const slicer = item.slicer!;
    const started = performance.now();
    if (!this.transact([item], () => Y.applyUpdate(this.doc, slicer.next(this.doc)))) return this.abandon(s.batch);
    slicer.took(performance.now() - started);
    if (!slicer.done) {
      this.parts.clock.after(0, () => this.nextSlice(s));
      return;
    }
    if (this.doc.store.pendingStructs) this.forceRetry();
    this.slicing = null;
    // Its place goes to the next in line now: another dear delete set in this very batch waits for it.
    item.slot?.release();
    this.applyFrom(s.batch, s.at + 1);
  }

  /** Applies items in one transaction with their origin; false (and the pad evicted) if Yjs threw. */
  private transact(items: Item[], apply: (update: Uint8Array) => void): boolean {
    const first = items[0]!.conn;
    // Held structs or deletes (HI3) integrate in the same transaction once their dependencies
    // arrive, so the doc update then carries more than the sender sent: it goes back to the
    // sender too. (Found by the structure fuzzer, HF4: a delete set naming clocks a client had
    // yet to type deleted its typing on the node, and the typist never heard.)
    const held = this.doc.store.pendingStructs !== null || this.doc.store.pendingDs !== null;
    const sole = !held && items.every((i) => i.conn === first);
    const origin: Origin = { kind: 'client', conn: sole ? first : null };
    let refused: { conn: Conn | null; stored: readonly number[] | null } | null = null;
    try {
      this.doc.transact(() => {
        for (const i of items) apply(i.update);
        let at: Item | null = null;
        try {
          for (const i of items) {
            if (!i.placed) continue;
            at = i;
            if (i.placed.check(this.doc)) i.placed = null;
          }
          at = null;
          this.unplaced.check(this.doc);
        } catch (err) {
          if (err instanceof UnplacedRefused) refused = { conn: err.from, stored: err.refusal.ids };
          else if (at) refused = { conn: at.conn, stored: null };
          // Yjs still ends the transaction and emits its update: none of it is kept (onDocUpdate).
          if (refused) this.discarding = true;
          throw err;
        }
      }, origin);
      return true;
    } catch (err) {
      if (refused) return this.refuseBatch(refused, err as Error);
      // The doc may hold part of the batch; only storage is known good, so reload from it.
      this.log.error({ err }, 'update passed decoding but failed to apply; reloading pad');
      this.evict(CloseCode.Reload, 'pad reloaded after an invalid update');
      return false;
    }
  }

  private finish(batch: Incoming): void {
    // The doc's update event carries only what integrated; what Yjs holds pending for a
    // missing dependency is stored as received, so `saved` is true in any order (HI3, P2).
    // A later load integrates it once the dependency is stored too; a duplicate is a no-op.
    for (const i of batch.items) if (i.mayPend) this.writer.append(i.update);
    for (const i of batch.items) i.slot?.release();
    // Inserts still waiting in Yjs for what they are placed next to: checked when placed.
    for (const i of batch.items) if (i.placed) this.unplaced.add(i.placed, i.conn);
    // Updates admitted while a big one was sliced are still counted as coming until they apply.
    if (this.incoming) this.shape.recount();
    else this.shape.settled();
    void this.writer.durable().then(batch.settle);
    if (batch.waits.length > 0) {
      this.waiting.push(...batch.waits);
      this.releaseWaiting();
    }
    this.endSlicing();
  }

  /** Acknowledges waiting messages whose structs are all in the doc now, once what is stored covers them. */
  private releaseWaiting(): void {
    const durable = this.writer.durable();
    this.waiting = this.waiting.filter((w) => {
      for (const [client, r] of w.ranges) if (Y.getState(this.doc.store, client) < r.end) return true;
      void durable.then(w.resolve);
      return false;
    });
  }

  /** The pad was evicted or closed mid-batch: nothing more of it applies, and its slots are freed. */
  private abandon(batch: Incoming): void {
    this.slicing = null;
    for (const i of batch.items) i.slot?.release();
    this.endSlicing();
  }

  private endSlicing(): void {
    if (this.slicing) return;
    const waiting = this.sliced;
    this.sliced = null;
    waiting?.settle();
    if (waiting && this.incoming) this.parts.clock.after(0, () => this.applyIncoming());
  }

  /** Applies everything admitted so far, waiting out big updates applied a slice per turn (HTTP writes, close). */
  private async applyAll(): Promise<void> {
    for (;;) {
      this.applyIncoming();
      if (!this.sliced) return;
      await this.sliced.done;
    }
  }

  /**
   * An insert was placed where its origins were never neighbours (HI13, found only once its
   * batch was in the doc): its sender is closed with 4401, and since the doc now holds the
   * batch, which was neither stored nor sent, the pad is reloaded from storage; the others on
   * it reconnect and send their part again (it was not acknowledged). An insert that had
   * waited in Yjs for a dependency (`stored`) is in storage as it was received (HI3), so the
   * reload would place it again: closing the pad first quarantines its entry
   * (`PadWriter.refuseStored`), and whoever sent the dependency succeeds on resending it.
   */
  private refuseBatch(refused: { conn: Conn | null; stored: readonly number[] | null }, err: Error): false {
    const refusal = err instanceof UnplacedRefused ? err.refusal : err;
    const dear = refusal instanceof PlacedTooDear;
    this.parts.metrics.rejected.inc({ reason: dear ? refusal.limit : 'invalid_origins' });
    this.log.warn(
      { conn: refused.conn?.id ?? null, stored: refused.stored !== null, err: err.message },
      dear
        ? "checking where inserts were placed passed the update's walk budget; batch discarded"
        : 'insert placed between non-neighbours; batch discarded',
    );
    if (refused.stored) this.refusedStored.push(...refused.stored);
    refused.conn?.close(dear ? CloseCode.UpdateTooComplex : CloseCode.InvalidUpdate, err.message);
    this.evict(CloseCode.Reload, refused.stored ? RELOAD_WITHOUT_REFUSED : 'pad reloaded after an invalid update');
    return false;
  }

  /** Replaces the whole text through the CRDT (so editors see a live edit); resolves once durable. */
  async replaceText(next: string): Promise<void> {
    // Clients' updates queued this turn go first, so the diff and the size check see them.
    await this.applyAll();
    const text = this.doc.getText(TEXT_NAME);
    const diff = textDiff(text.toString(), next);
    if (diff) {
      // The same checks a WebSocket update passes (design §5): refused before the doc is touched.
      this.checkGrowth(textDiffBytes(diff), diff.insert.length - diff.deleteCount, diff.insert.length > 0);
      this.doc.transact(() => applyDiff(text, diff), LOCAL_ORIGIN);
    }
    await this.writer.durable();
  }

  /** Resolves after every update received so far is applied and durable. */
  async durable(): Promise<void> {
    await this.applyAll();
    return this.writer.durable();
  }

  /** Records the pad's current state as a version now (a request or a restore). */
  recordVersion(reason: VersionMeta['reason'], name: string | null): Promise<VersionMeta> {
    if (!this.recorder) throw new Error('history is not enabled on this node');
    return this.recorder.record(reason, name);
  }

  /** One frame shared by every fresh joiner until the next change: a join storm on a large pad encodes and holds it once, not once per client. */
  private onDocUpdate(update: Uint8Array, rawOrigin: unknown): void {
    // A batch refused after Yjs placed it (HI13): the pad reloads from storage without it.
    if (this.discarding) return;
    // A peer's update or a retry may place inserts that waited (clients' batches check inside their transaction).
    if (!(isOrigin(rawOrigin) && rawOrigin.kind === 'client')) {
      try {
        this.unplaced.check(this.doc);
      } catch (err) {
        if (!(err instanceof UnplacedRefused)) throw err;
        this.discarding = true;
        this.refuseBatch({ conn: err.from, stored: err.refusal.ids }, err);
        return;
      }
    }
    this.parts.joinState.push(update);
    this.shape.recount();
    this.forward(update, rawOrigin);
    if (this.doc.store.pendingStructs && !this.retryTimer && this.pendingRetry.due(this.doc)) this.scheduleRetry();
    // A dependency may have come in (from any client, a peer or storage): stored with it, the
    // messages that waited for it are acknowledged.
    if (this.waiting.length > 0) this.releaseWaiting();
  }

  /** After slices over pending structs (HS2), or a load that left some: retried until nothing more integrates. */
  private forceRetry(): void {
    this.pendingRetry.force();
    if (!this.retryTimer) this.scheduleRetry();
  }

  /**
   * Retries the pending update when Yjs would not (`crdt/pending-retry.ts`, HF5), at most once
   * per PENDING_RETRY_MS: each retry re-reads the whole pending update (up to
   * MAX_PAD_PENDING_BYTES), and an attacker can make the check true with every message.
   */
  private scheduleRetry(): void {
    const wait = Math.max(0, this.lastRetry + PENDING_RETRY_MS - this.parts.clock.now());
    this.retryTimer = this.parts.clock.after(wait, () => {
      this.retryTimer = null;
      if (this.lifecycle.kind !== 'open' || !this.pendingRetry.due(this.doc)) return;
      this.lastRetry = this.parts.clock.now();
      try {
        this.pendingRetry.retry(this.doc, LOCAL_ORIGIN);
      } catch (err) {
        // As for a client's update that fails half-way: only storage is known good.
        this.log.error({ err }, 'retrying pending structs failed; reloading pad');
        this.evict(CloseCode.Reload, 'pad reloaded after an invalid update');
      }
    });
  }

  /** Fans out, replicates, records and stores a doc update by where it came from. */
  private forward(update: Uint8Array, rawOrigin: unknown): void {
    const origin: Origin | null = isOrigin(rawOrigin) ? rawOrigin : null;
    if (!origin || origin.kind === 'storage') return;
    this.parts.metrics.updates.inc({ origin: origin.kind });
    this.fanout.update(update, origin.kind === 'client' ? origin.conn : null);
    if (origin.kind !== 'bus') {
      this.link?.publishUpdate(update);
      this.recorder?.edited(update);
    }
    // Peers' updates are stored here too: if their node dies before its commit, the client
    // that made the edit re-sends it here, where it is already applied (a no-op), so this
    // copy is the one that makes our acknowledgement true (D1 across nodes).
    this.writer.append(update);
  }

  private onAwarenessUpdate({ added, updated, removed }: AwarenessChange, origin: unknown): void {
    const changed = [...added, ...updated, ...removed];
    if (changed.length === 0) return;
    // Text before presence: a cursor must not arrive ahead of the edit it sits in.
    this.applyIncoming();
    const states = this.awareness.getStates();
    // Authors come only from states the guard admitted (owned, normalised) or a peer node's guard did (PR8).
    for (const id of [...added, ...updated]) {
      const who = editorOf(states.get(id));
      if (who) this.recorder?.learn(id, who);
    }
    this.guard.removed(removed);
    this.fanout.awarenessChanged(changed);
    // Local joins, moves and leaves go to peers; a peer's own changes and timeouts do not.
    if (origin !== BUS_ORIGIN && origin !== 'timeout') this.link?.publishAwareness(changed);
  }

  /** The connections on this pad here (access re-checks, OW8). */
  connections(): readonly Conn[] {
    return [...this.conns];
  }

  /**
   * The pad was deleted (OW10): clients are dropped with `code`, and nothing more is written:
   * no pending edit, version or compaction. Resolves once writes already queued are done, so
   * the caller's delete runs after them.
   */
  discard(code: number, reason: string): Promise<void> {
    this.discarded = true;
    this.writer.discard();
    this.recorder?.destroy();
    this.evict(code, reason);
    return this.writer.durable();
  }

  /** Drops all clients (they reconnect and resync) and asks the registry to forget this room. */
  evict(code: number, reason: string): void {
    for (const c of [...this.conns]) c.close(code, reason);
    this.parts.evicted();
  }

  /** Waits for pending writes, compacts if worthwhile, and frees memory. */
  close(): Promise<void> {
    if (this.lifecycle.kind === 'closing') return this.lifecycle.done;
    if (this.lifecycle.kind === 'closed') return Promise.resolve();
    this.applyIncoming();
    const done = (async () => {
      // A big update being applied finishes first: its sender may hold an acknowledgement promise.
      await this.applyAll();
      await this.link?.close();
      if (this.recorder?.dirty && !this.discarded) await this.recorder.record('close').catch(() => {});
      this.recorder?.destroy();
      await this.writer.close();
      if (this.refusedStored.length > 0 && !this.discarded) {
        const refused = await this.writer.refuseStored(this.refusedStored);
        this.log.warn({ refused }, 'stored inserts placed between non-neighbours quarantined');
      }
      this.retryTimer?.cancel();
      this.fanout.destroy();
      this.unwatchPresence();
      this.awareness.destroy();
      this.doc.destroy();
      this.lifecycle = { kind: 'closed' };
    })();
    this.lifecycle = { kind: 'closing', done };
    return done;
  }
}

/**
 * Why the others on a pad reconnect after an insert that had waited for a dependency was
 * refused once placed (HI13): often in the batch of whoever sent the dependency, who then
 * sends it again and is saved.
 */
export const RELOAD_WITHOUT_REFUSED = 'pad reloaded without an insert refused once placed; send unsaved edits again';

/** Delete-set steps past which it is applied in slices: about one slice's worth of walking. */
const DELETE_SLICE_STEPS = DELETE_SLICE_VISITS / DELETE_VISITS_PER_STEP;

/** How an admitted update is applied: whole in the batch (null), or a slice per turn (HS2). */
function slicerFor(update: Uint8Array, shape: UpdateShape, deleteSteps: number): Slicer | null {
  // Only a recorded shape (the session's stepped read) locates the structs a slice is cut from.
  const bigStructs = shape.table !== null && shape.structs > SLICE_STRUCTS;
  if (deleteSteps <= DELETE_SLICE_STEPS) return bigStructs ? new UpdateSlicer(update, shape.table!) : null;
  const structs = bigStructs
    ? new UpdateSlicer(update, shape.table!, SLICE_STRUCTS, false)
    : shape.structs > 0
      ? oneSlice(structsOnly(update, shape.deleteSetAt))
      : null;
  return new DeleteSlicer(structs, shape.deletes);
}

function newSettler(): { done: Promise<void>; settle: () => void } {
  let settle = () => {};
  const done = new Promise<void>((resolve) => (settle = resolve));
  return { done, settle };
}

/** A state vector with no clients: the joining client has nothing yet. */
/**
 * Structs an encode of the pad for a sync step 1 writes per scan step charged: measured
 * 11-19 ms for a pad of 100,000 structs (~0.15 µs each), a walk step 2-8 µs (HI1). A pad of
 * 100,000 structs costs 3,125 steps: an address gets 8 such answers at once, then ~3 per
 * second; one past 800,000 structs takes the whole burst (25,000), one per 2.5 s.
 */
export const SYNC_STRUCTS_PER_STEP = 32;

function isEmptyStateVector(sv: Uint8Array): boolean {
  return sv.length === 1 && sv[0] === 0;
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}
