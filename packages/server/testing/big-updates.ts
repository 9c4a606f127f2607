import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { prng } from './wait.js';

/**
 * Updates at the per-update struct cap, built with real Yjs docs: what an attacker (or a
 * long offline session) can send that passes every limit and still costs the event loop
 * most (HS rules, scripts/measure-slicing.ts).
 */

/** A pad's text written by one client: the base the big updates land in. */
export function baseText(chars: number, client = 1): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = client;
  doc.getText('content').insert(0, 'b'.repeat(chars));
  return doc;
}

/**
 * `n` one-character inserts at random places of `base`'s text (one struct of client 1, as
 * `baseText` writes it), from `clients` client ids in turn: every insert is its own struct
 * with a cross-client origin and right origin, as concurrent typists' edits are. Written as
 * v1 bytes directly (building 200k inserts through a Y.Doc takes minutes).
 */
export function scatteredInserts(base: Y.Doc, n: number, clients = 64, seed = 1): Uint8Array {
  const rnd = prng(seed);
  const chars = base.getText('content').length;
  const perClient = Array.from({ length: clients }, (_, c) => Math.floor(n / clients) + (c < n % clients ? 1 : 0));
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, perClient.filter((k) => k > 0).length);
  perClient.forEach((k, c) => {
    if (k === 0) return;
    encoding.writeVarUint(e, k);
    encoding.writeVarUint(e, 100_000 + c);
    encoding.writeVarUint(e, 0);
    for (let i = 0; i < k; i++) {
      const at = Math.floor(rnd() * (chars - 1));
      encoding.writeUint8(e, 0b1100_0100); // origin, right origin, ContentString
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, at);
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, at + 1);
      encoding.writeVarString(e, 'x');
    }
  });
  encoding.writeVarUint(e, 0);
  return encoding.toUint8Array(e);
}

/** One client setting `n` distinct keys of a root Y.Map in one transaction: one struct per key. */
export function mapKeys(n: number, client = 7): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = client;
  const m = doc.getMap('m');
  doc.transact(() => {
    for (let i = 0; i < n; i++) m.set(i.toString(36), 0);
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

/** A text of `n` characters from one client, each its own struct (typed at alternating ends, so none merge). */
export function fragmentedText(n: number, client = 5): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = client;
  const t = doc.getText('content');
  doc.transact(() => {
    for (let i = 0; i < n; i++) t.insert(i % 2 ? 0 : t.length, 'x');
  });
  return doc;
}

/** An update of only a delete set: `ranges` of one client, as sent (Yjs applies them unmerged). */
export function deleteRanges(client: number, ranges: readonly (readonly [clock: number, len: number])[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, ranges.length);
  for (const [clock, len] of ranges) {
    encoding.writeVarUint(e, clock);
    encoding.writeVarUint(e, len);
  }
  return encoding.toUint8Array(e);
}
