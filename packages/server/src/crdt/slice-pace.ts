/**
 * Wall time one slice may take, applying it and what the room does with it (checks, fan-out,
 * the store): what a bystander's edit waits for behind it, a few times over, since its way to
 * `saved` crosses the loop more than once.
 */
export const SLICE_TARGET_MS = 8;
/**
 * The fewest structs a slice is cut to: bounds the slices (log entries, fan-out frames, what a
 * joiner is sent) of one big update. A floor of 128 cost more than it saved: the bench's
 * delete-set phase, whose pad is written by a 20,000-struct paste first, went from a bystander
 * p99 of 71-121 ms to 115-175 (`BENCH_HOSTILE='delete sets'`, side by side); at 512 it was
 * 65-68 against 78-105.
 */
export const SLICE_MIN_STRUCTS = 512;
/** The first slice's size, before anything is measured: ~5-20 ms of the updates measured (HS2). */
const FIRST = 1_024;

/**
 * Sizes slices by what the last one took, so each stays near SLICE_TARGET_MS whatever its
 * structs cost. A fixed 2,048 took 5-12 ms on a quiet machine but 40-110 ms wall in the
 * hostile suite's HS3 and HS4 (map keys that replace others, scattered inserts, two cores
 * shared with the compactor and the clients), so bystanders waited 150-700 ms behind them.
 * Wall time, not CPU: when the machine is busy a turn takes longer, and slices shrink.
 */
export class SlicePace {
  private size: number;

  constructor(private readonly max: number) {
    this.size = Math.min(FIRST, max);
  }

  /** Structs the next slice may hold. */
  get next(): number {
    return this.size;
  }

  /** The last slice held `structs` and took `ms`: grow at most twofold, shrink at once. */
  took(structs: number, ms: number): void {
    // A slice that was not full (the last, or one cut short by what is not ready) says little of the rest.
    if (structs < this.size / 2) return;
    const fit = ms > 0 ? Math.floor((structs * SLICE_TARGET_MS) / ms) : this.max;
    this.size = Math.max(Math.min(SLICE_MIN_STRUCTS, this.max), Math.min(this.max, fit, this.size * 2));
  }
}
