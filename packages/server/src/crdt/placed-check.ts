import * as Y from 'yjs';
import { AnchorGates } from './anchor-gates.js';
import { NO_SHAPE_LIMITS, ShapeError, readUpdateShape, type Anchor } from './update-shape.js';
import { WalkMemo } from './walk-memo.js';

/**
 * Structs a `PlacedCheck` may step over per update: about a millisecond, and a few more per
 * insert it checks. Past it the update is refused (`PlacedTooDear`): an unchecked insert
 * could be one placed between non-neighbours, spent for.
 */
export const PLACED_CHECK_VISITS = 200_000;
export const PLACED_CHECK_VISITS_PER_INSERT = 16;

/**
 * HI13 for items whose origin or right origin came in the same batch (`scanCost` left them
 * out), one update's: run inside the transaction that places them, before its doc update is
 * stored or sent. The same condition as before integration: walking right from the origin (or
 * the list's start), the right origin comes, and nothing before it but the item, the update's
 * other items there and structs its creator could not have known. Else ShapeError, and the
 * room discards the transaction's update (reloading the pad from storage); so too, with
 * `PlacedTooDear`, if the walks would pass the update's budget. An anchor is
 * checked once its item is in the doc, so a big update applied in slices has each slice's
 * items checked in that slice's transaction. Anchors still waiting in Yjs for a dependency
 * when their batch ends are kept by the room (`crdt/unplaced.ts`) and checked in whichever
 * later transaction places them.
 */
export class PlacedCheck {
  private readonly gates: AnchorGates;
  private readonly budget: number;
  private visits: number;
  /** What walks from each item passed, within one `check` (a keystroke's makes none). */
  private walks: Map<Y.Item, WalkMemo> | null = null;
  /**
   * Per client, the last clock of each item found well placed, and its right origin. A typed
   * run is a chain of items, each after the one before with the same right origin: each one's
   * walk is the rest of the walk before it, so it passes without walking (a chain of n walked
   * n²/2 structs, which spent the budget and left an insert at its end unchecked).
   */
  private readonly good = new Map<number, Map<number, Y.ID>>();

  constructor(anchors: readonly Anchor[]) {
    this.gates = new AnchorGates(anchors);
    this.budget = this.visits = PLACED_CHECK_VISITS + PLACED_CHECK_VISITS_PER_INSERT * anchors.length;
  }

  /**
   * Every insert of a (v1) update that names a right origin (with `deferredIn`, only those
   * whose origins that doc lacks): what a stored entry, or the pending structs a load left in
   * Yjs, may place between non-neighbours. Read without limits: stored content passed them
   * when it was written.
   */
  static ofUpdate(update: Uint8Array, deferredIn?: Y.Doc): PlacedCheck {
    const anchors = readUpdateShape(update, NO_SHAPE_LIMITS).anchors.filter((a) => a.rightOrigin !== null);
    if (!deferredIn) return new PlacedCheck(anchors);
    // Only these can land where they were never placed: an insert whose origins are both in
    // the doc was checked on its way in, and what lies between them cannot change (HI13).
    const store = deferredIn.store;
    const has = (id: Y.ID) => id.clock < Y.getState(store, id.client);
    return new PlacedCheck(anchors.filter((a) => !has(a.rightOrigin!) || (a.origin !== null && !has(a.origin))));
  }

  /** Anchors not yet checked because their items or origins are not all in the doc. */
  get waiting(): number {
    return this.gates.waiting;
  }

  /** Checks the anchors whose origins and items are in the doc now; true once none is left. */
  check(doc: Y.Doc): boolean {
    const store = doc.store;
    // Walks from one item share what they passed, for as long as the doc stays as it is: this call.
    this.walks = null;
    for (const a of this.gates.ready(store)) if (!this.followsGood(a)) this.walk(store, a);
    this.walks = null;
    return this.gates.waiting === 0;
  }

  private followsGood(a: Anchor): boolean {
    const o = a.origin;
    const r = o && this.good.get(o.client)?.get(o.clock);
    const right = a.rightOrigin!;
    if (!r || r.client !== right.client || r.clock !== right.clock) return false;
    this.markGood(a);
    return true;
  }

  /**
   * Walks right from the origin (or the list's start) to the item holding the right origin;
   * nothing before it may be a struct the creator knew but its own. What earlier walks from
   * the same item passed is not walked again (`WalkMemo`), and is judged by its least clocks.
   */
  private walk(store: Y.Doc['store'], a: Anchor): void {
    const right = a.rightOrigin!;
    const own = a.at.ids;
    let first: Y.Item | null;
    if (a.origin) {
      const l = Y.getItem(store, a.origin);
      if (!(l instanceof Y.Item) || l.parentSub !== null) return;
      first = l.right;
    } else {
      const x = Y.getItem(store, Y.createID(own[0]!, own[1]!));
      if (!(x instanceof Y.Item) || !(x.parent instanceof Y.AbstractType)) return;
      first = x.parent._start;
    }
    if (first === null) misplaced(a);
    const walks = (this.walks ??= new Map());
    let memo = walks.get(first);
    if (!memo) walks.set(first, (memo = new WalkMemo(first)));
    // Not an item (collected): no walk reaches it.
    const r = Y.getItem(store, right);
    let end = r instanceof Y.Item ? memo.indexOf(r) : undefined;
    while (end === undefined) {
      if (memo.next === null) misplaced(a);
      this.spend(a);
      const at = memo.step();
      if (memo.item(at) === r) end = at;
    }
    if (r.id.clock !== right.clock) misplaced(a);
    const o = a.origin;
    const maybeKnown =
      memo.leastClock(right.client, end) < right.clock || (o !== null && memo.leastClock(o.client, end) <= o.clock);
    // The least clocks count the update's own items at the spot too: look at each only then.
    if (maybeKnown)
      for (let k = 0; k < end; k++) {
        this.spend(a);
        const p = memo.item(k).id;
        if (!isOwn(p, own) && knownToCreator(p, a)) misplaced(a);
      }
    this.markGood(a);
  }

  private spend(a: Anchor): void {
    if (--this.visits < 0) throw new PlacedTooDear(this.budget, a.at.ids);
  }

  private markGood(a: Anchor): void {
    // A position whose items name several right origins: which of them has this one is not
    // known, and one marked with another's would let an insert after it claim a right origin
    // that lies to its left (the test "position-mate").
    if (a.at.rights !== null) return;
    const ids = a.at.ids;
    for (let i = 0; i < ids.length; i += 3) {
      let ends = this.good.get(ids[i]!);
      if (!ends) this.good.set(ids[i]!, (ends = new Map()));
      ends.set(ids[i + 2]! - 1, a.rightOrigin!);
    }
  }
}

function isOwn(id: Y.ID, ids: readonly number[]): boolean {
  for (let i = 0; i < ids.length; i += 3)
    if (id.client === ids[i] && id.clock >= ids[i + 1]! && id.clock < ids[i + 2]!) return true;
  return false;
}

/**
 * True if the creator of `a`'s item had this struct: a client's clocks arrive in order, so
 * whoever knew the right origin knew that client's earlier clocks, and likewise the origin's.
 * Yjs places an item with both origins known right after its origin, before its right origin,
 * so anything it knew cannot lie between them; only edits it had not seen can.
 */
export function knownToCreator(id: Y.ID, a: Anchor): boolean {
  const r = a.rightOrigin!;
  if (id.client === r.client && id.clock < r.clock) return true;
  const l = a.origin;
  return l !== null && id.client === l.client && id.clock <= l.clock;
}

/**
 * An item whose origins were never neighbours (a crafted or corrupted update): Yjs places it
 * by a walk that depends on what else the doc holds, so peers that receive it in another
 * order, and this pad reloaded from storage, would place it elsewhere and diverge for good
 * (found by the fuzzer: seed 1126500 epoch 115, a flipped clock). Honest Yjs never makes one.
 */
export function misplaced(a: Anchor): never {
  const id = (x: Y.ID | null) => (x ? `${x.client}:${x.clock}` : 'none');
  throw new Misplaced(
    `an insert's origins (${id(a.origin)}, ${id(a.rightOrigin)}) were never neighbours in this pad`,
    a.at.ids,
  );
}

/** HI13's refusal, naming the structs at the position (flat client, clock, end clock, ...). */
export class Misplaced extends ShapeError {
  constructor(
    message: string,
    readonly ids: readonly number[],
    limit = 'invalid_origins',
  ) {
    super(limit, message);
  }
}

/**
 * An update whose inserts would need more than its budget of walking to be checked (4415):
 * refused rather than let through unchecked, since the walks it made long could hide one
 * placed between non-neighbours. Honest shapes stay far under it: typed runs and text typed
 * at one spot cost a visit or two per insert (`followsGood`, `WalkMemo`).
 */
export class PlacedTooDear extends Misplaced {
  constructor(budget: number, ids: readonly number[]) {
    super(`checking where the update's inserts were placed would walk more than ${budget} structs`, ids, 'placed_walk');
  }
}

export function contains(item: Y.Item, id: Y.ID): boolean {
  return item.id.client === id.client && item.id.clock <= id.clock && id.clock < item.id.clock + item.length;
}
