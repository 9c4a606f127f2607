import * as Y from 'yjs';

export interface CheckedUpdate {
  /** Characters the update would insert (an upper bound; some may land in deleted text). */
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
    if (s.content instanceof Y.ContentString) insertedChars += s.content.str.length;
  }
  for (const items of ds.clients.values()) {
    for (const d of items) if (d.len <= 0 || d.clock < 0) throw new Error('empty delete range');
    changes += items.length;
  }
  return { insertedChars, changes };
}
