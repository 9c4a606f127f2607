import { encodeMessage } from '@padmesh/protocol';
import { encodeEntries, type PresenceEntry } from '../src/room/presence-guard.js';

/** An awareness frame written by hand, as a hostile (or old) client could: any ids, clocks and states. */
export function awarenessFrame(entries: PresenceEntry[]): Uint8Array {
  return encodeMessage({ type: 'awareness', update: encodeEntries(entries) });
}
