import type { Conn } from '../transport/socket.js';

/**
 * Every Yjs transaction on a room's doc carries one of these as its origin; the room
 * decides from it what to persist and whom to forward to, so nothing loops.
 */
export type Origin =
  /** `conn`: the one client whose updates the transaction holds; null when it holds several clients'. */
  { kind: 'client'; conn: Conn | null } | { kind: 'storage' } | { kind: 'bus' } | { kind: 'local' };

export const STORAGE_ORIGIN: Origin = { kind: 'storage' };
export const BUS_ORIGIN: Origin = { kind: 'bus' };
export const LOCAL_ORIGIN: Origin = { kind: 'local' };

export function isOrigin(x: unknown): x is Origin {
  return typeof x === 'object' && x !== null && 'kind' in x;
}
