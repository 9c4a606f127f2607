import * as Y from 'yjs';
import type { Anchor, Spot } from '../crdt/update-shape.js';

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
export function scanCost(doc: Y.Doc, anchors: Iterable<Anchor>, max: number): number {
  const store = doc.store;
  const has = (id: Y.ID) => id.clock < Y.getState(store, id.client);
  /** Per position, the longest walk charged so far: its other spots add only what they walk further. */
  const longest = new Map<Spot, number>();
  /** Per position with several items, how many of them the doc lacks. */
  const fresh = new Map<Spot, number>();
  let steps = 0;
  for (const a of anchors) {
    const at = a.at;
    if (a.origin && !has(a.origin)) continue;
    if (a.rightOrigin && !has(a.rightOrigin)) continue;
    let n = 1;
    if (at.n === 1) {
      if (at.ids[1]! < Y.getState(store, at.ids[0]!)) continue;
    } else {
      n = fresh.get(at) ?? lacking(store, at.ids);
      fresh.set(at, n);
      if (n === 0) continue;
    }
    // Enough to know whether the charge passes `max`: the walk is bounded by what is left.
    const walk = walkLength(doc, a, Math.floor((max - steps) / n) + 1);
    // One item, one spot (nearly every position): no bookkeeping per anchor of a big update.
    if (n === 1 && at.n === 1) {
      steps += walk;
      if (steps > max) return steps;
      continue;
    }
    const before = longest.get(at) ?? 0;
    if (walk > before) {
      steps += (walk - before) * n;
      longest.set(at, walk);
      if (steps > max) return steps;
    }
  }
  return steps;
}

/** How many of the (client, clock) pairs in `ids` the store does not have yet. */
function lacking(store: Y.Doc['store'], ids: number[]): number {
  let n = 0;
  for (let i = 0; i < ids.length; i += 2) if (ids[i + 1]! >= Y.getState(store, ids[i]!)) n++;
  return n;
}

/** Structs Yjs walks past for one item at this spot, counted up to `max` (+1). */
function walkLength(doc: Y.Doc, a: Anchor, max: number): number {
  let o = start(doc, a);
  if (o === null) return 0;
  if (o === 'walk-map') return mapChain(doc, a, max);
  let steps = 0;
  for (; o !== null && !(a.rightOrigin && contains(o, a.rightOrigin)); o = o.right) {
    if (++steps > max) return steps;
  }
  return steps;
}

/** The first item Yjs would look at for this anchor, null when there is nothing to walk. */
function start(doc: Y.Doc, a: Anchor): Y.Item | null | 'walk-map' {
  if (a.origin) {
    const left = Y.getItem(doc.store, a.origin);
    if (!(left instanceof Y.Item)) return null;
    // An origin inside a struct means the spot is inside a run: nothing lies between.
    if (a.origin.clock < left.id.clock + left.length - 1) return null;
    return left.right;
  }
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

function contains(item: Y.Item, id: Y.ID): boolean {
  return item.id.client === id.client && item.id.clock <= id.clock && id.clock < item.id.clock + item.length;
}

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
