/**
 * How many big updates (past one shape-read step) the node reads and integrates at once
 * (HS3). Each is spread over event-loop turns, one bounded step per turn; two at once would
 * put two steps in every turn, so bystanders would wait twice as long per turn.
 */
export const SLICING_AT_ONCE = 1;
/** Big updates that may wait for their turn; past this the node refuses with 4513 (retryable). */
export const SLICING_WAITING = 8;

/**
 * A place in a gate's line. `granted` settles once it holds a slot; `release` gives the place
 * up, held or still waiting, and may be called any number of times: whoever abandons an
 * update frees its place without knowing whether its turn had come.
 */
export interface Claim {
  readonly granted: Promise<void>;
  release(): void;
}

/**
 * The node's slots for work spread over turns: a session claims one before reading a big
 * update past its first step, a room before applying a dear delete set in parts.
 */
export class SliceGate {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly atOnce = SLICING_AT_ONCE,
    private readonly maxWaiting = SLICING_WAITING,
  ) {}

  /** A place in line, granted at once if a slot is free; null when too many already wait. */
  claim(): Claim | null {
    if (this.active >= this.atOnce && this.waiters.length >= this.maxWaiting) return null;
    let state: 'waiting' | 'held' | 'gone' = 'waiting';
    let grant!: () => void;
    const granted = new Promise<void>((resolve) => (grant = resolve));
    const onGrant = (): void => {
      state = 'held';
      grant();
    };
    if (this.active < this.atOnce) {
      this.active++;
      onGrant();
    } else this.waiters.push(onGrant);
    return {
      granted,
      release: () => {
        if (state === 'held') this.handOn();
        else if (state === 'waiting') this.waiters.splice(this.waiters.indexOf(onGrant), 1);
        state = 'gone';
      },
    };
  }

  /** Work being done now, and waiting (tests, metrics). */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiters.length };
  }

  private handOn(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }
}
