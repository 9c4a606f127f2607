/** Wrong guesses allowed before back-off starts: per address, and (higher) per pad, from every address. */
const FREE_PER_ADDRESS = 5;
const FREE_PER_PAD = 20;
/** The first wait, doubled with every further wrong guess, up to MAX_WAIT_MS. */
const BASE_WAIT_MS = 1_000;
const MAX_WAIT_MS = 15 * 60_000;
/** A key with no wrong guess for this long starts over. */
const FORGET_MS = 60 * 60_000;
/** Bound on remembered keys; past it, keys that no longer block anything are pruned. */
const MAX_KEYS = 50_000;

interface Entry {
  failures: number;
  blockedUntil: number;
  last: number;
}

/**
 * Password guesses (OW7): `/unlock`, `/password` and `/claim` with a password share one
 * limiter, keyed per pad and per address. Past a few free wrong guesses each one doubles
 * the wait; while waiting, every attempt is a 429 with `retry-after`, checked before the
 * (costly) scrypt comparison. Per pad too, so many addresses cannot share out the guessing.
 * Per node: in a cluster an attacker gets at most this once per node.
 */
export class GuessLimiter {
  private entries = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  /** Seconds to wait before guessing again on this pad from this address, or 0. */
  retryAfter(pad: string, ip: string): number {
    const now = this.now();
    const until = Math.max(this.get(`p ${pad}`, now)?.blockedUntil ?? 0, this.get(`a ${ip}`, now)?.blockedUntil ?? 0);
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  failed(pad: string, ip: string): void {
    this.bump(`p ${pad}`, FREE_PER_PAD);
    this.bump(`a ${ip}`, FREE_PER_ADDRESS);
  }

  /** A right guess clears the address (not the pad: one success must not reset a distributed attack). */
  succeeded(ip: string): void {
    this.entries.delete(`a ${ip}`);
  }

  private get(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && now - e.last > FORGET_MS && e.blockedUntil <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private bump(key: string, free: number): void {
    const now = this.now();
    const e = this.get(key, now) ?? { failures: 0, blockedUntil: 0, last: now };
    e.failures++;
    e.last = now;
    if (e.failures > free) e.blockedUntil = now + Math.min(BASE_WAIT_MS * 2 ** (e.failures - free - 1), MAX_WAIT_MS);
    this.entries.set(key, e);
    if (this.entries.size > MAX_KEYS) this.prune(now);
  }

  private prune(now: number): void {
    for (const [k, e] of this.entries) if (e.blockedUntil <= now) this.entries.delete(k);
  }
}
