import { decodeMessage, encodeMessage, type Message } from '@padmesh/protocol';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { handleServerMessage } from '../client-protocol.js';
import type { Credential } from '../../src/access/credential.js';
import type { Room } from '../../src/room/room.js';
import type { Rooms } from '../../src/room/rooms.js';
import { Session, type SessionDeps } from '../../src/transport/session.js';
import type { SendBudget } from '../../src/transport/send-budget.js';
import { Conn } from '../../src/transport/socket.js';
import { FakeSocket } from './fake-socket.js';

export interface SimClientOptions {
  /** Opt into padmesh's `saved` acknowledgements (default true, like the web app). */
  acks?: boolean;
  /** Opt into `versions` announcements too (`padmesh=2`, V7; default false, like a `padmesh=1` client). */
  versions?: boolean;
  readOnly?: boolean;
  /** Reconnect with an existing doc: the client re-sends what the server lacks. */
  doc?: Y.Doc;
  /** Cut off past this many unsent bytes (MAX_SEND_BUFFER_BYTES). */
  maxSendBufferBytes?: number;
  /** Called once if the connection is cut for not reading (the transport counts it). */
  onSlow?: () => void;
  /** The node's send budget (HI5). */
  sendBudget?: SendBudget;
  /** How the transport admitted it (a read-only id or an unlock token), re-checked on access changes. */
  credential?: Credential;
}

/**
 * A y-websocket client wired to a node through a fake socket pair. Nothing moves until the
 * test (or `Sim.run`) calls `flushUp` / `flushDown`, so orderings are chosen, not raced.
 */
export class SimClient {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  readonly socket = new FakeSocket();
  readonly conn: Conn;
  readonly session: Session;
  /** Frames written by this client, not yet read by the server. */
  readonly upbox: Uint8Array[] = [];
  readonly received: Message[] = [];
  /** Update-bearing messages sent (what `saved {seq}` counts). */
  sent = 0;
  acked = 0;
  synced = false;
  /** A client that stopped reading: `flushDown` leaves its frames queued (slow-consumer rules). */
  paused = false;
  private room: Room | null = null;
  private left = false;

  constructor(
    private readonly rooms: Rooms,
    readonly pad: string,
    sessionDeps: SessionDeps,
    opts: SimClientOptions = {},
  ) {
    this.doc = opts.doc ?? new Y.Doc();
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.awareness.setLocalState(null);
    this.conn = new Conn(
      this.socket,
      pad,
      opts.acks ?? true,
      opts.readOnly ?? false,
      opts.maxSendBufferBytes,
      opts.onSlow,
      opts.sendBudget ?? null,
    );
    if (opts.credential) this.conn.credential = opts.credential;
    this.conn.wantsVersions = opts.versions ?? false;
    this.session = new Session(this.conn, sessionDeps);
    this.doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
    this.sendRaw(encodeMessage({ type: 'sync-step1', stateVector: Y.encodeStateVector(this.doc) }));
  }

  /** Opens the pad on the node, as the transport does once a socket is admitted. */
  async open(): Promise<this> {
    const room = await this.rooms.acquire(this.pad);
    if (this.left) {
      this.rooms.release(room);
      return this;
    }
    this.room = room;
    this.session.attach(room);
    return this;
  }

  get text(): string {
    return this.doc.getText('content').toString();
  }

  get closeCode(): number | null {
    return this.socket.closeCode;
  }

  get closeReason(): string {
    return this.socket.closeReason;
  }

  insert(index: number, text: string): number {
    this.doc.getText('content').insert(index, text);
    return this.sent;
  }

  delete(index: number, length: number): number {
    this.doc.getText('content').delete(index, length);
    return this.sent;
  }

  setPresence(state: Record<string, unknown> | null): void {
    this.awareness.setLocalState(state);
  }

  /** The presence states this client sees, keyed by Yjs client id (its own included). */
  get peers(): Map<number, Record<string, unknown>> {
    return this.awareness.getStates() as Map<number, Record<string, unknown>>;
  }

  /** Messages of one type this client has read so far. */
  receivedOf<T extends Message['type']>(type: T): Extract<Message, { type: T }>[] {
    return this.received.filter((m): m is Extract<Message, { type: T }> => m.type === type);
  }

  sendRaw(data: Uint8Array): void {
    this.upbox.push(data);
  }

  /** Server reads up to `max` frames this client wrote. Returns how many. */
  flushUp(max = Number.POSITIVE_INFINITY): number {
    let n = 0;
    while (n < max && this.upbox.length > 0 && this.socket.isOpen) {
      this.session.receive(this.upbox.shift()!);
      n++;
    }
    return n;
  }

  /** Client reads up to `max` frames the server sent. Returns how many. */
  flushDown(max = Number.POSITIVE_INFINITY): number {
    let n = 0;
    while (n < max && !this.paused && this.socket.outbox.length > 0) {
      this.onMessage(this.socket.take()!);
      n++;
    }
    return n;
  }

  /** The connection ends (either side): the server side leaves the pad, as on a socket close. */
  disconnect(): void {
    if (this.left) return;
    this.left = true;
    this.socket.close(1000, 'client left');
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    // Its outdated-state check is a real interval (y-protocols); keep the doc for a reconnect.
    this.awareness.destroy();
    const room = this.session.detach();
    if (room) this.rooms.release(room);
    this.room = null;
  }

  get isConnected(): boolean {
    return !this.left && this.socket.isOpen;
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin !== this) this.sendUpdate({ type: 'update', update });
  };

  private readonly onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ) => {
    if (origin === this) return;
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...added, ...updated, ...removed]);
    this.sendRaw(encodeMessage({ type: 'awareness', update }));
  };

  private sendUpdate(m: Message): void {
    this.sent++;
    this.sendRaw(encodeMessage(m));
  }

  private onMessage(data: Uint8Array): void {
    const m = decodeMessage(data);
    this.received.push(m);
    handleServerMessage(this, m);
  }

  /** Part of ProtocolClient: an update-bearing message, counted for `saved {seq}`. */
  sendCounted(m: Message): void {
    this.sendUpdate(m);
  }
}
