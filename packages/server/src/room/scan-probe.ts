import * as Y from 'yjs';
import type { Anchor } from '../crdt/update-shape.js';

/**
 * How many structs Yjs may walk past to place the update's items in this doc, counted up
 * to `max` without changing anything (HI1). Yjs resolves an insert by scanning the items
 * already between its origin and right origin (for a map key with no origin: every earlier
 * value of the key); an update that passes every per-update limit still costs one full scan
 * per item when the doc holds many items at its spot (measured: 200 one-item updates after
 * 100,000 same-spot items held the loop 46 s). Counting the same walk up front bounds it.
 * Anchors whose origin is not in the doc yet are skipped: they land among the update's own
 * items, which the per-update limits bound.
 */
export function scanCost(doc: Y.Doc, anchors: Iterable<Anchor>, max: number): number {
  const store = doc.store;
  const has = (id: Y.ID) => id.clock < Y.getState(store, id.client);
  let steps = 0;
  for (const a of anchors) {
    if (a.origin && !has(a.origin)) continue;
    if (a.rightOrigin && !has(a.rightOrigin)) continue;
    let o = start(doc, a);
    if (o === null) continue;
    if (o === 'walk-map') {
      steps += mapChain(doc, a, max - steps);
    } else {
      for (; o !== null && !(a.rightOrigin && contains(o, a.rightOrigin)); o = o.right) {
        if (++steps > max) return steps;
      }
    }
    if (steps > max) return steps;
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
