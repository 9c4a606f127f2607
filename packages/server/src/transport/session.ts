import { CloseCode, ProtocolError, carriesUpdate, decodeMessage, encodeMessage, type Message } from '@padmesh/protocol';
import { delay, systemClock, type Clock } from '../clock.js';
import { ShapeError, readUpdateShape, shapeSteps, type ShapeLimits, type UpdateShape } from '../crdt/update-shape.js';
import { wouldChange } from '../crdt/would-change.js';
import { DELETE_VISITS_PER_STEP, SCAN_PART, ScanInParts, type Prescan } from '../room/scan-probe.js';
import { AllOf, TokenBucket, type Bucket } from '../limits.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { Preload } from '../room/preload.js';
import type { Room } from '../room/room.js';
import { SliceGate, type Claim } from './slice-gate.js';
import { CloseError, type Conn } from './socket.js';
import { Throttle, type Reader } from './throttle.js';

export interface SessionDeps {
  metrics: Metrics;
  /** Made on first use: most connections never log, and a pino child costs about a kilobyte. */
  log: () => Logger;
  messagesPerSec: number;
  messageBurst: number;
  /** How long a client may stay over the rate (its reading paused) before it counts as a flood (E5). */
  maxThrottledMs?: number;
  /** Read-ahead past which a paused client counts as a flood; defaults to no bound. */
  maxBacklogBytes?: number;
  /** The rate limit's time (tokens refill, throttling lasts); the system clock by default. */
  clock?: Clock;
  /** Per-update shape limits (HI1). */
  shape: ShapeLimits;
  /** The node's slots for big updates (HS3); a session of its own when absent (tests). */
  slices?: SliceGate;
  /**
   * The scan budget (HI1), shared by every connection from the client's address so a new
   * socket does not bring a fresh burst; one per session when absent (tests).
   */
  scans?: TokenBucket;
  /**
   * The message budget of the client's address (L4), drawn on beside the connection's own:
   * 200 sockets each with a fresh burst were 100,000 messages at once. Its rate and its share
   * of one turn (`TurnShares`). None when absent (tests).
   */
  addressMessages?: Bucket;
}

/**
 * Updates up to this size take the one-turn path (shape read with its checks, apply in the
 * turn's batch): at least 2 bytes a struct, so at most ~4k structs, ~10 ms. Every keystroke
 * is far below it. Bigger ones are read in steps (HS1), and past one step hold the
 * connection and take a node slot (HS3).
 */
export const SMALL_UPDATE_BYTES = 8 * 1024;

/** Without a configured bound (tests, the simulator), a throttled client is never cut for time. */
const NO_BOUND = Number.POSITIVE_INFINITY;

/**
 * Sync step 1 asks the server to encode what the client lacks, O(pad) each time (HI5). A
 * client sends one per connect (y-websocket's optional resync adds one per interval);
 * these let a reconnecting client through and stop one looping on it.
 */
const SYNC_STEP1_BURST = 4;
const SYNC_STEP1_PER_SEC = 0.2;
/**
 * Structs Yjs may walk past to place an address's inserts among concurrent ones and to apply
 * its delete sets (HI1, `room/scan-probe.ts`), shared by all its connections. Yjs walks 2-8 µs
 * per struct (measured: 200 updates each walking 100,000 took 46 s; delete sets ~3 µs per
 * step), so the burst is at most ~25-100 ms of event loop in one turn and the rate a few
 * percent of a core. (A burst of 100,000 let one accepted delete set hold the loop 0.43 s in
 * the hostile bench.) An honest keystroke walks past nothing; an offline merge past what others
 * inserted at the same spots meanwhile (merged runs: a few structs each); 3,000 word deletes
 * are charged 6,007.
 */
export const SCAN_STEPS_BURST = 25_000;
export const SCAN_STEPS_PER_SEC = 10_000;

/**
 * One client connection's conversation with its pad: frames are held until the pad is
 * loaded, then decoded, rate-limited and checked before the room sees them; each
 * update-bearing message is counted, and `saved {seq}` goes back once it is durable (D1).
 * Bad input closes this connection only, with a code and reason (H-rules).
 */
export class Session {
  private room: Room | null = null;
  private readonly early = new Preload<Uint8Array>();
  private readonly throttle: Throttle;
  /** Sync step 1 answers encode the pad: at most a few per connection (HI5). */
  private readonly syncBucket: TokenBucket;
  /** Yjs integration steps this connection may cause (HI1: items walked at a crowded spot). */
  private readonly scanBucket: TokenBucket;
  /** Update-bearing messages received (sync-step2 + update); what `saved {seq}` counts. */
  private received = 0;
  /** After refusing input, frames already in flight behind it are ignored. */
  private refused = false;
  /** The batch this connection's latest update rides in, and that update's seq. */
  private ack: { durable: Promise<void>; seq: number } | null = null;
  /** Settles once every acknowledgement so far is sent. */
  private acked: Promise<void> = Promise.resolve();
  private readonly clock: Clock;
  private readonly slices: SliceGate;

  constructor(
    readonly conn: Conn,
    private readonly deps: SessionDeps,
  ) {
    const clock = (this.clock = deps.clock ?? systemClock);
    this.slices = deps.slices ?? new SliceGate();
    const now = () => clock.now();
    this.syncBucket = new TokenBucket(SYNC_STEP1_PER_SEC, SYNC_STEP1_BURST, now);
    this.scanBucket = deps.scans ?? new TokenBucket(SCAN_STEPS_PER_SEC, SCAN_STEPS_BURST, now);
    const own = new TokenBucket(deps.messagesPerSec, deps.messageBurst, now);
    this.throttle = new Throttle(
      deps.addressMessages ? new AllOf(own, deps.addressMessages) : own,
      conn.socket.pause && conn.socket.resume ? (conn.socket as Reader) : null,
      { maxBacklogBytes: deps.maxBacklogBytes ?? NO_BOUND, maxThrottledMs: deps.maxThrottledMs ?? NO_BOUND, clock },
      (data) => {
        if (this.room) this.deliver(this.room, data);
      },
      (why) => {
        this.refused = true;
        // Which bucket held it back is not known here: the connection's own, or its address's.
        const reason = `more than ${deps.messagesPerSec} messages per second, sustained${deps.addressMessages ? " (or past its address's share)" : ''}`;
        deps.log().warn({ code: CloseCode.RateLimited, why }, 'closing a connection that floods');
        deps.metrics.rejected.inc({ reason: `rate_${why}` });
        this.conn.close(CloseCode.RateLimited, reason);
      },
    );
  }

  /** A frame from the client, in arrival order. */
  receive(data: Uint8Array): void {
    this.early.push(data);
  }

  /** The pad is loaded: join it and play the frames that waited. */
  attach(room: Room): void {
    this.room = room;
    room.join(this.conn);
    this.early.open((data) => this.throttle.push(data));
  }

  /** The socket closed: leave the pad. Returns the room it was in, if any. */
  detach(): Room | null {
    const room = this.room;
    this.room = null;
    this.throttle.stop();
    room?.leave(this.conn);
    return room;
  }

  private deliver(room: Room, data: Uint8Array): void {
    if (this.refused || this.room !== room || !room.isOpen) return;
    try {
      this.dispatch(room, decode(data));
    } catch (err) {
      this.refuse(err);
    }
  }

  /** Bad input (or an internal error): this connection is closed with its code, nothing more of it is read. */
  private refuse(err: unknown): void {
    this.refused = true;
    if (err instanceof CloseError) {
      this.deps.log().warn({ code: err.code, reason: err.message }, 'closing connection on bad input');
      this.deps.metrics.rejected.inc({ reason: `close_${err.code}` });
      this.throttle.stop();
      this.conn.close(err.code, err.message);
    } else {
      this.deps.log().error({ err }, 'unexpected error handling message');
      this.conn.close(CloseCode.Reload, 'internal error');
    }
  }

  private dispatch(room: Room, msg: Message): void {
    if (carriesUpdate(msg)) return this.update(room, msg.update);
    switch (msg.type) {
      case 'sync-step1':
        if (!this.syncBucket.take()) {
          this.deps.metrics.rejected.inc({ reason: 'sync_step1_rate' });
          throw new CloseError(CloseCode.RateLimited, `more than ${SYNC_STEP1_BURST} sync requests in a burst`);
        }
        {
          const answer = room.syncAnswer(msg.stateVector, this.scanBucket);
          if (!(answer instanceof Promise)) return this.conn.sendAnswer(answer);
          void answer.then(
            (frames) => this.conn.sendAnswer(frames),
            (err: unknown) => this.refuse(err),
          );
          return;
        }
      case 'awareness':
        return room.applyPresence(this.conn, msg.update);
      case 'query-awareness':
        return this.conn.send(room.presenceFrame(this.conn));
      case 'auth':
      case 'saved':
      case 'versions':
        // Server-to-client messages; a client echoing them is harmless.
        return;
      default: {
        const never: never = msg;
        throw new CloseError(CloseCode.MalformedMessage, `unexpected message ${(never as Message).type}`);
      }
    }
  }

  private update(room: Room, update: Uint8Array): void {
    const seq = ++this.received;
    if (update.length <= SMALL_UPDATE_BYTES) {
      // Read once, checked on the way as checkUpdate would (P10): a refusal is 4401 'invalid_update' as before.
      const shape = this.shapeOf(() => readUpdateShape(update, this.deps.shape, true));
      // The net characters the update adds (E2: text it also deletes doesn't count) replace the shape's raw count.
      return this.admit(room, update, seq, shape, shape.checked!, null);
    }
    // Bigger: read in steps that also validate as checkUpdate does (Y.decodeUpdate of 200k structs is ~300 ms).
    const steps = shapeSteps(update, this.deps.shape, true);
    const first = this.shapeOf(() => steps.next());
    if (first.done) return this.admit(room, update, seq, first.value, first.value.checked!, null);
    // Past one step: this connection's next message waits until this one is admitted (order), and
    // the node reads one such update at a time, a step per turn, so other pads keep moving (HS3).
    const slot = this.slices.claim();
    if (!slot) {
      this.deps.metrics.rejected.inc({ reason: 'slicing_busy' });
      throw new CloseError(CloseCode.NodeOverloaded, 'server is busy with large updates; try again later');
    }
    this.throttle.hold();
    void this.finishBig(room, update, seq, steps, slot);
  }

  /** Reads the rest of a big update a step per turn, then admits it; the slot goes to the room with it. */
  private async finishBig(
    room: Room,
    update: Uint8Array,
    seq: number,
    steps: Generator<void, UpdateShape, void>,
    slot: Claim,
  ): Promise<void> {
    await slot.granted;
    let handedOver = false;
    const gone = () => this.refused || this.room !== room || !room.isOpen;
    try {
      let shape: UpdateShape;
      for (;;) {
        await delay(this.clock, 0);
        if (gone()) return;
        const r = this.shapeOf(() => steps.next());
        if (r.done) {
          shape = r.value;
          break;
        }
      }
      // Its walks too, a part per turn (HI1): admitting charges what they found.
      let prescan: Prescan | null = null;
      if (shape.anchors.length > SCAN_PART) {
        const scan = new ScanInParts(shape.anchors, Math.floor(this.scanBucket.available()));
        while (!prescan) {
          await delay(this.clock, 0);
          if (gone()) return;
          prescan = scan.step(room.doc);
        }
      }
      this.admit(room, update, seq, shape, shape.checked!, slot, prescan ?? undefined);
      handedOver = true;
    } catch (err) {
      this.refuse(err);
    } finally {
      if (!handedOver) slot.release();
      this.throttle.release();
    }
  }

  /** The checks past the shape (OW12), then into the room's batch; `saved` once it is durable (D1). */
  private admit(
    room: Room,
    update: Uint8Array,
    seq: number,
    shape: UpdateShape,
    checked: { changes: number; insertedChars: number },
    slot: Claim | null,
    prescan?: Prescan,
  ): void {
    // OW12: only what would really change the pad; a cached doc's resync is not an edit.
    if (this.conn.readOnly && checked.changes > 0) {
      // Its walk over the delete set is charged like Yjs's own (HI1), to the same budget.
      const allowed = Math.floor(this.scanBucket.available()) * DELETE_VISITS_PER_STEP;
      const { change, visits } = wouldChange(room.doc, shape, allowed);
      if (!this.scanBucket.take(Math.ceil(visits / DELETE_VISITS_PER_STEP))) {
        this.deps.metrics.rejected.inc({ reason: 'scan_budget' });
        throw new CloseError(CloseCode.UpdateTooComplex, 'update would make the server scan too many structs');
      }
      if (change) {
        this.deps.metrics.rejected.inc({ reason: 'read_only' });
        throw new CloseError(CloseCode.ReadOnly, 'this link is read-only');
      }
    }
    // The net characters (E2) replace the raw count in place: the shape is this message's own,
    // and a copy of it per keystroke was garbage the moment the room took it.
    shape.insertedChars = checked.insertedChars;
    const durable = room.submit(this.conn, update, shape, this.scanBucket, slot ?? undefined, prescan);
    if (this.conn.wantsAcks) this.acknowledgeWhen(durable, seq);
  }

  /** Reads the update's shape (HI1) before anything else decodes it into structs. */
  private shapeOf<T>(read: () => T): T {
    try {
      return read();
    } catch (err) {
      if (err instanceof ShapeError) {
        this.deps.metrics.rejected.inc({ reason: err.limit });
        throw new CloseError(CloseCode.UpdateTooComplex, err.message);
      }
      this.deps.metrics.rejected.inc({ reason: 'invalid_update' });
      throw new CloseError(CloseCode.InvalidUpdate, `invalid Yjs update: ${(err as Error).message}`);
    }
  }

  /**
   * `saved {seq}` covers everything up to seq, so one per batch is enough: the latest seq in it.
   * Acknowledgements go out in order: a message that waits for a dependency (HI3) holds back
   * the ones after it, which may be durable sooner.
   */
  private acknowledgeWhen(durable: Promise<void>, seq: number): void {
    if (this.ack?.durable === durable) {
      this.ack.seq = seq;
      return;
    }
    const ack = (this.ack = { durable, seq });
    this.acked = Promise.all([this.acked, durable]).then(() =>
      this.conn.send(encodeMessage({ type: 'saved', seq: ack.seq })),
    );
  }
}

function decode(data: Uint8Array): Message {
  try {
    return decodeMessage(data);
  } catch (err) {
    if (err instanceof ProtocolError) throw new CloseError(CloseCode.MalformedMessage, err.message);
    throw err;
  }
}
