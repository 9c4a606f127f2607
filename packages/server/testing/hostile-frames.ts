import { encodeMessage } from '@padmesh/protocol';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { encodeEntries, type PresenceEntry } from '../src/room/presence-guard.js';

/**
 * Frames a hostile client could send, built by hand: shared by the harness suite
 * (`test/room/hostile-updates.test.ts`), the real-socket suite (`hostile-bystander.test.ts`)
 * and the bench's `hostile` workload, so each attack is written once.
 */

/** An awareness frame written by hand, as a hostile (or old) client could: any ids, clocks and states. */
export function awarenessFrame(entries: PresenceEntry[]): Uint8Array {
  return encodeMessage({ type: 'awareness', update: encodeEntries(entries) });
}

/** A y-websocket update frame carrying `update`. */
export function updateFrame(update: Uint8Array): Uint8Array {
  return encodeMessage({ type: 'update', update });
}

/**
 * `n` clients' one-character inserts at `at` of `base`, all concurrent, merged into one v1
 * update; each client (ids from `firstClient`) inserts `perClient` characters at the same
 * spot (repeated inserts at one index share its left neighbour as origin: one position).
 */
export function concurrentInserts(
  base: Uint8Array,
  n: number,
  at = 0,
  perClient = 1,
  firstClient = 1_000_000,
): Uint8Array {
  const baseSv = Y.encodeStateVectorFromUpdate(base);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const d = new Y.Doc();
    d.clientID = firstClient + i;
    Y.applyUpdate(d, base);
    for (let j = 0; j < perClient; j++) d.getText('content').insert(at, 'x');
    parts.push(Y.encodeStateAsUpdate(d, baseSv));
  }
  return concatClientBlocks(parts);
}

/**
 * One v1 update holding every part's client block. Y.mergeUpdates takes ~50 s for 20,000
 * one-client parts; each part is [1 client][its block][0 delete clients], so splice.
 */
export function concatClientBlocks(parts: Uint8Array[]): Uint8Array {
  const enc = new Y.UpdateEncoderV1();
  encoding.writeVarUint(enc.restEncoder, parts.length);
  for (const p of parts) {
    if (p[0] !== 1 || p[p.length - 1] !== 0) throw new Error('expected one client block and no deletes');
    encoding.writeUint8Array(enc.restEncoder, p.subarray(1, p.length - 1));
  }
  encoding.writeVarUint(enc.restEncoder, 0);
  return enc.toUint8Array();
}

/** One insert "Z" of client 777 after (client, origin), with right origin (client, right). */
export function waitingInsert(client: number, origin: number, right: number): Uint8Array {
  const e = encoding.createEncoder();
  for (const n of [1, 1, 777, 0]) encoding.writeVarUint(e, n);
  encoding.writeUint8(e, 0x80 | 0x40 | 4);
  for (const n of [client, origin, client, right]) encoding.writeVarUint(e, n);
  encoding.writeVarString(e, 'Z');
  encoding.writeVarUint(e, 0);
  return encoding.toUint8Array(e);
}
