import * as Y from 'yjs';
import { loadVerified, type VerifiedPad, type VerifyOptions } from './integrity.js';
import type { Storage, StoredPad } from '../storage/types.js';

/** What a doc is rebuilt from: a snapshot and the log entries after it. */
export type PadContent = Pick<StoredPad, 'snapshot' | 'updates'>;

/**
 * Applies a loaded pad to `doc` in one transaction, so observers see one update with one
 * origin (`storage` for a room, so nothing loaded is republished or stored again).
 */
export function applyStored(doc: Y.Doc, stored: PadContent, origin: unknown = null): void {
  doc.transact(() => {
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const u of stored.updates) Y.applyUpdate(doc, u);
  }, origin);
}

/** A fresh doc holding a loaded pad (the caller destroys it). */
export function docFromStored(stored: PadContent): Y.Doc {
  const doc = new Y.Doc();
  applyStored(doc, stored);
  return doc;
}

/**
 * Loads a pad through `loadVerified` (R1: bad entries left out, quarantined and reported as
 * `opts` says) and rebuilds its doc from what verifies.
 */
export async function loadVerifiedDoc(
  storage: Storage,
  pad: string,
  opts: VerifyOptions,
): Promise<{ doc: Y.Doc; stored: VerifiedPad }> {
  const stored = await loadVerified(storage, pad, opts);
  return { doc: docFromStored(stored), stored };
}
