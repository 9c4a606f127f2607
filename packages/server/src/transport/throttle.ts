import type { Clock, Timer } from '../clock.js';
import type { Budget } from '../limits.js';

/** Stops and restarts reading from the client's TCP socket (ws `pause`/`resume`). */
export interface Reader {
  pause(): void;
  resume(): void;
}

export interface ThrottleOptions {
  /** Frames already read but waiting for tokens; past this many bytes reading has failed to hold the client back. */
  maxBacklogBytes: number;
  /** Waiting continuously this long without catching up is a sustained flood, not a burst. */
  maxThrottledMs: number;
  /** When tokens come due (the session's clock, so the harness can step it). */
  clock: Clock;
}

/**
 * Pushes back before it cuts (E5): a frame that finds the token bucket empty waits in order,
 * and the socket stops being read until tokens refill, so a fast client's own send buffer
 * (and TCP) hold its backlog and it simply goes slower. Only a client that stays over the
 * rate for `maxThrottledMs`, or whose read-ahead outgrows `maxBacklogBytes`, is a flood.
 */
export class Throttle {
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private timer: Timer | null = null;
  private throttledSince: number | null = null;
  private stopped = false;
  /** Held while the session finishes a big update over several turns: nothing is delivered meanwhile (HS3). */
  private held = false;

  constructor(
    private readonly bucket: Budget,
    private readonly reader: Reader | null,
    private readonly opts: ThrottleOptions,
    private readonly deliver: (data: Uint8Array) => void,
    private readonly flood: (why: 'backlog' | 'sustained') => void,
  ) {}

  private now(): number {
    return this.opts.clock.now();
  }

  /** True while frames are waiting for tokens (the socket is not being read). */
  get throttled(): boolean {
    return this.throttledSince !== null;
  }

  push(data: Uint8Array): void {
    if (this.stopped) return;
    if (this.queue.length === 0 && !this.held && this.bucket.take()) return this.deliver(data);
    this.queue.push(data);
    this.queuedBytes += data.byteLength;
    if (this.queuedBytes > this.opts.maxBacklogBytes) return this.cut('backlog');
    if (this.throttledSince === null) {
      this.throttledSince = this.now();
      this.reader?.pause();
    }
    if (!this.held) this.schedule();
  }

  /**
   * Delivers nothing more until `release`: the message being handled is still being read or
   * admitted, and this connection's next one must not overtake it (HS3). Reading the socket
   * pauses, so the client's backlog stays in its own buffers.
   */
  hold(): void {
    this.held = true;
    this.timer?.cancel();
    this.timer = null;
    if (this.throttledSince === null) {
      this.throttledSince = this.now();
      this.reader?.pause();
    }
  }

  /** The held message is admitted (or refused): deliver what waited, in order. Holding is not flooding. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    if (this.stopped) return;
    this.throttledSince = this.now();
    this.drain();
  }

  /**
   * The connection is gone or refused: drop what waits and deliver nothing more. Reading
   * resumes, so the close handshake (the client's close frame) can still arrive.
   */
  stop(): void {
    this.stopped = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.timer?.cancel();
    this.timer = null;
    if (this.throttledSince !== null) this.reader?.resume();
    this.throttledSince = null;
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = this.opts.clock.after(Math.max(1, Math.ceil(this.bucket.msUntil(1))), () => this.drain());
  }

  private drain(): void {
    this.timer = null;
    let i = 0;
    while (i < this.queue.length && !this.stopped && !this.held && this.bucket.take()) {
      const data = this.queue[i++]!;
      this.queuedBytes -= data.byteLength;
      this.deliver(data);
    }
    if (this.stopped) return;
    this.queue = i === this.queue.length ? [] : this.queue.slice(i);
    if (this.held) return;
    if (this.queue.length === 0) {
      this.throttledSince = null;
      this.reader?.resume();
      return;
    }
    if (this.now() - this.throttledSince! > this.opts.maxThrottledMs) return this.cut('sustained');
    this.schedule();
  }

  private cut(why: 'backlog' | 'sustained'): void {
    this.stop();
    this.flood(why);
  }
}
