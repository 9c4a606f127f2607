import { CloseCode } from '@padmesh/protocol';
import { NO_CREDENTIAL, type Credential } from '../access/credential.js';
import { systemClock, type Clock, type Timer } from '../clock.js';

/** The minimal socket a room sees; `ws` stays in ws.ts (and tests can pass fakes). */
export interface Socket {
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
  readonly isOpen: boolean;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
  /** Stop / restart reading from the client (rate push-back, E5); fakes may leave them out. */
  pause?(): void;
  resume?(): void;
}

/** A closable failure: the boundary turns it into a WebSocket close code and reason. */
export class CloseError extends Error {
  override name = 'CloseError';
  constructor(
    readonly code: number,
    reason: string,
  ) {
    super(reason);
  }
}

/** How often a node with answers waiting for room in its send budget re-reads backlogs (HI5). */
export const BUDGET_POLL_MS = 25;

/**
 * Node-wide bound on bytes queued to clients that have not read them (HI5). Each socket has
 * its own bound too, but a few hundred sockets each under it, each asking for a whole pad
 * (sync step 1), grew a node by 2 GiB. An answer to a sync step 1 that would pass the budget
 * waits for room, first come first served, while the connections that stopped draining are
 * cut (4508) after SLOW_GRACE_MS: 150 honest clients joining a 4 MB pad at once passed 256 MiB,
 * and cutting the biggest backlogs cut 86 of them while they read (the join storm bench).
 * Any other frame that would pass it cuts the connections holding the most unsent bytes
 * until it fits. So the node grows by at most the budget plus one frame.
 */
export class SendBudget {
  /** Last known backlog of each connection that had one; the total is kept incrementally. */
  private readonly backlog = new Map<Conn, number>();
  private total = 0;
  /** Connections whose answer waits for room, in arrival order. */
  private readonly waiting: Conn[] = [];
  /** Per connection with a backlog while answers wait: bytes it had read, and since when. */
  private readonly progress = new Map<Conn, { read: number; at: number }>();
  private poll: Timer | null = null;

  constructor(
    readonly maxBytes: number,
    private readonly clock: Clock = systemClock,
  ) {}

  get queuedBytes(): number {
    return this.total;
  }

  /** Answers waiting for room. */
  get waitingAnswers(): number {
    return this.waiting.length;
  }

  /** `conn` holds `queued` bytes and is about to queue `frame` more: false if it was cut instead. */
  admit(conn: Conn, queued: number, frame: number): boolean {
    this.set(conn, queued + frame);
    if (this.total <= this.maxBytes) return true;
    this.refresh(conn, queued + frame);
    while (this.total > this.maxBytes) {
      let worst: Conn | null = null;
      for (const [c, n] of this.backlog) if (!worst || n > this.backlog.get(worst)!) worst = c;
      if (!worst) break;
      this.forget(worst);
      worst.cutSlow('node send buffer budget reached; client is not reading');
      if (worst === conn) return false;
    }
    return true;
  }

  /** True if an answer of `bytes` may go out now: nothing waits before it and it fits (or nothing is queued). */
  mayAnswer(bytes: number): boolean {
    if (this.waiting.length > 0) return false;
    if (this.total + bytes <= this.maxBytes) return true;
    this.refresh();
    return this.total + bytes <= this.maxBytes || this.total === 0;
  }

  /** `conn` holds an answer until there is room (Conn.releaseHeld). */
  wait(conn: Conn): void {
    this.waiting.push(conn);
    this.poll ??= this.clock.every(BUDGET_POLL_MS, () => this.tick());
  }

  forget(conn: Conn): void {
    this.set(conn, 0);
    this.progress.delete(conn);
  }

  private tick(): void {
    this.refresh();
    const now = this.clock.now();
    for (const c of this.backlog.keys()) {
      const read = c.sentBytes - c.queuedBytes;
      const p = this.progress.get(c);
      if (!p || read > p.read) this.progress.set(c, { read, at: now });
      else if (now - p.at > SLOW_GRACE_MS) {
        this.forget(c);
        c.cutSlow('node send buffer budget reached; client is not reading');
      }
    }
    while (this.waiting.length > 0) {
      const head = this.waiting[0]!;
      if (!head.isOpen || head.heldBytes === 0) {
        this.waiting.shift();
        continue;
      }
      if (this.total + head.heldBytes > this.maxBytes && this.total > 0) break;
      this.waiting.shift();
      head.releaseHeld();
    }
    if (this.waiting.length === 0) {
      this.poll?.cancel();
      this.poll = null;
      this.progress.clear();
    }
  }

  /** The incremental total is stale for sockets that drained since they last sent: re-read. */
  private refresh(conn?: Conn, bytes = 0): void {
    for (const c of [...this.backlog.keys()]) this.set(c, c === conn ? bytes : c.queuedBytes);
  }

  private set(conn: Conn, bytes: number): void {
    const n = conn.isOpen ? bytes : 0;
    this.total += n - (this.backlog.get(conn) ?? 0);
    if (n > 0) this.backlog.set(conn, n);
    else {
      this.backlog.delete(conn);
      this.progress.delete(conn);
    }
  }
}

let nextConnId = 1;
/** How long a client may stay over its send-buffer bound before it counts as not reading. */
const SLOW_GRACE_MS = 2_000;
/** Over this multiple of the bound, a client is cut at once (memory protection). */
const HARD_FACTOR = 8;

/** One client connection to one pad. */
export class Conn {
  readonly id = nextConnId++;
  /** Awareness client ids this connection has announced, removed when it leaves. */
  readonly awarenessIds = new Set<number>();
  private overSince: number | null = null;
  /** How the socket was admitted, re-checked whenever the pad's access changes (OW8). */
  credential: Credential = NO_CREDENTIAL;
  /** Opted in with `padmesh=2`: told when the pad's history gains a version (V7). */
  wantsVersions = false;

  constructor(
    readonly socket: Socket,
    readonly pad: string,
    /** Set when the client opted into padmesh extension messages. */
    readonly wantsAcks: boolean,
    /** Came through a read-only link: may sync and show presence, never edit (A2). */
    readonly readOnly: boolean,
    /** A client that stops reading is cut off past this many unsent bytes, so it cannot grow our memory. */
    private readonly maxBuffered = Number.POSITIVE_INFINITY,
    /** Called once when the connection is cut for not reading. */
    private readonly onSlow: () => void = () => {},
    /** The node-wide send budget this connection's unsent bytes count against (HI5). */
    private readonly budget: SendBudget | null = null,
  ) {}

  get isOpen(): boolean {
    return this.socket.isOpen;
  }

  get queuedBytes(): number {
    return this.socket.bufferedAmount;
  }

  /** Cut for not reading (its own bound or the node's budget). */
  cutSlow(reason: string): void {
    if (!this.socket.isOpen) return;
    this.onSlow();
    this.socket.close(CloseCode.SlowConsumer, reason);
    this.budget?.forget(this);
  }

  /**
   * An answer to a sync step 1 (a whole pad for a joiner): sent now if the node's send budget
   * has room, else held, with every frame sent to this connection after it, until it has (HI5).
   */
  sendAnswer(frames: readonly Uint8Array[]): void {
    if (!this.socket.isOpen) return;
    const bytes = frames.reduce((n, f) => n + f.length, 0);
    if (this.held === null && (!this.budget || this.budget.mayAnswer(this.queuedBytes + bytes))) {
      for (const f of frames) this.send(f);
      return;
    }
    const first = this.held === null;
    this.held ??= [];
    for (const f of frames) this.hold(f);
    if (first) this.budget!.wait(this);
  }

  /** Bytes handed to the socket so far (what it read is this less `queuedBytes`). */
  get sentBytes(): number {
    return this.sent;
  }

  private sent = 0;

  /** Bytes held back behind a waiting answer. */
  get heldBytes(): number {
    return this.heldSize;
  }

  /** The node's budget has room: what was held goes out, in order. */
  releaseHeld(): void {
    const frames = this.held ?? [];
    this.held = null;
    this.heldSize = 0;
    this.heldAfter = 0;
    for (const f of frames) this.send(f);
  }

  private held: Uint8Array[] | null = null;
  private heldSize = 0;
  /** Of heldSize, what came after the answer (live edits, presence): bounded like a socket's backlog. */
  private heldAfter = 0;

  private hold(data: Uint8Array): void {
    this.held!.push(data);
    this.heldSize += data.length;
  }

  send(data: Uint8Array): void {
    if (!this.socket.isOpen) return;
    if (this.held !== null) {
      this.heldAfter += data.length;
      if (this.heldAfter > this.maxBuffered) {
        this.held = null;
        this.heldSize = 0;
        this.cutSlow('client is not reading; send buffer limit reached while its answer waited');
        return;
      }
      this.hold(data);
      return;
    }
    // Slow means "not draining": over the bound for a grace period, or far over it at once.
    // A healthy reader may briefly hold one large merged frame.
    const queued = this.socket.bufferedAmount;
    if (queued > this.maxBuffered) {
      const now = Date.now();
      this.overSince ??= now;
      if (queued > this.maxBuffered * HARD_FACTOR || now - this.overSince > SLOW_GRACE_MS) {
        this.cutSlow('client is not reading; send buffer limit reached');
        return;
      }
    } else this.overSince = null;
    if (this.budget && !this.budget.admit(this, queued, data.length)) return;
    this.sent += data.length;
    this.socket.send(data);
  }

  close(code: number, reason: string): void {
    if (this.socket.isOpen) this.socket.close(code, reason);
    this.budget?.forget(this);
  }
}
