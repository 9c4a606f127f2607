import * as Y from 'yjs';
import { contains, knownToCreator, misplaced } from '../crdt/placed-check.js';
import { ShapeError, type Anchor, type Spot } from '../crdt/update-shape.js';

/**
 * How many structs Yjs may walk past to place the update's items in this doc, counted up
 * to `max` without changing anything (HI1). Yjs resolves an insert by scanning the items
 * already between its origin and right origin (for a map key with no origin: every earlier
 * value of the key), once per item: an update that passes every per-update limit still
 * costs one full scan per item when the doc holds many items at its spot (measured: 200
 * one-item updates after 100,000 same-spot items held the loop 46 s; 256 items of 64
 * clients at one spot, 100-470 ms per update, when the walk was charged once per spot).
 * So each position is charged its longest walk in the doc times its items. What the
 * update's own items at a position walk past each other (n(n-1)/2 when several clients
 * share it) is not charged: MAX_CONTESTED bounds it per position, and charging it refused
 * the max-cap scattered update HS3 accepts (10,000 positions × ~20 items: 1.9 M steps,
 * applied in slices). Spots whose origin or right origin is not in the doc yet are not walked,
 * and items the doc already has are not charged (Yjs skips them): a client resending what
 * was stored, as the HS3 ordering test's writer does, was charged 100,080 steps for nothing.
 */
export function scanCost(
  doc: Y.Doc,
  anchors: Iterable<Anchor>,
  max: number,
  deferred?: Anchor[],
  /** What earlier calls for the same update found per position, when it is scanned in parts (`ScanInParts`). */
  memo?: ScanMemo,
): number {
  const store = doc.store;
  // Both made at the first position with several items or spots: a keystroke has neither.
  /** Per position, the longest walk charged so far: its other spots add only what they walk further. */
  let longest: Map<Spot, number> | null = memo?.longest ?? null;
  /** Per position with several items, how many of them the doc lacks. */
  let fresh: Map<Spot, number> | null = memo?.fresh ?? null;
  let steps = 0;
  for (const a of anchors) {
    const at = a.at;
    if ((a.origin && !has(store, a.origin)) || (a.rightOrigin && !has(store, a.rightOrigin))) {
      // Placed by what comes in the same batch: checked once that is in (`checkPlaced`).
      if (a.rightOrigin) deferred?.push(a);
      continue;
    }
    let n = 1;
    let anchor = a;
    if (at.n === 1) {
      const state = Y.getState(store, at.ids[0]!);
      if (at.ids[1]! < state) {
        // Known in whole or in part: Yjs still splits its origins' structs first, here alone.
        splitsNoPair(doc, a);
        if (at.ids[2]! <= state) continue;
        // Known in part: Yjs places the rest right after the client's last clock it has.
        anchor = { ...a, origin: Y.createID(at.ids[0]!, state - 1) };
      }
    } else {
      fresh ??= new Map();
      n = fresh.get(at) ?? lacking(store, at.ids);
      fresh.set(at, n);
      if (n === 0) {
        splitsNoPair(doc, a);
        continue;
      }
      // The rare item known in part among several: checked as placed after what the doc has
      // (its right origin is this anchor's only when the position names one).
      if (at.rights === null)
        for (let i = 0; i < at.ids.length; i += 3) {
          const state = Y.getState(store, at.ids[i]!);
          if (at.ids[i + 1]! < state && state < at.ids[i + 2]!) {
            steps += walkLength(doc, { ...a, origin: Y.createID(at.ids[i]!, state - 1) }, max - steps + 1);
            if (steps > max) return steps;
          }
        }
    }
    // Enough to know whether the charge passes `max`: the walk is bounded by what is left.
    const walk = walkLength(doc, anchor, Math.floor((max - steps) / n) + 1);
    // One item, one spot (nearly every position): no bookkeeping per anchor of a big update.
    if (n === 1 && at.n === 1) {
      steps += walk;
      if (steps > max) return steps;
      continue;
    }
    longest ??= new Map();
    const before = longest.get(at) ?? 0;
    if (walk > before) {
      steps += (walk - before) * n;
      longest.set(at, walk);
      if (steps > max) return steps;
    }
  }
  if (memo) {
    memo.longest = longest;
    memo.fresh = fresh;
  }
  return steps;
}

/** Per position, what `scanCost` charged so far for one update scanned in parts. */
export interface ScanMemo {
  longest: Map<Spot, number> | null;
  fresh: Map<Spot, number> | null;
}

/**
 * Anchors `ScanInParts` scans per event-loop turn: a few milliseconds. A map update of 190,000
 * new keys looks each key up in a map of up to 1,000,000 (~0.5 µs), and scanning all of them
 * in the turn that admitted it held the loop ~100 ms per frame (bench "heap items").
 */
export const SCAN_PART = 4096;

/** What a big update's scan found before it is admitted (`PadShape.admit`). */
export interface Prescan {
  steps: number;
  /** Inserts whose origins were not in the doc when scanned: HI13 is checked once they are placed. */
  placed: Anchor[];
  /** The scan refused the update (HI13, a split surrogate pair): admitting it throws this. */
  error: ShapeError | null;
}

/**
 * `scanCost` of one big update, SCAN_PART anchors at a time, so the caller can spread it over
 * turns as it reads the update (HS1). The doc may change between parts, as it may between
 * admitting an update and applying it: a charge is what the doc held when each part was
 * scanned, and an insert whose origins were in the doc then was checked then (HI13: what lies
 * between two items both in the doc only changes by edits their creator did not know).
 */
export class ScanInParts {
  private readonly memo: ScanMemo = { longest: null, fresh: null };
  private readonly out: Prescan = { steps: 0, placed: [], error: null };
  private at = 0;

  constructor(
    private readonly anchors: readonly Anchor[],
    private readonly max: number,
  ) {}

  /** Scans the next part against `doc`; the result once the update is scanned, or charged past `max`, or refused. */
  step(doc: Y.Doc): Prescan | null {
    const { anchors, out } = this;
    const part = anchors.slice(this.at, this.at + SCAN_PART);
    this.at += part.length;
    try {
      out.steps += scanCost(doc, part, this.max - out.steps, out.placed, this.memo);
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      out.error = err;
      return out;
    }
    return this.at >= anchors.length || out.steps > this.max ? out : null;
  }
}

const has = (store: Y.Doc['store'], id: Y.ID) => id.clock < Y.getState(store, id.client);

/**
 * Yjs splits the structs an item's origins point inside before it knows whether it will
 * integrate the item (getMissing), also for an item the doc already has, which it then skips;
 * a text split between the two halves of a surrogate pair replaces both with U+FFFD. For an
 * item that integrates, every peer does the same split; for one skipped here, only this doc
 * does, and no update says so: the node's text and its clients' differed for good (the
 * fuzzer, seed 1126501 epoch 4993: "😀" on the clients, two U+FFFD on the node). So a known
 * item whose origin falls inside a character is refused (HI13).
 */
function splitsNoPair(doc: Y.Doc, a: Anchor): void {
  const at =
    (a.origin && cutsPair(doc, a.origin, 1) && a.origin) ||
    (a.rightOrigin && cutsPair(doc, a.rightOrigin, 0) && a.rightOrigin);
  if (at)
    throw new ShapeError(
      'invalid_origins',
      `an insert's origin ${at.client}:${at.clock} falls inside a character of this pad`,
    );
}

/** True if splitting `id`'s struct before clock `id.clock + after` would cut a surrogate pair. */
function cutsPair(doc: Y.Doc, id: Y.ID, after: 0 | 1): boolean {
  const item = Y.getItem(doc.store, id);
  if (!(item instanceof Y.Item) || !(item.content instanceof Y.ContentString)) return false;
  const k = id.clock + after - item.id.clock;
  if (k <= 0 || k >= item.length) return false;
  const c = item.content.str.charCodeAt(k - 1);
  return c >= 0xd800 && c <= 0xdbff;
}

/** How many of the items (client, clock, end) in `ids` the store does not have in whole. */
function lacking(store: Y.Doc['store'], ids: number[]): number {
  let n = 0;
  for (let i = 0; i < ids.length; i += 3) if (ids[i + 2]! > Y.getState(store, ids[i]!)) n++;
  return n;
}

/**
 * Structs Yjs walks past for one item at this spot, counted up to `max` (+1), and a check,
 * on the same walk, that the item's two origins could have been neighbours (HI13), else
 * ShapeError. Yjs's conflict loop goes on past an item only while it is another insert at
 * the same origin or lies inside the subtree of one it passed; at the first other item it
 * stops. Those steps are charged one each. Charging the whole way to the right origin (or to
 * the end of the list) made a client that never applies others' edits, whose origins lie far
 * apart in the pad, pay for thousands of items per keystroke: 400 such authors behind one
 * address spent the address's budget in seconds (bench `authors`, 41 % refused). The rest of
 * the way to the right origin is only walked for the check, a pointer step per struct,
 * charged as DELETE_VISITS_PER_STEP are.
 */
function walkLength(doc: Y.Doc, a: Anchor, max: number): number {
  const right = a.rightOrigin;
  let left: Y.Item | null = null;
  if (a.origin) {
    const l = Y.getItem(doc.store, a.origin);
    if (!(l instanceof Y.Item)) return 0;
    left = l;
    // Nearly every insert: the right origin is still the origin's neighbour (the next struct,
    // or the next clock of the origin's own run), so Yjs's loop passes nothing. Answered
    // without looking the right origin up, a binary search over its client's structs: half of
    // this probe's cost in the throughput profile, where the probe was 12 % of the main thread
    // (bench/README.md, step 15). Anything else takes the full walk below.
    if (right && l.parentSub === null) {
      if (a.origin.clock === l.id.clock + l.length - 1) {
        const next = l.right;
        if (next !== null && contains(next, right)) {
          if (next.id.clock !== right.clock) misplaced(a);
          return 0;
        }
      } else if (right.client === l.id.client && right.clock === a.origin.clock + 1) return 0;
    }
  }
  if (right && !(Y.getItem(doc.store, right) instanceof Y.Item)) return 0; // Yjs drops it (collected)
  let steps = 0;
  let o: Y.Item | null;
  /** What Yjs's loop has passed (its itemsBeforeOrigin), made only when it passes something. */
  let passed: Set<Y.Item> | null = null;
  if (left && a.origin) {
    if (left.parentSub !== null) return walkOpen(left.right, max);
    if (a.origin.clock < left.id.clock + left.length - 1) {
      // An origin inside a run: the run's next clock comes next. A right origin of the same
      // client after it means its creator knew that next clock, which then lay between them.
      if (right && right.client === left.id.client && right.clock > a.origin.clock) {
        if (right.clock !== a.origin.clock + 1) misplaced(a);
        return 0;
      }
      // Yjs splits the run: its rest is the first item passed (its origin is ours).
      steps = 1;
      passed = new Set([left]);
    }
    o = left.right;
  } else {
    const s = start(doc, a);
    if (s === 'walk-map') return mapChain(doc, a, max);
    if (s === null) return 0;
    o = s;
  }
  let conflicts = true;
  let visits = 0;
  const maxVisits = (max - steps + 1) * DELETE_VISITS_PER_STEP;
  for (; o !== null; o = o.right) {
    if (right && contains(o, right)) {
      if (o.id.clock !== right.clock) misplaced(a);
      return steps + Math.ceil(visits / DELETE_VISITS_PER_STEP);
    }
    if (right && knownToCreator(o.id, a)) misplaced(a);
    if (conflicts) {
      if (++steps > max) return steps;
      (passed ??= new Set()).add(o);
      if (sameOrigin(o, a.origin) || (o.origin !== null && passed.has(Y.getItem(doc.store, o.origin) as Y.Item)))
        continue;
      conflicts = false;
      if (!right) return steps;
    }
    if (++visits > maxVisits) return max + 1;
  }
  if (!right) return steps;
  // The right origin is not right of the origin (another list, or to its left).
  misplaced(a);
}

function sameOrigin(o: Y.Item, origin: Y.ID | null): boolean {
  if (origin === null) return o.origin === null;
  return o.origin !== null && o.origin.client === origin.client && o.origin.clock === origin.clock;
}

/** A map entry's walk (its list is a chain of a key's values). */
function walkOpen(o: Y.Item | null, max: number): number {
  let steps = 0;
  for (; o !== null; o = o.right) if (++steps > max) return steps;
  return steps;
}

/** The first item Yjs would look at for an anchor with no origin, null when there is nothing to walk. */
function start(doc: Y.Doc, a: Anchor): Y.Item | null | 'walk-map' {
  if (a.rightOrigin) {
    const right = Y.getItem(doc.store, a.rightOrigin);
    if (!(right instanceof Y.Item) || !(right.parent instanceof Y.AbstractType)) return null;
    return right.parentSub === null ? right.parent._start : null;
  }
  if (a.sub !== null) return 'walk-map';
  return parentType(doc, a)?._start ?? null;
}

/** A map key set with no origin: Yjs walks every earlier value of the key. */
function mapChain(doc: Y.Doc, a: Anchor, max: number): number {
  let o: Y.Item | null = parentType(doc, a)?._map.get(a.sub!) ?? null;
  let steps = 0;
  for (; o !== null && steps <= max; o = o.left) steps++;
  return steps;
}

function parentType(doc: Y.Doc, a: Anchor): SharedType | null {
  if (a.root !== null) return doc.share.get(a.root) ?? null;
  if (!a.parent || a.parent.clock >= Y.getState(doc.store, a.parent.client)) return null;
  const item = Y.getItem(doc.store, a.parent);
  return item instanceof Y.Item && item.content instanceof Y.ContentType ? item.content.type : null;
}

/** Any shared type, as the doc's share map holds them. */
type SharedType = Y.Doc['share'] extends Map<string, infer T> ? T : never;

/** Structs Yjs steps over per delete range cost about what one walk step does (5.5 ns vs 2-8 µs). */
export const DELETE_VISITS_PER_STEP = 512;
/**
 * A split moves the client's struct array one slot (a splice): this many slots cost one step.
 * Each split also costs about one step itself (a new item, its delete, the merge after: 100,000
 * ranges in clock order over one run took 0.8 s with no slot to move).
 */
export const SPLICE_SLOTS_PER_STEP = 4096;

/**
 * What applying the update's delete set costs in this doc, in walk steps, counted up to `max`
 * without changing anything (HI1). Yjs applies each range as sent, unmerged: it steps over
 * every struct of the client between the range's ends, deleted or not, and splits the struct
 * each end falls inside by splicing the client's struct array. Both are bounded only by the
 * pad: 10,000 copies of one range over 20,000 structs held the loop 1.1 s, and 100,000
 * one-clock ranges over one long run (100,000 splices into a growing array) 3.1 s
 * (`scripts/measure-deletes.ts`). An honest delete is one range per run of a client's text.
 * Ends are judged against the doc before the update, so a range starting where an earlier
 * one split is charged a split it will not make: an over-charge of at most one per range.
 */
export function deleteCost(doc: Y.Doc, deletes: readonly number[], max: number): number {
  const store = doc.store;
  let visits = 0;
  let slots = 0;
  let client = -1;
  let structs: (Y.Item | Y.GC)[] = [];
  let state = 0;
  let splits = 0;
  let prev = 0;
  let cuts = 0;
  const steps = () => Math.ceil(visits / DELETE_VISITS_PER_STEP + slots / SPLICE_SLOTS_PER_STEP) + cuts;
  for (let i = 0; i < deletes.length; i += 3) {
    if (deletes[i] !== client) {
      client = deletes[i]!;
      structs = (store.clients.get(client) ?? []) as (Y.Item | Y.GC)[];
      state = Y.getState(store, client);
      splits = 0;
      prev = 0;
    }
    const clock = deletes[i + 1]!;
    if (clock >= state) continue;
    const end = Math.min(clock + deletes[i + 2]!, state);
    const first = Y.findIndexSS(structs, clock);
    const last = Y.findIndexSS(structs, end - 1);
    visits += last - first + 1;
    // The slots a splice moves are those after it: for ranges in clock order (as Yjs encodes
    // a delete set) earlier splits all lie before, so the tail is what the doc had after it;
    // out of order, every earlier split may lie after it too.
    const tail = structs.length - first + (clock < prev ? splits : 0);
    prev = clock;
    const a = structs[first]!;
    if (!a.deleted && a.id.clock < clock) {
      slots += tail;
      splits++;
      cuts++;
    }
    const b = structs[last]!;
    if (!b.deleted && end < b.id.clock + b.length) {
      slots += tail;
      splits++;
      cuts++;
    }
    if ((i & 0x3ff) === 0 && steps() > max) return steps();
  }
  return steps();
}
