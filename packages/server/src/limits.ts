/** A sliding window forgets idle keys once it tracks more than this many. */
const PRUNE_PAST_KEYS = 10_000;

/**
 * Token bucket: `ratePerSec` tokens refill continuously up to `burst`. Lets a typist's
 * bursts through while bounding a flood.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Tokens available now (after refilling), without taking any. */
  available(): number {
    this.take(0);
    return this.tokens;
  }

  take(n = 1): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSec);
    this.last = t;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** The most `take` can ever grant at once. */
  get capacity(): number {
    return this.burst;
  }

  /** How long until `n` tokens are available (0 if they are now); when a paused reader should look again. */
  msUntil(n = 1): number {
    const t = this.now();
    const tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSec);
    return tokens >= n ? 0 : ((n - tokens) / this.ratePerSec) * 1000;
  }
}

/** What a `Throttle` draws on: a token bucket, or several that must all grant. */
export interface Budget {
  take(n?: number): boolean;
  msUntil(n?: number): number;
}

/** A budget that can tell what it holds without spending it, so several can be asked before any is drawn on. */
export interface Bucket extends Budget {
  available(): number;
}

/**
 * Tokens only when every bucket has them, taken from all: a connection's own rate and its
 * address's (L4), so neither many slow sockets nor one fast one passes its bound.
 */
export class AllOf implements Bucket {
  private readonly buckets: Bucket[];

  constructor(...buckets: Bucket[]) {
    this.buckets = buckets;
  }

  // Asked for every message, nested (the address's rate and turn share): no array per call.
  available(): number {
    let least = Infinity;
    for (const b of this.buckets) least = Math.min(least, b.available());
    return least;
  }

  take(n = 1): boolean {
    if (!this.buckets.every((b) => b.available() >= n)) return false;
    for (const b of this.buckets) b.take(n);
    return true;
  }

  msUntil(n = 1): number {
    return Math.max(...this.buckets.map((b) => b.msUntil(n)));
  }
}

/**
 * At most `max` per key in one event-loop turn (L4). An address's burst (1,000 messages over
 * 120 sockets) used to be read, admitted and applied in one or two turns of 130-175 ms, and a
 * bystander's edit waited behind them. With a share per turn the same burst is taken a share a
 * turn, and timers, storage replies and other sockets run in between; the rate is unchanged.
 * The shares are forgotten when the turn ends (`endOfTurn`), so the map holds only the
 * addresses heard from in this turn.
 */
export class TurnShares {
  private used = new Map<string, number>();
  private clearing = false;

  constructor(
    private readonly max: number,
    /** Runs `fn` when the current turn ends (the clock's `after(0, fn)`). */
    private readonly endOfTurn: (fn: () => void) => void,
  ) {}

  get(key: string): Bucket {
    const left = () => this.max - (this.used.get(key) ?? 0);
    return {
      available: left,
      take: (n = 1) => {
        if (left() < n) return false;
        this.used.set(key, (this.used.get(key) ?? 0) + n);
        if (!this.clearing) {
          this.clearing = true;
          this.endOfTurn(() => {
            this.clearing = false;
            this.used.clear();
          });
        }
        return true;
      },
      // Spent for this turn: look again next turn (a throttle waits at least 1 ms anyway).
      msUntil: (n = 1) => (left() >= n ? 0 : 1),
    };
  }
}

/** Counts live things per key (e.g. sockets per IP) against a ceiling. */
export class KeyedCounter {
  private counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  tryAcquire(key: string): boolean {
    const n = this.counts.get(key) ?? 0;
    if (n >= this.max) return false;
    this.counts.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n <= 0) this.counts.delete(key);
    else this.counts.set(key, n);
  }
}

/** At most `max` events per key in any sliding `windowMs` (e.g. pads created per IP per minute). */
export class SlidingWindow {
  private events = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  tryHit(key: string): boolean {
    const t = this.now();
    const list = (this.events.get(key) ?? []).filter((e) => t - e < this.windowMs);
    if (list.length >= this.max) {
      this.events.set(key, list);
      return false;
    }
    list.push(t);
    this.events.set(key, list);
    if (this.events.size > PRUNE_PAST_KEYS) this.prune(t);
    return true;
  }

  private prune(t: number): void {
    for (const [k, list] of this.events) if (list.every((e) => t - e >= this.windowMs)) this.events.delete(k);
  }
}

/**
 * At most `max` DISTINCT members per key in any sliding `windowMs` (e.g. new pads per IP per
 * minute). Hitting a member already in the window is free: a client retrying the same new
 * pad is one pad, not one per attempt, so its retries never use up its neighbours' quota (E4).
 */
export class DistinctWindow {
  private events = new Map<string, Map<string, number>>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  tryHit(key: string, member: string): boolean {
    const t = this.now();
    const seen = this.events.get(key) ?? new Map<string, number>();
    for (const [m, at] of seen) if (t - at >= this.windowMs) seen.delete(m);
    if (seen.has(member)) return true;
    if (seen.size >= this.max) {
      this.events.set(key, seen);
      return false;
    }
    seen.set(member, t);
    this.events.set(key, seen);
    if (this.events.size > PRUNE_PAST_KEYS) this.prune(t);
    return true;
  }

  private prune(t: number): void {
    for (const [k, seen] of this.events)
      if ([...seen.values()].every((at) => t - at >= this.windowMs)) this.events.delete(k);
  }
}

/** Yjs text length counts UTF-16 units; one unit is at most 3 bytes of UTF-8 (a 4-byte character is 2 units). */
const MAX_UTF8_BYTES_PER_CHAR = 3;
/** Room for Yjs struct headers, ids and a delete set around the text of one update. */
const FRAME_OVERHEAD_BYTES = 1024 * 1024;

/**
 * The largest WebSocket frame to accept: big enough that any edit the pad limit allows fits
 * in one frame (so it is judged by the pad limit, 4413, not cut as 1009), never past what a
 * pad may store, never below MAX_MESSAGE_BYTES (E1).
 */
export function frameLimitBytes(maxMessageBytes: number, maxPadChars: number, maxPadBytes: number): number {
  const fitsPad = Math.min(maxPadBytes, maxPadChars * MAX_UTF8_BYTES_PER_CHAR + FRAME_OVERHEAD_BYTES);
  return Math.max(maxMessageBytes, fitsPad);
}

/**
 * One token bucket per key (an address), shared by all its connections, so reconnecting does
 * not refill it. Buckets that have refilled are dropped once more than PRUNE_PAST_KEYS are
 * kept: a full bucket is what a new one would be.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: string): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= PRUNE_PAST_KEYS) this.prune();
      this.buckets.set(key, (b = new TokenBucket(this.ratePerSec, this.burst, this.now)));
    }
    return b;
  }

  get size(): number {
    return this.buckets.size;
  }

  private prune(): void {
    for (const [k, b] of this.buckets) if (b.available() >= this.burst) this.buckets.delete(k);
  }
}
