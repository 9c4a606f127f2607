import { expiryPrefix } from '../persistence/side-data-keys.js';
import type { Storage } from '../storage/types.js';
import type { PadAccess } from './pad-access.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Deletes every pad that is due (OW11): past the expiry its owner set, or (with
 * `idleDays` > 0, PAD_EXPIRE_DAYS) not written for that many days. Each goes the way an
 * owner's delete goes (tombstone, live sockets closed on every node, data removed), so
 * several nodes sweeping at once only repeat idempotent work. Returns the pads deleted.
 */
export async function sweepExpired(storage: Storage, access: PadAccess, idleDays: number): Promise<string[]> {
  const now = access.now();
  const due = new Set<string>();
  for (const r of await storage.records.list(expiryPrefix)) {
    const at = Number(Buffer.from(r.value).toString('utf8'));
    if (Number.isFinite(at) && at <= now) due.add(r.key.slice(expiryPrefix.length));
  }
  if (idleDays > 0) for (const pad of await storage.idlePads(now - idleDays * DAY_MS)) due.add(pad);
  for (const pad of due) await access.deletePad(pad);
  return [...due];
}
