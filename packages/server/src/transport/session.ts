import { CloseCode, ProtocolError, carriesUpdate, decodeMessage, encodeMessage, type Message } from '@padmesh/protocol';
import { checkUpdate } from '../crdt/update-check.js';
import { wouldChange } from '../crdt/would-change.js';
import { TokenBucket } from '../limits.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { Preload } from '../room/preload.js';
import type { Room } from '../room/room.js';
import { CloseError, type Conn } from './socket.js';

export interface SessionDeps {
  metrics: Metrics;
  /** Made on first use: most connections never log, and a pino child costs about a kilobyte. */
  log: () => Logger;
  messagesPerSec: number;
  messageBurst: number;
}

/**
 * One client connection's conversation with its pad: frames are held until the pad is
 * loaded, then decoded, rate-limited and checked before the room sees them; each
 * update-bearing message is counted, and `saved {seq}` goes back once it is durable (D1).
 * Bad input closes this connection only, with a code and reason (H-rules).
 */
export class Session {
  private room: Room | null = null;
  private readonly early = new Preload<Uint8Array>();
  private readonly bucket: TokenBucket;
  /** Update-bearing messages received (sync-step2 + update); what `saved {seq}` counts. */
  private received = 0;
  /** After refusing input, frames already in flight behind it are ignored. */
  private refused = false;
  /** The batch this connection's latest update rides in, and that update's seq. */
  private ack: { durable: Promise<void>; seq: number } | null = null;

  constructor(
    readonly conn: Conn,
    private readonly deps: SessionDeps,
  ) {
    this.bucket = new TokenBucket(deps.messagesPerSec, deps.messageBurst);
  }

  /** A frame from the client, in arrival order. */
  receive(data: Uint8Array): void {
    this.early.push(data);
  }

  /** The pad is loaded: join it and play the frames that waited. */
  attach(room: Room): void {
    this.room = room;
    room.join(this.conn);
    this.early.open((data) => this.deliver(room, data));
  }

  /** The socket closed: leave the pad. Returns the room it was in, if any. */
  detach(): Room | null {
    const room = this.room;
    this.room = null;
    room?.leave(this.conn);
    return room;
  }

  private deliver(room: Room, data: Uint8Array): void {
    if (this.refused || this.room !== room || !room.isOpen) return;
    try {
      if (!this.bucket.take()) {
        throw new CloseError(CloseCode.RateLimited, `more than ${this.deps.messagesPerSec} messages per second`);
      }
      this.dispatch(room, decode(data));
    } catch (err) {
      this.refused = true;
      if (err instanceof CloseError) {
        this.deps.log().warn({ code: err.code, reason: err.message }, 'closing connection on bad input');
        this.deps.metrics.rejected.inc({ reason: `close_${err.code}` });
        this.conn.close(err.code, err.message);
      } else {
        this.deps.log().error({ err }, 'unexpected error handling message');
        this.conn.close(CloseCode.Reload, 'internal error');
      }
    }
  }

  private dispatch(room: Room, msg: Message): void {
    if (carriesUpdate(msg)) return this.update(room, msg.update);
    switch (msg.type) {
      case 'sync-step1':
        return this.conn.send(room.syncAnswer(msg.stateVector));
      case 'awareness':
        return room.applyPresence(this.conn, msg.update);
      case 'query-awareness':
        return this.conn.send(room.presenceFrame());
      case 'auth':
      case 'saved':
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
    let inserted: number;
    let changes: number;
    try {
      ({ insertedChars: inserted, changes } = checkUpdate(update));
    } catch (err) {
      this.deps.metrics.rejected.inc({ reason: 'invalid_update' });
      throw new CloseError(CloseCode.InvalidUpdate, `invalid Yjs update: ${(err as Error).message}`);
    }
    // OW12: only what would really change the pad; a cached doc's resync is not an edit.
    if (this.conn.readOnly && changes > 0 && wouldChange(room.doc, update)) {
      this.deps.metrics.rejected.inc({ reason: 'read_only' });
      throw new CloseError(CloseCode.ReadOnly, 'this link is read-only');
    }
    const durable = room.submit(this.conn, update, inserted);
    if (this.conn.wantsAcks) this.acknowledgeWhen(durable, seq);
  }

  /** `saved {seq}` covers everything up to seq, so one per batch is enough: the latest seq in it. */
  private acknowledgeWhen(durable: Promise<void>, seq: number): void {
    if (this.ack?.durable === durable) {
      this.ack.seq = seq;
      return;
    }
    const ack = (this.ack = { durable, seq });
    void durable.then(() => this.conn.send(encodeMessage({ type: 'saved', seq: ack.seq })));
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
