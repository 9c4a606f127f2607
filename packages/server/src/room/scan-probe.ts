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
