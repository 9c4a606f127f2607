import { FATAL_CLOSE_CODES, PADMESH_PARAM, decodeMessage, encodeMessage, type Message } from '@padmesh/protocol';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';

/** What the status indicator shows. "saved" only once the server has durably stored everything we sent. */
export type Status = 'connecting' | 'saving' | 'saved' | 'offline' | 'failed';

/** First reconnect delay; doubles per failure up to the cap, with jitter so clients don't stampede. */
const RETRY_BASE_MS = 250;
const RETRY_CAP_MS = 10_000;
/** A socket that has not opened by then is given up and retried. */
const CONNECT_TIMEOUT_MS = 8_000;

interface Snapshot {
  status: Status;
  /** Reason for "failed", or the time of the next retry for "offline". */
  detail: string;
  nextRetryAt: number | null;
  /** Local edits not yet acknowledged as stored. */
  unsaved: boolean;
}

/**
 * A y-websocket protocol client with padmesh save acknowledgements: it counts the
 * update-bearing messages it sends on each socket, and the server's `saved {seq}` says how
 * many are durable. Edits made while offline stay in the doc and reach the server through
 * the sync exchange on reconnect.
 */
export class PadProvider {
  readonly awareness: awarenessProtocol.Awareness;
  private ws: WebSocket | null = null;
  private sent = 0;
  private acked = 0;
  private synced = false;
  /** Local changes exist that no socket has had acknowledged yet. */
  private dirty = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;
  private snapshot: Snapshot = { status: 'connecting', detail: '', nextRetryAt: null, unsaved: false };
  private listeners = new Set<(s: Snapshot) => void>();

  constructor(
    private readonly url: string,
    readonly doc: Y.Doc,
  ) {
    this.awareness = new awarenessProtocol.Awareness(doc);
    doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
    window.addEventListener('online', this.onOnline);
    window.addEventListener('pagehide', this.onPageHide);
    this.connect();
  }

  get state(): Snapshot {
    return this.snapshot;
  }

  subscribe(fn: (s: Snapshot) => void): () => void {
    this.listeners.add(fn);
    fn(this.snapshot);
    return () => this.listeners.delete(fn);
  }

  private set(status: Status, detail = '', nextRetryAt: number | null = null): void {
    const unsaved = this.dirty;
    const s = this.snapshot;
    if (s.status === status && s.detail === detail && s.nextRetryAt === nextRetryAt && s.unsaved === unsaved) return;
    this.snapshot = { status, detail, nextRetryAt, unsaved };
    for (const l of this.listeners) l(this.snapshot);
  }

  private refresh(): void {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.synced && this.acked === this.sent) this.dirty = false;
    this.set(!this.synced || this.acked < this.sent || this.dirty ? 'saving' : 'saved');
  }

  private connect(): void {
    if (this.destroyed) return;
    this.clearRetry();
    this.set('connecting');
    const sep = this.url.includes('?') ? '&' : '?';
    const ws = new WebSocket(`${this.url}${sep}${PADMESH_PARAM}=1`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.sent = 0;
    this.acked = 0;
    this.synced = false;
    const openTimer = setTimeout(() => ws.readyState === WebSocket.CONNECTING && ws.close(), CONNECT_TIMEOUT_MS);
    ws.onopen = () => {
      clearTimeout(openTimer);
      this.attempt = 0;
      this.send({ type: 'sync-step1', stateVector: Y.encodeStateVector(this.doc) });
      if (this.awareness.getLocalState() !== null) {
        this.send({ type: 'awareness', update: awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]) });
      }
      this.refresh();
    };
    ws.onmessage = (ev) => this.onMessage(new Uint8Array(ev.data as ArrayBuffer));
    ws.onclose = (ev) => {
      clearTimeout(openTimer);
      if (this.ws !== ws) return;
      this.ws = null;
      // Others' cursors are stale once we can't hear them leave.
      const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
      awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
      if (FATAL_CLOSE_CODES.has(ev.code)) {
        this.set('failed', ev.reason || `closed with code ${ev.code}`);
        this.onFatal?.(ev.code, ev.reason);
        return;
      }
      this.scheduleRetry();
    };
  }

  /** Called once when the server refuses this pad for good (e.g. a password is needed). */
  onFatal: ((code: number, reason: string) => void) | null = null;

  private scheduleRetry(): void {
    if (this.destroyed) return;
    const delay = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt++;
    const at = Date.now() + delay;
    this.set('offline', '', at);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private readonly onOnline = () => {
    if (!this.ws) this.connect();
  };

  private readonly onPageHide = () => {
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'window unload');
  };

  private onMessage(data: Uint8Array): void {
    let m: Message;
    try {
      m = decodeMessage(data);
    } catch {
      return; // A newer server may send messages we don't know; ignore them.
    }
    switch (m.type) {
      case 'sync-step1':
        this.send({ type: 'sync-step2', update: Y.encodeStateAsUpdate(this.doc, m.stateVector) });
        break;
      case 'sync-step2':
        Y.applyUpdate(this.doc, m.update, this);
        this.synced = true;
        break;
      case 'update':
        Y.applyUpdate(this.doc, m.update, this);
        break;
      case 'awareness':
        awarenessProtocol.applyAwarenessUpdate(this.awareness, m.update, this);
        break;
      case 'query-awareness':
        this.send({ type: 'awareness', update: awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]) });
        break;
      case 'saved':
        this.acked = Math.max(this.acked, m.seq);
        break;
      case 'auth':
        this.set('failed', m.reason);
        return;
    }
    this.refresh();
  }

  private send(m: Message): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (m.type === 'sync-step2' || m.type === 'update') this.sent++;
    ws.send(encodeMessage(m));
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this) return;
    this.dirty = true;
    this.send({ type: 'update', update });
    if (this.ws?.readyState === WebSocket.OPEN) this.refresh();
    else this.set(this.snapshot.status, this.snapshot.detail, this.snapshot.nextRetryAt);
  };

  private readonly onAwarenessUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
    if (origin === this) return;
    const changed = [...added, ...updated, ...removed];
    this.send({ type: 'awareness', update: awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed) });
  };

  /** Reconnects now (e.g. a "retry" click), skipping the back-off wait. */
  reconnect(): void {
    if (this.ws) return;
    this.attempt = 0;
    this.connect();
  }

  destroy(): void {
    this.destroyed = true;
    this.clearRetry();
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('pagehide', this.onPageHide);
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.onPageHide();
    this.ws?.close();
    this.awareness.destroy();
  }
}
