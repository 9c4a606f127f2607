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
