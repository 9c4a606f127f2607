import WebSocket from 'ws';
import * as Y from 'yjs';
import { RawClient } from '@padmesh/server/testing';

/** One edit and the socket message that carries it: durable once that socket's `acked` reaches `seq`. */
interface Edit {
  token: string;
  /** Index into the client's sockets, or -1 while no socket has carried it yet. */
  sock: number;
  seq: number;
}

/** Between reconnect attempts (jittered), so a dead node is not hammered. */
const RETRY_MIN_MS = 20;
const RETRY_MAX_MS = 250;

/**
 * A RawClient that survives its socket: it keeps one Y.Doc across reconnects (so Yjs sync
 * re-sends whatever the server never stored, D2) and knows exactly which of its edits the
 * server acknowledged as durable.
 *
 * Bookkeeping: an edit typed on an open socket rides the update message whose number
 * `RawClient.insert` returns. An edit typed while disconnected, or sent on a socket that died
 * before acknowledging it, is carried by the sync step 2 of the next socket (the answer to
 * the server's state vector holds everything the server lacks), so it is re-assigned to that
 * message when it is sent.
 */
export class ReconnectingClient {
  readonly doc = new Y.Doc();
  readonly edits: Edit[] = [];
  private sockets: RawClient[] = [];
  private current: RawClient | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  reconnects = 0;
  /** Edits typed with no open socket (node down or reconnecting), delivered by a later sync. */
  offlineEdits = 0;

  constructor(
    private readonly url: () => string | null,
    readonly pad: string,
    private readonly rand: () => number,
  ) {
    this.connect();
  }

  get text(): string {
    return this.doc.getText('content').toString();
  }

  /** Synced on an open socket. */
  get live(): boolean {
    return this.current !== null && this.current.ws.readyState === WebSocket.OPEN && this.current.synced;
  }

  isAcked(e: Edit): boolean {
    return e.sock >= 0 && this.sockets[e.sock]!.acked >= e.seq;
  }

  /** Inserts `token` at a token boundary (tokens stay whole and findable). */
  type(token: string): void {
    const text = this.text;
    const bounds = [0];
    for (let i = text.indexOf('|'); i >= 0; i = text.indexOf('|', i + 1)) bounds.push(i + 1);
    const at = bounds[Math.floor(this.rand() * bounds.length)]!;
    const c = this.current;
    if (c && c.ws.readyState === WebSocket.OPEN) {
      this.edits.push({ token, sock: this.sockets.length - 1, seq: c.insert(at, token) });
    } else {
      // Offline edit: kept in the doc, delivered by the next socket's sync step 2.
      this.doc.getText('content').insert(at, token);
      this.edits.push({ token, sock: -1, seq: 0 });
      this.offlineEdits++;
    }
  }

  /** Kills the socket right after a whole update frame, or in the middle of one (fault). */
  drop(kind: 'whole' | 'partial', token: string): boolean {
    const c = this.current;
    if (!c || c.ws.readyState !== WebSocket.OPEN) return false;
    this.type(token);
    if (kind === 'partial') {
      // Half of a masked binary frame straight onto the TCP socket, then the connection dies.
      const frame = maskedFrame(Y.encodeStateAsUpdate(this.doc).subarray(0, 1024));
      const raw = (c.ws as unknown as { _socket?: { write(b: Buffer): void } })._socket;
      raw?.write(frame.subarray(0, Math.max(1, Math.floor(frame.length * this.rand()))));
    }
    c.ws.terminate();
    return true;
  }

  /** Stops reconnecting and closes the socket; the doc stays. */
  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.current?.close();
    this.current = null;
  }

  private connect(): void {
    this.retry = null;
    if (this.stopped) return;
    const url = this.url();
    if (!url) return this.later();
    const c = new RawClient(url, this.pad, { doc: this.doc });
    const index = this.sockets.length;
    this.sockets.push(c);
    this.current = c;
    let answered = false;
    // Registered after RawClient's own listener: runs once its sync step 2 is on the wire.
    c.ws.on('message', () => {
      if (answered || !c.received.some((m) => m.type === 'sync-step1')) return;
      answered = true;
      const step2 = c.sent;
      for (const e of this.edits) {
        if (e.sock !== index && !this.isAcked(e)) {
          e.sock = index;
          e.seq = step2;
        }
      }
    });
    c.ws.on('close', () => {
      c.close();
      if (this.current === c) this.current = null;
      if (!this.stopped) {
        this.reconnects++;
        this.later();
      }
    });
  }

  private later(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => this.connect(), RETRY_MIN_MS + this.rand() * (RETRY_MAX_MS - RETRY_MIN_MS));
  }
}

/** A client-to-server binary frame (masked, as RFC 6455 requires of clients). */
export function maskedFrame(payload: Uint8Array): Buffer {
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x82, 0x80 | len])
      : len < 65536
        ? Buffer.from([0x82, 0x80 | 126, len >> 8, len & 0xff])
        : null;
  if (!head) throw new Error('frame too large for this helper');
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([head, mask, body]);
}
