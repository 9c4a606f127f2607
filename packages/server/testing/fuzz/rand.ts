/**
 * The fuzzer's one source of choices: every decision comes from the seed, so a run replays
 * exactly. The generator is `prng` of `testing/wait.ts` with its state exposed, so a long
 * round can be resumed at an epoch (`state`, `resume`) instead of replayed from the start.
 */
export class Rand {
  private a: number;

  constructor(
    readonly seed: number,
    state?: number,
  ) {
    this.a = (state ?? seed) >>> 0;
  }

  /** Where the sequence is now: `new Rand(seed, state)` continues it from here. */
  get state(): number {
    return this.a;
  }

  float(): number {
    return this.next();
  }

  private next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Mostly small, sometimes large: sizes spread over orders of magnitude up to `max`. */
  size(max: number): number {
    return Math.max(1, Math.floor(Math.exp(this.next() * Math.log(max + 1))));
  }

  /** A client id the honest clients and earlier attacks are unlikely to use. */
  clientId(): number {
    return this.int(1_000, 2 ** 31 - 1);
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** `n` characters; `plane0` leaves out astral ones (see ALPHABET). */
  text(n: number, plane0 = false): string {
    const from = plane0 ? BMP : ALPHABET;
    let s = '';
    for (let i = 0; i < n; i++) s += from[Math.floor(this.next() * from.length)];
    return s;
  }
}

/**
 * Whole code points, astral ones included: a fork that splits a surrogate pair sends U+FFFD,
 * the same bytes for everyone. Honest clients type plane-0 text only: a Yjs client editing
 * inside a surrogate pair keeps the halves locally but sends U+FFFD, so its own text would
 * differ from everyone else's through no fault of the server.
 */
const ALPHABET = Array.from('abcdefghij klmnop\nqrstuvwxyzé€😀');
const BMP = Array.from('abcdefghij klmnop\nqrstuvwxyzé€');
