import type { Storage } from '../storage/types.js';
import { loadVerifiedDoc } from './stored-doc.js';
import { expiryKey, padPrefix, readOnlyIdKey, readOnlyLinkKey } from './side-data-keys.js';

/**
 * Everything stored for one pad, as names a backend can delete in one go: the pad's log,
 * the legacy pseudo-pads of K3 (`:meta:<pad>`, `:vi:<pad>`, `:v:<pad>:<id>`, `:ro:<id>`),
 * and its records (K2). The tombstone (`deleted/<pad>`) is deliberately not part of it.
 */
export interface PadFootprint {
  /** Log names whose log, snapshot and quarantined entries go. */
  logs: string[];
  /** Every log name starting with this goes too (one legacy pseudo-pad per version). */
  logPrefix: string;
  recordKeys: string[];
  recordPrefix: string;
}

/** Reads which read-only link ids the pad has (record and legacy), the only names not derived from the pad id. */
export async function padFootprint(storage: Storage, pad: string): Promise<PadFootprint> {
  const ids = new Set<string>();
  const current = await storage.records.get(readOnlyIdKey(pad));
  if (current && current.length > 0) ids.add(Buffer.from(current).toString('utf8'));
  const { doc } = await loadVerifiedDoc(storage, `:meta:${pad}`, { quarantine: false });
  const legacy = doc.getMap('meta').get('readOnlyId');
  doc.destroy();
  if (typeof legacy === 'string' && legacy !== '') ids.add(legacy);
  return {
    logs: [pad, `:meta:${pad}`, `:vi:${pad}`, ...[...ids].map((id) => `:ro:${id}`)],
    logPrefix: `:v:${pad}:`,
    recordKeys: [expiryKey(pad), ...[...ids].map(readOnlyLinkKey)],
    recordPrefix: padPrefix(pad),
  };
}
