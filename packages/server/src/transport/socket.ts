import { CloseCode } from '@padmesh/protocol';
import { NO_CREDENTIAL, type Credential } from '../access/credential.js';

/** The minimal socket a room sees; `ws` stays in ws.ts (and tests can pass fakes). */
export interface Socket {
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
  readonly isOpen: boolean;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
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
  ) {}

  send(data: Uint8Array): void {
    if (!this.socket.isOpen) return;
    // Slow means "not draining": over the bound for a grace period, or far over it at once.
    // A healthy reader may briefly hold one large merged frame.
    const queued = this.socket.bufferedAmount;
    if (queued > this.maxBuffered) {
      const now = Date.now();
      this.overSince ??= now;
      if (queued > this.maxBuffered * HARD_FACTOR || now - this.overSince > SLOW_GRACE_MS) {
        this.onSlow();
        this.socket.close(CloseCode.SlowConsumer, 'client is not reading; send buffer limit reached');
        return;
      }
    } else this.overSince = null;
    this.socket.send(data);
  }

  close(code: number, reason: string): void {
    if (this.socket.isOpen) this.socket.close(code, reason);
  }
}
