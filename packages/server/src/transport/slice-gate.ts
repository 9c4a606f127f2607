/**
 * How many big updates (past one shape-read step) the node reads and integrates at once
 * (HS3). Each is spread over event-loop turns, one bounded step per turn; two at once would
 * put two steps in every turn, so bystanders would wait twice as long per turn.
 */
export const SLICING_AT_ONCE = 1;
/** Big updates that may wait for their turn; past this the node refuses with 4513 (retryable). */
export const SLICING_WAITING = 8;

/** The node's slots for big updates; a session takes one before reading a big update past its first step. */
export class SliceGate {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly atOnce = SLICING_AT_ONCE,
    private readonly maxWaiting = SLICING_WAITING,
  ) {}

  /** Resolves with the slot's release once one is free; null when too many already wait. */
  enter(): Promise<() => void> | null {
    if (this.active < this.atOnce) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiters.length >= this.maxWaiting) return null;
    return new Promise((resolve) => this.waiters.push(() => resolve(this.releaser())));
  }

  /** Big updates being read or integrated now, and waiting (tests, metrics). */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiters.length };
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    };
  }
}
