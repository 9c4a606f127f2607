import { CloseCode } from '@padmesh/protocol';
import { NO_CREDENTIAL, type Credential } from '../access/credential.js';

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

/**
 * Node-wide bound on bytes queued to clients that have not read them (HI5). Each socket has
 * its own bound too, but a few hundred sockets each under it, each asking for a whole pad
 * (sync step 1), grew a node by 2 GiB. Past this budget the connections holding the most
 * unsent bytes are cut (4508) until it fits, so the node grows by at most the budget plus
 * one frame, and clients that read (small backlogs) are not the ones cut.
 */
export class SendBudget {
  /** Last known backlog of each connection that had one; the total is kept incrementally. */
  private readonly backlog = new Map<Conn, number>();
  private total = 0;

  constructor(readonly maxBytes: number) {}

  get queuedBytes(): number {
    return this.total;
  }

  /** `conn` holds `queued` bytes and is about to queue `frame` more: false if it was cut instead. */
  admit(conn: Conn, queued: number, frame: number): boolean {
    this.set(conn, queued + frame);
    if (this.total <= this.maxBytes) return true;
    // The incremental total is stale for sockets that drained since they last sent: re-read.
    for (const c of [...this.backlog.keys()]) this.set(c, c === conn ? queued + frame : c.queuedBytes);
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

  forget(conn: Conn): void {
    this.set(conn, 0);
  }

  private set(conn: Conn, bytes: number): void {
    const n = conn.isOpen ? bytes : 0;
    this.total += n - (this.backlog.get(conn) ?? 0);
    if (n > 0) this.backlog.set(conn, n);
    else this.backlog.delete(conn);
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

  send(data: Uint8Array): void {
    if (!this.socket.isOpen) return;
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
    this.socket.send(data);
  }

  close(code: number, reason: string): void {
    if (this.socket.isOpen) this.socket.close(code, reason);
    this.budget?.forget(this);
  }
}
