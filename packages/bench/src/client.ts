import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocket } from './ws.js';
import * as Y from 'yjs';
import type { Running } from './servers/launch.js';

const TOKEN = /<([tc])(\d+)(?:_(\d+))?>/g;

/**
 * A load client that costs little: it speaks the y-websocket protocol (with Hocuspocus's
 * document-name framing when needed), types into its own Y.Doc, and measures latency by
 * finding `<tNNN>` tokens (NNN = send time in µs since the run's epoch) in the raw bytes it
 * receives, so it never has to apply other clients' updates unless asked to (`follow`).
 */
export class LeanClient {
  readonly doc = new Y.Doc();
  readonly ws: WebSocket;
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  synced = false;
  syncedAt = 0;
  /** Presence tokens seen, to count undelivered cursor states. */
  readonly seen = new Set<string>();
  readonly latencies: number[] = [];
  readonly cursorLatencies: number[] = [];
  private readonly own = new Set<string>();
  private awarenessClock = 0;
  private opened: Promise<void>;

  constructor(
    private readonly server: Pick<Running, 'name' | 'wsBase' | 'framing'>,
    readonly pad: string,
    private readonly opts: {
      follow?: boolean;
      observe?: boolean;
      epoch: number;
      applySync?: boolean;
      /** The loopback address to connect from (the node's per-address limits tell addresses apart). */
      from?: string;
    },
  ) {
    const url = server.framing === 'hocuspocus' ? server.wsBase : `${server.wsBase}/${pad}`;
    this.ws = new WebSocket(url, { perMessageDeflate: false, localAddress: opts.from });
    this.ws.binaryType = 'nodebuffer';
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('error', () => {});
    this.ws.on('open', () => {
      if (server.framing === 'hocuspocus')
        this.sendFramed(2, (e) => (encoding.writeVarUint(e, 0), encoding.writeVarString(e, '')));
      // The relay keeps no state: a sync request would only be forwarded to every other client
      // (and their answers to everyone again), a storm that measured the clients, not the relay.
      if (server.name === 'relay') return;
      this.sendFramed(0, (e) => {
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint8Array(e, Y.encodeStateVector(this.doc));
      });
    });
    this.ws.on('message', (data: Buffer) => this.onMessage(data));
    this.doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== this) this.sendFramed(0, (e) => (encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, u)));
    });
  }

  ready(): Promise<void> {
    return this.opened;
  }

  private sendFramed(type: number, body: (e: encoding.Encoder) => void): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const e = encoding.createEncoder();
    if (this.server.framing === 'hocuspocus') encoding.writeVarString(e, this.pad);
    encoding.writeVarUint(e, type);
    body(e);
    const buf = encoding.toUint8Array(e);
    this.bytesOut += buf.length;
    this.ws.send(buf);
  }

  private onMessage(data: Buffer): void {
    this.bytesIn += data.length;
    this.messagesIn++;
    if (this.opts.observe && (data.indexOf('<t') >= 0 || data.indexOf('<c') >= 0)) {
      const now = (performance.now() - this.opts.epoch) * 1000;
      for (const m of data.toString('latin1').matchAll(TOKEN)) {
        const ms = (now - Number(m[2])) / 1000;
        if (this.own.has(m[0])) continue; // servers may echo a client's own edit back
        if (m[1] === 't') this.latencies.push(ms);
        else if (!this.seen.has(m[0])) {
          this.seen.add(m[0]);
          this.cursorLatencies.push(ms);
        }
      }
    }
    const d = decoding.createDecoder(data);
    if (this.server.framing === 'hocuspocus') decoding.readVarString(d);
    const type = decoding.readVarUint(d);
    if (type !== 0) return;
    const step = decoding.readVarUint(d);
    if (step === 0) {
      if (this.server.name === 'relay') return;
      const sv = decoding.readVarUint8Array(d);
      this.sendFramed(
        0,
        (e) => (encoding.writeVarUint(e, 1), encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(this.doc, sv))),
      );
      return;
    }
    if (step === 1) {
      this.synced = true;
      this.syncedAt = performance.now();
      if (this.opts.applySync === false) return; // join storms: time the arrival, skip the client-side CRDT work
    }
    if (this.opts.follow || step === 1) Y.applyUpdate(this.doc, decoding.readVarUint8Array(d), this);
  }

  /**
   * Types a token carrying the send time, at a random position of this client's own text, but
   * never inside an earlier token: a token typed into one the server had not yet sent (both in
   * one turn's merged update) split it, and the reader, which finds tokens in the raw bytes,
   * counted the earlier edit as lost ("lost edits 1" in busy hostile phases).
   */
  type(rand: () => number, extra = ''): void {
    const t = this.doc.getText('content');
    const token = `<t${Math.round((performance.now() - this.opts.epoch) * 1000)}>`;
    this.own.add(token);
    t.insert(outsideTokens(t.toString(), Math.floor(rand() * (t.length + 1))), `${token}${extra}`);
  }

  /** A presence (cursor) update with the send time in the state; returns its token. */
  moveCursor(): string {
    const e = encoding.createEncoder();
    const token = `<c${Math.round((performance.now() - this.opts.epoch) * 1000)}_${this.doc.clientID}>`;
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, this.doc.clientID);
    // Awareness clocks must grow, or receivers drop the state as stale.
    encoding.writeVarUint(e, ++this.awarenessClock);
    this.own.add(token);
    encoding.writeVarString(e, JSON.stringify({ cursor: token }));
    const update = encoding.toUint8Array(e);
    this.sendFramed(1, (x) => encoding.writeVarUint8Array(x, update));
    return token;
  }

  close(): void {
    this.ws.terminate();
    this.doc.destroy();
  }
}

/** `at`, or the end of the token it falls inside (tokens are `<...>`). */
function outsideTokens(text: string, at: number): number {
  const open = text.lastIndexOf('<', at - 1);
  if (open < 0 || text.lastIndexOf('>', at - 1) > open) return at;
  const close = text.indexOf('>', open);
  return close < 0 ? at : Math.max(at, close + 1);
}
