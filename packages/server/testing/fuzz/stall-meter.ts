import type { ManualClock } from '../manual-clock.js';

/** The longest synchronous stretch the node spent on one piece of work, and what the fuzzer was sending then. */
export interface Stall {
  ms: number;
  what: string;
}

/**
 * Measures the node's synchronous work per message (HF6): each frame's `receive` (decode,
 * shape, checks, admission) and each task the node runs on its clock (the turn's batch
 * applied to the doc, the group commit, fan-out), one at a time. A bystander on the same
 * event loop waits at most the longest of these. `label` names the message being handled.
 */
export class StallMeter {
  longest: Stall = { ms: 0, what: '' };
  label = '';
  /** The longest since `reset()`: one message's worst stretch. */
  current = 0;

  reset(label: string): void {
    this.label = label;
    this.current = 0;
  }

  /** Wraps the clock so every task it runs is timed. */
  watch(clock: ManualClock): void {
    const after = clock.after.bind(clock);
    const every = clock.every.bind(clock);
    clock.after = (ms, fn) => after(ms, () => this.time(fn));
    clock.every = (ms, fn) => every(ms, () => this.time(fn));
  }

  time<T>(fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      const ms = performance.now() - t0;
      if (ms > this.current) this.current = ms;
      if (ms > this.longest.ms) this.longest = { ms, what: this.label };
    }
  }
}
