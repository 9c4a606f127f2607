import v8 from 'node:v8';

/**
 * Share of V8's heap limit that loaded pads' estimated heap may reach before new loads are
 * refused. The rest is for connections, buffers, encodes in flight and garbage not yet
 * collected; past the limit V8 aborts the process, taking every pad with it (HI4). The limit
 * counts the young generation too (~56 MiB by default), so on a small heap the old space fills
 * well before the share suggests: 40 % and 60 % keep a margin for a big update applied in slices.
 */
export const PAD_HEAP_SHARE = 0.4;
/**
 * Share of the heap limit actually in use past which updates that add structs are refused
 * whatever the estimate says: the estimate is a model, this is the measurement.
 */
export const USED_HEAP_SHARE = 0.6;
/**
 * The same for new loads, lower: loads stop first, so the pads already open keep taking
 * edits. With one share for both, a node run as production runs it (`--max-semi-space-size=4`,
 * so a smaller young generation in the limit) reached it by measurement before the estimate,
 * and refused the open pads' edits together with the new load (`hostile-heap.test.ts`).
 */
export const USED_HEAP_SHARE_LOADS = 0.5;

/**
 * How long a reading of the heap in use is reused. `v8.getHeapStatistics()` builds an object
 * of 14 numbers in a native call: asked per update it was 1.5 % of the main thread under the
 * throughput load (issue 15's cost to honest workloads). A few ms is nothing against a
 * margin of 40 % of the heap limit.
 */
const HEAP_READ_MS = 5;
let heapRead = { at: Number.NEGATIVE_INFINITY, used: 0 };

/** The heap in use, read at most every HEAP_READ_MS. */
function usedHeapSize(): number {
  const now = performance.now();
  if (now - heapRead.at >= HEAP_READ_MS) heapRead = { at: now, used: v8.getHeapStatistics().used_heap_size };
  return heapRead.used;
}

/** Why a pad could not be loaded: retryable, another node (or later) may take it. */
export class OverloadedError extends Error {
  override name = 'OverloadedError';
}

/**
 * The node's hard memory ceiling (HI4): past it, the node refuses more load, retryably,
 * instead of growing until V8 kills it.
 */
export class HeapGuard {
  readonly limit: number;
  readonly ceiling: number;

  constructor(
    limit = v8.getHeapStatistics().heap_size_limit,
    /** The heap in use; tests of the estimate alone pass () => 0. */
    private readonly usedHeap: () => number = usedHeapSize,
  ) {
    this.limit = limit;
    this.ceiling = Math.floor(limit * PAD_HEAP_SHARE);
  }

  /** True when `estimated` bytes of pads, or the heap in use, is past its share for loads. */
  overloaded(estimated: number): boolean {
    return estimated > this.ceiling || this.usedHeap() > this.limit * USED_HEAP_SHARE_LOADS;
  }

  /** True when the heap in use is past its share for growing updates: cheap enough to run per update. */
  heapInUsePast(): boolean {
    return this.usedHeap() > this.limit * USED_HEAP_SHARE;
  }
}
