import { systemClock, type Clock, type Timer } from '../clock.js';
import type { Conn } from './socket.js';

/** How often a node with answers waiting for room in its send budget re-reads backlogs (HI5). */
export const BUDGET_POLL_MS = 25;
/**
 * Bytes of whole-pad answers written at once (HI5). When the node's own bandwidth is what
 * limits, answers written side by side all finish near the end, while answers written in turn
 * finish one after another: 150 clients joining a 4 MB pad got the pad after a median 756 ms
 * with 64 answers going at once, and 549 ms with 8 (the join storm bench, loopback).
 */
export const ANSWER_WINDOW_BYTES = 16 * 1024 * 1024;
/**
 * An answer counts against the window for at most this long. One that takes longer is limited
 * by its client's link, not the node's, and holding others behind it would only make them wait.
 */
export const ANSWER_WINDOW_MS = 250;
/** How long a client may read nothing while the budget is full, or stay over its own bound, before it counts as not reading. */
export const SLOW_GRACE_MS = 2_000;
/** Answers up to this size never wait for the window: a small pad's joiner does not queue behind a big pad's storm. */
export const SMALL_ANSWER_BYTES = 64 * 1024;

/**
 * Node-wide bound on bytes queued to clients that have not read them (HI5). Each socket has
 * its own bound too, but a few hundred sockets each under it, each asking for a whole pad
 * (sync step 1), grew a node by 2 GiB. An answer to a sync step 1 that would pass the budget
 * waits for room, first come first served, while the connections that stopped draining are
 * cut (4508) after SLOW_GRACE_MS: 150 honest clients joining a 4 MB pad at once passed 256 MiB,
 * and cutting the biggest backlogs cut 86 of them while they read (the join storm bench).
 * Any other frame that would pass it cuts the connections holding the most unsent bytes
 * until it fits. So the node grows by at most the budget plus one frame.
 *
 * Big answers also wait, in the same line, for the answer window (HI5): a latency bound, not
 * a memory one, so waiting for it alone never cuts anyone.
 */
export class SendBudget {
  /** Last known backlog of each connection that had one; the total is kept incrementally. */
  private readonly backlog = new Map<Conn, number>();
  private total = 0;
  /** Connections whose answer waits for room, in arrival order. */
  private readonly waiting: Conn[] = [];
  /** Per connection with a backlog while answers wait: bytes it had read, and since when. */
  private readonly progress = new Map<Conn, { read: number; at: number }>();
  private poll: Timer | null = null;
  /** Big answers being written, and since when (the answer window). */
  private readonly writing = new Map<Conn, { bytes: number; at: number }>();
  private writingBytes = 0;

  constructor(
    readonly maxBytes: number,
    private readonly clock: Clock = systemClock,
    readonly windowBytes = ANSWER_WINDOW_BYTES,
  ) {}

  get queuedBytes(): number {
    return this.total;
  }

  /** Answers waiting for room. */
  get waitingAnswers(): number {
    return this.waiting.length;
  }

  /** Bytes of big answers counted against the window now. */
  get windowUsed(): number {
    this.expire();
    return this.writingBytes;
  }

  /** `conn` holds `queued` bytes and is about to queue `frame` more: false if it was cut instead. */
  admit(conn: Conn, queued: number, frame: number): boolean {
    this.set(conn, queued + frame);
    if (this.total <= this.maxBytes) return true;
    this.refresh(conn, queued + frame);
    while (this.total > this.maxBytes) {
      let worst: Conn | null = null;
      for (const [c, n] of this.backlog) if (!worst || n > this.backlog.get(worst)!) worst = c;
      if (!worst) break;
      this.forget(worst);
      worst.cutSlow('node send buffer budget reached; client is not reading');
      if (worst === conn) return false;
    }
    return true;
  }

  /**
   * True if an answer of `bytes` to a connection holding `queued` may go out now: it fits the
   * window and the budget (or nothing is queued), and no big answer waits before it.
   */
  mayAnswer(bytes: number, queued: number): boolean {
    if (this.waiting.length > 0 && bytes > SMALL_ANSWER_BYTES) return false;
    return this.windowHas(bytes) && this.memoryHas(queued + bytes);
  }

  /** `conn` holds an answer until there is room (Conn.releaseHeld). */
  wait(conn: Conn): void {
    this.waiting.push(conn);
    this.poll ??= this.clock.every(BUDGET_POLL_MS, () => this.tick());
  }

  /**
   * An answer of `bytes` to `conn` is being written: it counts against the window until the
   * returned callback runs (the socket wrote its last byte) or ANSWER_WINDOW_MS pass.
   */
  answering(conn: Conn, bytes: number): (() => void) | undefined {
    if (bytes <= SMALL_ANSWER_BYTES) return undefined;
    const at = this.clock.now();
    const prior = this.writing.get(conn);
    this.writing.set(conn, { bytes: bytes + (prior?.bytes ?? 0), at });
    this.writingBytes += bytes;
    return () => {
      if (this.writing.get(conn)?.at !== at) return;
      this.stopWriting(conn);
      this.set(conn, conn.queuedBytes);
      this.pump();
    };
  }

  forget(conn: Conn): void {
    this.set(conn, 0);
    this.progress.delete(conn);
    this.stopWriting(conn);
  }

  private tick(): void {
    this.refresh();
    if (this.pump() === 'memory') {
      this.cutStalled();
      this.pump();
    }
  }

  /** Sends what waits while it fits; says what the head still waits for, if anything. */
  private pump(): 'memory' | 'window' | null {
    let blocked: 'memory' | 'window' | null = null;
    while (this.waiting.length > 0) {
      const head = this.waiting[0]!;
      if (!head.isOpen || head.heldBytes === 0) {
        this.waiting.shift();
        continue;
      }
      if (!this.windowHas(head.heldAnswerBytes)) blocked = 'window';
      else if (!this.memoryHas(head.heldBytes)) blocked = 'memory';
      if (blocked) break;
      this.waiting.shift();
      head.releaseHeld();
    }
    if (this.waiting.length === 0) {
      this.poll?.cancel();
      this.poll = null;
      this.progress.clear();
    }
    return blocked;
  }

  /** While the budget is full, a connection that read nothing for SLOW_GRACE_MS is cut. */
  private cutStalled(): void {
    const now = this.clock.now();
    for (const c of this.backlog.keys()) {
      const read = c.sentBytes - c.queuedBytes;
      const p = this.progress.get(c);
      if (!p || read > p.read) this.progress.set(c, { read, at: now });
      else if (now - p.at > SLOW_GRACE_MS) {
        this.forget(c);
        c.cutSlow('node send buffer budget reached; client is not reading');
      }
    }
  }

  private memoryHas(bytes: number): boolean {
    if (this.total + bytes <= this.maxBytes) return true;
    this.refresh();
    return this.total + bytes <= this.maxBytes || this.total === 0;
  }

  private windowHas(bytes: number): boolean {
    if (bytes <= SMALL_ANSWER_BYTES || this.writingBytes === 0) return true;
    this.expire();
    return this.writingBytes === 0 || this.writingBytes + bytes <= this.windowBytes;
  }

  private expire(): void {
    const now = this.clock.now();
    for (const [c, w] of this.writing) if (!c.isOpen || now - w.at > ANSWER_WINDOW_MS) this.stopWriting(c);
  }

  private stopWriting(conn: Conn): void {
    const w = this.writing.get(conn);
    if (!w) return;
    this.writing.delete(conn);
    this.writingBytes -= w.bytes;
  }

  /** The incremental total is stale for sockets that drained since they last sent: re-read. */
  private refresh(conn?: Conn, bytes = 0): void {
    for (const c of [...this.backlog.keys()]) this.set(c, c === conn ? bytes : c.queuedBytes);
  }

  private set(conn: Conn, bytes: number): void {
    const n = conn.isOpen ? bytes : 0;
    this.total += n - (this.backlog.get(conn) ?? 0);
    if (n > 0) this.backlog.set(conn, n);
    else {
      this.backlog.delete(conn);
      this.progress.delete(conn);
    }
  }
}
