/** A scheduled task; cancelling one that already ran does nothing. */
export interface Timer {
  cancel(): void;
}

/**
 * Time as the pad engine sees it. Production uses `systemClock`; tests drive a manual one
 * (`@padmesh/server/testing`), so every batching window, idle timer and retry can be run by
 * hand, with no sleeps and no ports.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Runs `fn` once after `ms`; `0` means "when the current event-loop turn ends"
   * (setImmediate), which is how work that arrives in one turn is batched.
   * Delayed timers never keep the process alive.
   */
  after(ms: number, fn: () => void): Timer;
  /** Runs `fn` every `ms` until cancelled. */
  every(ms: number, fn: () => void): Timer;
}

/** Resolves after `ms` on `clock` (a retry back-off, a drain delay). */
export function delay(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.after(ms, resolve));
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    if (ms <= 0) {
      // Not unref'd: an end-of-turn task runs before the loop could go idle anyway.
      const t = setImmediate(fn);
      return { cancel: () => clearImmediate(t) };
    }
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return { cancel: () => clearInterval(t) };
  },
};
