import * as Y from 'yjs';
import type { Anchor } from './update-shape.js';

/**
 * The anchors of one update whose HI13 check waits until the doc holds what it needs: both
 * origins and every item at the position. Each waits on one missing clock of one client at a
 * time, in a heap per client, so a transaction releases only the anchors it completed, at
 * O(log n) each. Scanning every waiting anchor in every transaction instead made a big update
 * applied in slices quadratic: 190,000 array items, ~100 slices, 3 s of the loop in stretches
 * of up to 1 s (bench "heap items", CPU profile of the node).
 */
export class AnchorGates {
  /** Made at the first anchor that must wait: a keystroke's is placed by the transaction that checks it. */
  private heaps: Map<number, ClockHeap> | null = null;
  private gated = 0;
  private started = false;

  constructor(private readonly anchors: readonly Anchor[]) {}

  /** Anchors not yet released. */
  get waiting(): number {
    return this.started ? this.gated : this.anchors.length;
  }

  /** Releases the anchors whose needs the store now meets, in their order in the update. */
  ready(store: Y.Doc['store']): Anchor[] {
    const out: number[] = [];
    if (!this.started) {
      this.started = true;
      for (let i = 0; i < this.anchors.length; i++) this.gate(store, i, out);
    } else if (this.heaps) {
      for (const [client, heap] of this.heaps) {
        const state = Y.getState(store, client);
        while (heap.size > 0 && heap.minClock() <= state) {
          this.gated--;
          this.gate(store, heap.pop(), out);
        }
        if (heap.size === 0) this.heaps.delete(client);
      }
    }
    // In update order, as when every anchor was looked at in turn: a typed run's anchors
    // pass by following the one before (`followsGood`), so their order is what it costs.
    out.sort((a, b) => a - b);
    return out.map((i) => this.anchors[i]!);
  }

  /** Waits anchor `i` on the first thing it still needs, or releases it into `out`. */
  private gate(store: Y.Doc['store'], i: number, out: number[]): void {
    const a = this.anchors[i]!;
    const r = a.rightOrigin!;
    if (Y.getState(store, r.client) <= r.clock) return this.wait(r.client, r.clock + 1, i);
    const o = a.origin;
    if (o && Y.getState(store, o.client) <= o.clock) return this.wait(o.client, o.clock + 1, i);
    const ids = a.at.ids;
    for (let k = 0; k < ids.length; k += 3)
      if (Y.getState(store, ids[k]!) < ids[k + 2]!) return this.wait(ids[k]!, ids[k + 2]!, i);
    out.push(i);
  }

  private wait(client: number, clock: number, i: number): void {
    const heaps = (this.heaps ??= new Map());
    let heap = heaps.get(client);
    if (!heap) heaps.set(client, (heap = new ClockHeap()));
    heap.push(clock, i);
    this.gated++;
  }
}

/** A binary min-heap of (clock, anchor index), by clock. */
class ClockHeap {
  private readonly clocks: number[] = [];
  private readonly items: number[] = [];

  get size(): number {
    return this.clocks.length;
  }

  minClock(): number {
    return this.clocks[0]!;
  }

  push(clock: number, item: number): void {
    const { clocks, items } = this;
    let k = clocks.length;
    clocks.push(clock);
    items.push(item);
    while (k > 0) {
      const up = (k - 1) >> 1;
      if (clocks[up]! <= clock) break;
      clocks[k] = clocks[up]!;
      items[k] = items[up]!;
      k = up;
    }
    clocks[k] = clock;
    items[k] = item;
  }

  pop(): number {
    const { clocks, items } = this;
    const top = items[0]!;
    const clock = clocks.pop()!;
    const item = items.pop()!;
    const n = clocks.length;
    if (n === 0) return top;
    let k = 0;
    for (;;) {
      let child = 2 * k + 1;
      if (child >= n) break;
      if (child + 1 < n && clocks[child + 1]! < clocks[child]!) child++;
      if (clocks[child]! >= clock) break;
      clocks[k] = clocks[child]!;
      items[k] = items[child]!;
      k = child;
    }
    clocks[k] = clock;
    items[k] = item;
    return top;
  }
}
