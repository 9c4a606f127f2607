import { CloseCode } from '@padmesh/protocol';
import { NO_CREDENTIAL, type Credential } from '../access/credential.js';
import { SLOW_GRACE_MS, type SendBudget } from './send-budget.js';

/** The minimal socket a room sees; `ws` stays in ws.ts (and tests can pass fakes). */
export interface Socket {
  /** `onWritten` runs once the socket has written `data` out (or failed to). */
  send(data: Uint8Array, onWritten?: () => void): void;
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

let nextConnId = 1;
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
    if (this.held === null && (!this.budget || this.budget.mayAnswer(bytes, this.queuedBytes))) {
      this.writeAnswer(frames, bytes);
      return;
    }
    const first = this.held === null;
    this.held ??= [];
    if (first) {
      this.heldAnswerFrames = frames.length;
      this.heldAnswerSize = bytes;
    }
    for (const f of frames) this.hold(f);
    if (first) this.budget!.wait(this);
  }

  /** The answer counts against the node's answer window until its last frame is written (HI5). */
  private writeAnswer(frames: readonly Uint8Array[], bytes: number, after: readonly Uint8Array[] = []): void {
    const written = this.budget?.answering(this, bytes);
    frames.forEach((f, i) => this.send(f, i === frames.length - 1 ? written : undefined));
    for (const f of after) this.send(f);
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

  /** Of heldBytes, the waiting answer's. */
  get heldAnswerBytes(): number {
    return this.held === null ? 0 : this.heldAnswerSize;
  }

  /** The node's budget has room: what was held goes out, in order. */
  releaseHeld(): void {
    const frames = this.held ?? [];
    const n = this.heldAnswerFrames;
    this.held = null;
    this.heldSize = 0;
    this.heldAfter = 0;
    this.writeAnswer(frames.slice(0, n), this.heldAnswerSize, frames.slice(n));
  }

  private held: Uint8Array[] | null = null;
  /** The answer at the head of `held`: how many frames, how many bytes. */
  private heldAnswerFrames = 0;
  private heldAnswerSize = 0;
  private heldSize = 0;
  /** Of heldSize, what came after the answer (live edits, presence): bounded like a socket's backlog. */
  private heldAfter = 0;

  private hold(data: Uint8Array): void {
    this.held!.push(data);
    this.heldSize += data.length;
  }

  send(data: Uint8Array, onWritten?: () => void): void {
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
    this.socket.send(data, onWritten);
  }

  close(code: number, reason: string): void {
    if (this.socket.isOpen) this.socket.close(code, reason);
    this.budget?.forget(this);
  }
}
