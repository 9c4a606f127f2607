/**
 * What the status indicator says, as a pure decision so it can be tested without a browser
 * (SPEC E7). "saved" only once the server has durably stored everything we sent (D2).
 */
export type Status = 'connecting' | 'saving' | 'saved' | 'offline' | 'unreachable' | 'too-large' | 'failed';

/** Where the provider's connection stands. */
export type Link = 'connecting' | 'open' | 'down' | 'too-large' | 'failed';

export interface StatusInput {
  now: number;
  /** `navigator.onLine`: false means the device has no network ("You're offline"). */
  online: boolean;
  link: Link;
  /** A socket of this provider has opened before (a first connect says "Connecting…"). */
  everOpened: boolean;
  /** When the connection was last lost or first failed; null while open. */
  downSince: number | null;
  /** Both halves of the sync are done and every update-bearing message is acknowledged. */
  caughtUp: boolean;
  /** When the oldest local change that no server has acknowledged was made; null if none. */
  oldestUnsavedAt: number | null;
  prev: Status;
}

/** Edits acknowledged faster than this never show "Saving…" (acks take a few ms; typing would flicker). */
export const SAVING_AFTER_MS = 400;
/** A dropped socket that comes back within this keeps its status (a blip is not worth a red badge). */
export const DOWN_GRACE_MS = 1_500;

const SETTLED: ReadonlySet<Status> = new Set(['saved', 'saving']);

export function decideStatus(i: StatusInput): Status {
  if (i.link === 'failed') return 'failed';
  if (i.link === 'too-large') return 'too-large';
  if (!i.online) return 'offline';
  const stale = i.oldestUnsavedAt !== null && i.now - i.oldestUnsavedAt >= SAVING_AFTER_MS;
  if (i.link === 'open') {
    if (i.caughtUp) return 'saved';
    if (stale) return 'saving';
    // Hysteresis: young edits keep what was shown; "Saving…" stays until everything is acknowledged.
    return SETTLED.has(i.prev) || i.prev === 'connecting' || i.prev === 'unreachable' ? i.prev : 'connecting';
  }
  if (!i.everOpened) return i.downSince === null ? 'connecting' : 'unreachable';
  const blip = i.downSince !== null && i.now - i.downSince < DOWN_GRACE_MS;
  if (blip && SETTLED.has(i.prev)) return stale ? 'saving' : i.prev;
  return 'unreachable';
}

/** When the decision could change with no new event (a timer re-decides then); null if never. */
export function nextDecisionAt(i: StatusInput): number | null {
  const times: number[] = [];
  if (i.oldestUnsavedAt !== null && i.now - i.oldestUnsavedAt < SAVING_AFTER_MS)
    times.push(i.oldestUnsavedAt + SAVING_AFTER_MS);
  if (i.downSince !== null && i.now - i.downSince < DOWN_GRACE_MS) times.push(i.downSince + DOWN_GRACE_MS);
  return times.length ? Math.min(...times) : null;
}
