import type * as Y from 'yjs';

/**
 * The items one walk right from `first` has passed, in list order, shared by every HI13 check
 * whose walk starts at the same item while the doc does not change (one `PlacedCheck.check`).
 * Inserts typed at one spot, each before the last (a text typed at its start, or with the
 * cursor held still), all walk from the same item, each a little further: without it n such
 * inserts walked n²/2 structs; with it each passes only what no earlier walk passed.
 */
export class WalkMemo {
  private readonly index = new Map<Y.Item, number>();
  private readonly order: Y.Item[] = [];
  /**
   * Per client, flat (index, clock): where the least clock of that client's items passed so far
   * drops, and to what. A walk is checked against two thresholds, so this answers it without
   * reading the items again.
   */
  private readonly least = new Map<number, number[]>();
  /** The next item a longer walk would pass; null at the end of the list. */
  next: Y.Item | null;

  constructor(first: Y.Item | null) {
    this.next = first;
  }

  /** Where `item` is in the walk, if it has been passed. */
  indexOf(item: Y.Item): number | undefined {
    return this.index.get(item);
  }

  /** Passes the next item; returns its index. */
  step(): number {
    const o = this.next!;
    const at = this.order.length;
    this.order.push(o);
    this.index.set(o, at);
    const runs = this.least.get(o.id.client);
    if (!runs) this.least.set(o.id.client, [at, o.id.clock]);
    else if (o.id.clock < runs[runs.length - 1]!) runs.push(at, o.id.clock);
    this.next = o.right;
    return at;
  }

  item(at: number): Y.Item {
    return this.order[at]!;
  }

  /** The least clock of `client` among the first `end` items passed; Infinity if none is its. */
  leastClock(client: number, end: number): number {
    const runs = this.least.get(client);
    if (!runs || runs[0]! >= end) return Infinity;
    // The last drop before `end`: binary search over the flat (index, clock) pairs.
    let lo = 0;
    let hi = runs.length / 2 - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runs[2 * mid]! < end) lo = mid;
      else hi = mid - 1;
    }
    return runs[2 * lo + 1]!;
  }
}
