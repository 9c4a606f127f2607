import * as Y from 'yjs';

export interface CheckedUpdate {
  /**
   * Characters the update would insert, less those its own delete set removes (an upper bound;
   * some may land in text deleted earlier). Text inserted and deleted in one update never
   * counts: after an over-limit paste is undone, the client's catch-up update still carries
   * the deleted paste, and it must not be refused again (E2).
   */
  insertedChars: number;
  /** Structs plus delete ranges: zero means the update changes nothing. */
  changes: number;
}

/**
 * Decodes a Yjs update and rejects shapes that decode but would throw half-way through
 * integration (leaving the in-memory doc partly changed): references from an item to a
 * later position of its own client, and empty or negative delete ranges. Throws on failure.
 */
export function checkUpdate(update: Uint8Array): CheckedUpdate {
  const { structs, ds } = Y.decodeUpdate(update);
  let insertedChars = 0;
  let changes = structs.length;
  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    const { client, clock } = s.id;
    for (const ref of [s.origin, s.rightOrigin, s.parent instanceof Y.ID ? s.parent : null]) {
      if (ref && ref.client === client && ref.clock >= clock)
        throw new Error('item refers to a later position of its own client');
      if (ref && ref.clock < 0) throw new Error('negative clock');
    }
    if (s.length <= 0) throw new Error('empty item');
  }
  for (const items of ds.clients.values()) {
    for (const d of items) if (d.len <= 0 || d.clock < 0) throw new Error('empty delete range');
    changes += items.length;
    items.sort((a, b) => a.clock - b.clock);
  }
  for (const s of structs) {
    if (s instanceof Y.Item && s.content instanceof Y.ContentString)
      insertedChars += s.length - deletedWithin(ds.clients.get(s.id.client), s.id.clock, s.length);
  }
  return { insertedChars, changes };
}

/** How much of [clock, clock + len) the sorted, merged delete ranges cover (also the shape reader's). */
export function deletedWithin(
  ranges: { clock: number; len: number }[] | undefined,
  clock: number,
  len: number,
): number {
  if (!ranges) return 0;
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (r.clock + r.len <= clock) lo = mid + 1;
    else hi = mid;
  }
  let covered = 0;
  for (let i = lo; i < ranges.length && ranges[i]!.clock < clock + len; i++) {
    const r = ranges[i]!;
    covered += Math.min(r.clock + r.len, clock + len) - Math.max(r.clock, clock);
  }
  return Math.min(covered, len);
}
