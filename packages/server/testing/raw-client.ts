import { decodeMessage, encodeMessage, type Message } from '@padmesh/protocol';
import * as awarenessProtocol from 'y-protocols/awareness';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { handleServerMessage } from './client-protocol.js';
import { waitFor } from './wait.js';

/**
 * A protocol-level client: a Y.Doc synced over one socket, counting what it sent and what
 * the server acknowledged, so tests can check durability claims exactly.
 */
export class RawClient {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  readonly ws: WebSocket;
  sent = 0;
  acked = 0;
  synced = false;
  closeCode: number | null = null;
  closeReason = '';
  readonly received: Message[] = [];

  /** Pass `doc` to reconnect with a client's existing state (it re-sends what the server lacks). */
  /** `from`: the loopback address to connect from, so per-address limits see another client. */
  constructor(url: string, pad: string, opts: { acks?: boolean; doc?: Y.Doc; from?: string } = {}) {
    this.doc = opts.doc ?? new Y.Doc();
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    const ext = opts.acks === false ? '' : `${pad.includes('?') ? '&' : '?'}padmesh=1`;
    this.ws = new WebSocket(`${url}/${pad}${ext}`, { localAddress: opts.from });
    this.ws.binaryType = 'nodebuffer';
    this.ws.on('open', () => {
      this.sendRaw(encodeMessage({ type: 'sync-step1', stateVector: Y.encodeStateVector(this.doc) }));
    });
    this.ws.on('message', (data: Buffer) => this.onMessage(new Uint8Array(data)));
    this.ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
    this.ws.on('error', () => {});
    this.doc.on('update', this.onDocUpdate);
    this.awareness.on(
      'update',
      ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
        if (origin === this) return;
        const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...added, ...updated, ...removed]);
        if (this.ws.readyState === WebSocket.OPEN) this.sendRaw(encodeMessage({ type: 'awareness', update }));
      },
    );
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin !== this) this.sendUpdate(update);
  };

  get text(): string {
    return this.doc.getText('content').toString();
  }

  private onMessage(data: Uint8Array): void {
    const m = decodeMessage(data);
    this.received.push(m);
    handleServerMessage(this, m);
  }

  /** Part of ProtocolClient: an update-bearing message, counted for `saved {seq}`. */
  sendCounted(m: Message): void {
    this.sendUpdateMessage(m);
  }

  private sendUpdate(update: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.sendUpdateMessage({ type: 'update', update });
  }

  private sendUpdateMessage(m: Message): void {
    this.sent++;
    this.sendRaw(encodeMessage(m));
  }

  sendRaw(data: Uint8Array): void {
    this.ws.send(data);
  }

  /** Inserts and returns the send sequence number that carries the edit (durable once acked >= it). */
  insert(index: number, text: string): number {
    this.doc.getText('content').insert(index, text);
    return this.sent;
  }

  async ready(timeoutMs = 5_000): Promise<this> {
    await waitFor(() => this.synced, 'client sync', timeoutMs);
    return this;
  }

  /** Waits until the server has durably stored everything this client sent. */
  async saved(timeoutMs = 5_000): Promise<void> {
    await waitFor(() => this.acked === this.sent, `save ack (${this.acked}/${this.sent})`, timeoutMs);
  }

  async closed(timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
    await waitFor(() => this.closeCode !== null, 'socket close', timeoutMs);
    return { code: this.closeCode!, reason: this.closeReason };
  }

  /** Closes the socket; the doc stays usable (for a reconnect). */
  close(): void {
    this.awareness.destroy();
    this.doc.off('update', this.onDocUpdate);
    this.ws.close();
  }
}
