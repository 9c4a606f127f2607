import { CloseCode } from '@padmesh/protocol';

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

/** One client connection to one pad. */
export class Conn {
  readonly id = nextConnId++;
  /** Update-bearing messages received (sync-step2 + update); what `saved` acknowledges. */
  received = 0;
  /** Awareness client ids this connection has announced, removed when it leaves. */
  readonly awarenessIds = new Set<number>();

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
    // Judge by what is already queued: one large frame to a healthy reader is fine.
    if (this.socket.bufferedAmount > this.maxBuffered) {
      this.onSlow();
      this.socket.close(CloseCode.SlowConsumer, 'client is not reading; send buffer limit reached');
      return;
    }
    this.socket.send(data);
  }

  close(code: number, reason: string): void {
    if (this.socket.isOpen) this.socket.close(code, reason);
  }
}
