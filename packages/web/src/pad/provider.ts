import {
  FATAL_CLOSE_CODES,
  PADMESH_PARAM,
  PADMESH_VERSIONS_LEVEL,
  TEXT_NAME,
  TOO_LARGE_CLOSE_CODES,
  decodeMessage,
  encodeMessage,
  type Message,
} from '@padmesh/protocol';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { decideStatus, nextDecisionAt, type Link, type Status } from './status.js';

export type { Status } from './status.js';

/** First reconnect delay; doubles per failure up to the cap, with jitter so clients don't stampede. */
const RETRY_BASE_MS = 250;
/** Cap when the server itself asked us to wait (a 45xx close: rate, load, storage). */
const RETRY_CAP_MS = 10_000;
/**
 * Cap when the server could not be reached at all while the device is online (refused, reset,
 * a proxy's 503): a connection attempt to a down server costs nothing, and the status must
 * reach "Saved" within a second of it coming back (E8).
 */
const UNREACHABLE_CAP_MS = 1_000;
/** A socket that has not opened by then is given up and retried. */
const CONNECT_TIMEOUT_MS = 8_000;
/**
 * A socket that owes us an acknowledgement and has delivered nothing for this long is
 * treated as dead and replaced: a dropped network often leaves a socket open but silent
 * (Chromium keeps it open when it goes offline), and edits must not wait on it forever.
 */
const STALL_MS = 20_000;

interface Snapshot {
  status: Status;
  /** Reason for "failed", the message for "too-large". */
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
  /** The server's sync step 2 arrived (we hold everything it had). */
  private synced = false;
  /** We answered the server's sync step 1 (it is sent everything we hold: offline edits, the IndexedDB cache). */
  private answered = false;
  /** Update-bearing messages on this socket not yet acknowledged: their seq and the age of what they carry. */
  private pending: { seq: number; at: number }[] = [];
  /** The oldest local change that is on no socket yet (offline edits, or the unsaved IndexedDB cache). */
  private unsentSince: number | null;
  private everOpened = false;
  private downSince: number | null = null;
  /** The server refused the pad's size (4413 / 1009): we keep the text and send nothing until it fits (E2). */
  private tooLarge: { limit: number | null; length: number } | null = null;
  private fatal: string | null = null;
  private decideTimer: ReturnType<typeof setTimeout> | null = null;
  private lastReceivedAt = 0;
  private stallTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;
  private snapshot: Snapshot;
  private listeners = new Set<(s: Snapshot) => void>();
  private versionListeners = new Set<(latest: string) => void>();

  /**
   * `unsaved`: the doc already holds edits the server may lack (e.g. restored from the
   * IndexedDB cache after the tab was closed offline), so "Offline" reads "changes kept on
   * this device" until a socket has them acknowledged.
   */
  constructor(
    private readonly url: string,
    readonly doc: Y.Doc,
    options: { unsaved?: boolean } = {},
  ) {
    this.unsentSince = options.unsaved ? Date.now() : null;
    this.snapshot = { status: 'connecting', detail: '', nextRetryAt: null, unsaved: this.dirty };
    this.awareness = new awarenessProtocol.Awareness(doc);
    doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    window.addEventListener('pagehide', this.onPageHide);
    this.connect();
  }

  get state(): Snapshot {
    return this.snapshot;
  }

  /** Calls `fn` when the pad's history gains a version, recorded by anyone on any node (SPEC V7); returns the unsubscribe. */
  readonly onVersions = (fn: (latest: string) => void): (() => void) => {
    this.versionListeners.add(fn);
    return () => void this.versionListeners.delete(fn);
  };

  subscribe(fn: (s: Snapshot) => void): () => void {
    this.listeners.add(fn);
    fn(this.snapshot);
    return () => this.listeners.delete(fn);
  }

  /** Local changes exist that no socket has had acknowledged yet. */
  private get dirty(): boolean {
    return this.unsentSince !== null || this.pending.length > 0;
  }

  private get link(): Link {
    if (this.fatal !== null) return 'failed';
    if (this.tooLarge) return 'too-large';
    if (this.ws?.readyState === WebSocket.OPEN) return 'open';
    return this.ws ? 'connecting' : 'down';
  }

  /** Re-decides the status from the current facts (status.ts) and re-arms the timer that may change it. */
  private refresh(): void {
    // D2: "saved" needs both halves of the sync (what we hold that the server lacked went out
    // in our sync step 2) and an acknowledgement of every update-bearing message sent.
    const caughtUp = this.link === 'open' && this.synced && this.answered && this.acked === this.sent;
    if (caughtUp) this.pending = [];
    let oldest = this.unsentSince;
    for (const p of this.pending) if (oldest === null || p.at < oldest) oldest = p.at;
    const input = {
      now: Date.now(),
      online: navigator.onLine !== false,
      link: this.link,
      everOpened: this.everOpened,
      downSince: this.downSince,
      caughtUp,
      oldestUnsavedAt: oldest,
      prev: this.snapshot.status,
    };
    const status = decideStatus(input);
    const detail = status === 'failed' ? (this.fatal ?? '') : status === 'too-large' ? this.tooLargeMessage() : '';
    const retry = status === 'offline' || status === 'unreachable' ? this.snapshot.nextRetryAt : null;
    const s = this.snapshot;
    const unsaved = this.dirty;
    if (s.status !== status || s.detail !== detail || s.nextRetryAt !== retry || s.unsaved !== unsaved) {
      this.snapshot = { status, detail, nextRetryAt: retry, unsaved };
      for (const l of this.listeners) l(this.snapshot);
    }
    if (this.decideTimer) clearTimeout(this.decideTimer);
    const at = nextDecisionAt(input);
    this.decideTimer = at === null ? null : setTimeout(() => this.refresh(), Math.max(0, at - Date.now()) + 5);
  }

  private textLength(): number {
    return this.doc.getText(TEXT_NAME).length;
  }

  private tooLargeMessage(): string {
    const t = this.tooLarge!;
    const limit = t.limit === null ? '' : ` of ${t.limit.toLocaleString('en')} characters`;
    return (
      `This pad is over the size limit${limit} and the last change was not saved. ` +
      'Your text is kept on this device; undo or remove some text and saving resumes.'
    );
  }

  /** The text fits again (the user undid or trimmed): the next sync is worth one try. */
  private fitsAgain(): boolean {
    const t = this.tooLarge!;
    const len = this.textLength();
    return t.limit !== null ? len <= t.limit : len < t.length;
  }

  private connect(): void {
    if (this.destroyed) return;
    this.clearRetry();
    if (this.tooLarge || this.fatal !== null) return;
    if (navigator.onLine === false) return this.scheduleRetry(false); // fails for sure; the 'online' event retries at once
    const sep = this.url.includes('?') ? '&' : '?';
    const ws = new WebSocket(`${this.url}${sep}${PADMESH_PARAM}=${PADMESH_VERSIONS_LEVEL}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.sent = 0;
    this.acked = 0;
    this.pending = [];
    this.synced = false;
    this.answered = false;
    this.refresh();
    const openTimer = setTimeout(() => ws.readyState === WebSocket.CONNECTING && ws.close(), CONNECT_TIMEOUT_MS);
    ws.onopen = () => {
      clearTimeout(openTimer);
      this.attempt = 0;
      this.everOpened = true;
      this.downSince = null;
      this.send({ type: 'sync-step1', stateVector: Y.encodeStateVector(this.doc) });
      if (this.awareness.getLocalState() !== null) {
        this.send({
          type: 'awareness',
          update: awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]),
        });
      }
      this.refresh();
    };
    ws.onmessage = (ev) => {
      if (this.ws === ws) this.onMessage(new Uint8Array(ev.data as ArrayBuffer));
    };
    ws.onclose = (ev) => {
      clearTimeout(openTimer);
      this.lost(ws, ev.code, ev.reason);
    };
  }

  /** `ws` closed, or we gave up on it: forget it and retry, unless the server refused us for good. */
  private lost(ws: WebSocket, code: number, reason: string): void {
    if (this.ws !== ws) return;
    this.ws = null;
    this.clearStall();
    this.downSince ??= Date.now();
    // What this socket carried unacknowledged goes out again in the next sync step 2.
    for (const p of this.pending) if (this.unsentSince === null || p.at < this.unsentSince) this.unsentSince = p.at;
    this.pending = [];
    // Others' cursors are stale once we can't hear them leave.
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
    // Forget their clocks too: on reconnect the server re-sends them unchanged, and y-protocols
    // ignores a state whose clock it has already seen, so others stayed hidden until their next
    // renewal (up to 15 s). Without a clock they are simply new (PR6).
    for (const id of others) this.awareness.meta.delete(id);
    if (TOO_LARGE_CLOSE_CODES.has(code)) {
      // Refused once, then silence: retrying would only be refused again (E2).
      const limit = /(\d+) characters/.exec(reason)?.[1];
      this.tooLarge = { limit: limit ? Number(limit) : null, length: this.textLength() };
      return this.refresh();
    }
    if (FATAL_CLOSE_CODES.has(code)) {
      this.fatal = reason || `closed with code ${code}`;
      this.refresh();
      this.onFatal?.(code, reason);
      return;
    }
    // 45xx: the server is up and asked us to wait; anything else: it could not be reached.
    this.scheduleRetry(code >= 4500 && code < 4600);
  }

  /** Stops using the current socket now, without waiting for a close handshake a dead network never completes. */
  private abandon(): void {
    const ws = this.ws;
    if (!ws) return;
    this.lost(ws, 1006, 'abandoned');
    ws.close();
  }

  private armStall(): void {
    if (this.stallTimer || this.acked >= this.sent) return;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = null;
      if (this.acked >= this.sent) return;
      if (Date.now() - this.lastReceivedAt >= STALL_MS) this.abandon();
      else this.armStall();
    }, STALL_MS);
  }

  private clearStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
  }

  /** Called once when the server refuses this pad for good (e.g. a password is needed). */
  onFatal: ((code: number, reason: string) => void) | null = null;

  private scheduleRetry(serverAskedToWait: boolean): void {
    if (this.destroyed) return;
    const cap = serverAskedToWait ? RETRY_CAP_MS : UNREACHABLE_CAP_MS;
    const delay = Math.min(cap, RETRY_BASE_MS * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt++;
    this.snapshot = { ...this.snapshot, nextRetryAt: Date.now() + delay };
    this.refresh();
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private readonly onOnline = () => {
    if (this.ws?.readyState === WebSocket.OPEN) return this.refresh();
    this.abandon();
    this.attempt = 0;
    this.connect();
  };

  /** The browser knows the network is gone: its open socket would only stall (see STALL_MS). */
  private readonly onOffline = () => {
    this.abandon();
    this.refresh();
  };

  private readonly onPageHide = () => {
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'window unload');
  };

  private onMessage(data: Uint8Array): void {
    this.lastReceivedAt = Date.now();
    let m: Message;
    try {
      m = decodeMessage(data);
    } catch {
      return; // A newer server may send messages we don't know; ignore them.
    }
    switch (m.type) {
      case 'sync-step1':
        this.send({ type: 'sync-step2', update: Y.encodeStateAsUpdate(this.doc, m.stateVector) });
        this.answered = true;
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
        this.send({
          type: 'awareness',
          update: awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]),
        });
        break;
      case 'saved':
        this.acked = Math.max(this.acked, m.seq);
        while (this.pending.length > 0 && this.pending[0]!.seq <= this.acked) this.pending.shift();
        break;
      case 'versions':
        for (const l of this.versionListeners) l(m.latest);
        break;
      case 'auth':
        this.fatal = m.reason;
        break;
    }
    this.refresh();
  }

  private send(m: Message): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (m.type === 'sync-step2' || m.type === 'update') {
      this.sent++;
      // A sync step 2 carries everything the server lacked, so it is as old as the oldest unsent change.
      const at = m.type === 'sync-step2' ? (this.unsentSince ?? Date.now()) : Date.now();
      if (m.type === 'sync-step2') this.unsentSince = null;
      this.pending.push({ seq: this.sent, at });
      this.armStall();
    }
    ws.send(encodeMessage(m));
  }

  /**
   * Anything not from the server is sent and counts as unsaved until acknowledged: local
   * typing, and also updates from the IndexedDB cache (origin = the persistence), which may
   * hold offline edits the server never received; the server ignores what it already has.
   */
  private readonly onDocUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this) return;
    if (this.ws?.readyState === WebSocket.OPEN) this.send({ type: 'update', update });
    else this.unsentSince ??= Date.now();
    if (this.tooLarge && this.fitsAgain()) {
      this.tooLarge = null;
      this.attempt = 0;
      this.connect();
    }
    this.refresh();
  };

  private readonly onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ) => {
    if (origin === this) return;
    const changed = [...added, ...updated, ...removed];
    this.send({ type: 'awareness', update: awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed) });
  };

  /**
   * Reconnects now, skipping the back-off wait: a "retry" click, or after the user fixed
   * what a final close was about (unlocked a pad that asked for its password), so that
   * close no longer stands.
   */
  reconnect(): void {
    if (this.ws || this.tooLarge) return;
    this.fatal = null;
    this.attempt = 0;
    this.connect();
  }

  destroy(): void {
    this.destroyed = true;
    this.clearRetry();
    if (this.decideTimer) clearTimeout(this.decideTimer);
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    window.removeEventListener('pagehide', this.onPageHide);
    this.clearStall();
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.onPageHide();
    this.ws?.close();
    this.awareness.destroy();
  }
}
