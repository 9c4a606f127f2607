import { loadVerifiedDoc } from '../persistence/stored-doc.js';
import {
  accessPrefix,
  expiryKey,
  ownerKey,
  passwordKey,
  readOnlyIdKey,
  readOnlyLinkKey,
  tombstoneKey,
} from '../persistence/side-data-keys.js';
import type { Storage } from '../storage/types.js';

export interface PadMeta {
  passwordHash: string | null;
  readOnlyId: string | null;
  /** SHA-256 (hex) of the owner token; null for an unclaimed pad. */
  ownerHash: string | null;
  /** When the owner wants the pad deleted (ms since epoch). */
  expiresAt: number | null;
  /** The pad was deleted (a tombstone); nothing else about it matters. */
  deleted: boolean;
}

const text = (value: Uint8Array) => Buffer.from(value).toString('utf8');
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

/**
 * Legacy layout (K3): before `Storage.records`, protection settings rode the pad log as
 * pseudo-pads no pad id can name: `:meta:<pad>` (a Y.Map `meta` with `passwordHash` and
 * `readOnlyId`) and `:ro:<id>` (a Y.Map with `pad`). They are read, never written: a setting
 * absent from the records falls back to them. Nothing is migrated, because a migration's
 * write could race a newer setting from another node (a password set meanwhile must never
 * be overwritten by the old "none"); instead every write goes to the records, and removing a
 * password stores an empty value that masks the legacy one.
 */
async function legacyMap(storage: Storage, key: string): Promise<Map<string, unknown>> {
  const { doc } = await loadVerifiedDoc(storage, key, { quarantine: false });
  try {
    return new Map(doc.getMap('meta').entries());
  } finally {
    doc.destroy();
  }
}

/** A pad's protection settings: the records, else the legacy pseudo-pad. */
export async function readPadMeta(storage: Storage, pad: string): Promise<PadMeta> {
  const records = new Map((await storage.records.list(accessPrefix(pad))).map((r) => [r.key, r.value]));
  const password = records.get(passwordKey(pad));
  const readOnly = records.get(readOnlyIdKey(pad));
  const [expiry, tombstone] = await Promise.all([
    storage.records.get(expiryKey(pad)),
    storage.records.get(tombstoneKey(pad)),
  ]);
  const owner = records.get(ownerKey(pad));
  const legacy = password && readOnly ? null : await legacyMap(storage, `:meta:${pad}`);
  const fromLegacy = (name: string) => {
    const v = legacy?.get(name);
    return typeof v === 'string' && v !== '' ? v : null;
  };
  return {
    passwordHash: password ? (password.length > 0 ? text(password) : null) : fromLegacy('passwordHash'),
    // An empty record means "revoked" and masks a legacy link.
    readOnlyId: readOnly ? (readOnly.length > 0 ? text(readOnly) : null) : fromLegacy('readOnlyId'),
    ownerHash: owner && owner.length > 0 ? text(owner) : null,
    expiresAt: expiry && expiry.length > 0 ? Number(text(expiry)) : null,
    deleted: tombstone !== null,
  };
}

/** Stores the password hash, or (null) an empty value meaning "none". */
export async function writePasswordHash(storage: Storage, pad: string, hash: string | null): Promise<void> {
  await storage.records.put(passwordKey(pad), hash === null ? new Uint8Array() : utf8(hash));
}

/** Stores a read-only link: the link → pad record first, so a pad never names a link that leads nowhere. */
export async function writeReadOnlyLink(storage: Storage, pad: string, id: string): Promise<void> {
  await storage.records.put(readOnlyLinkKey(id), utf8(pad));
  await storage.records.put(readOnlyIdKey(pad), utf8(id));
}

/** Revokes the pad's link: the pointer goes, and an empty id record masks any legacy one. */
export async function revokeReadOnlyLink(storage: Storage, pad: string, id: string | null): Promise<void> {
  await storage.records.put(readOnlyIdKey(pad), new Uint8Array());
  if (id) await storage.records.delete([readOnlyLinkKey(id)]);
}

export async function writeOwnerHash(storage: Storage, pad: string, hash: string): Promise<void> {
  await storage.records.put(ownerKey(pad), utf8(hash));
}

export async function writeExpiry(storage: Storage, pad: string, expiresAt: number | null): Promise<void> {
  if (expiresAt === null) await storage.records.delete([expiryKey(pad)]);
  else await storage.records.put(expiryKey(pad), utf8(String(expiresAt)));
}

/** Written before the pad's data is deleted, so a crash half-way leaves a pad nobody can open. */
export async function writeTombstone(storage: Storage, pad: string, at: number): Promise<void> {
  await storage.records.put(tombstoneKey(pad), utf8(String(at)));
}

/** The pad a read-only link id points to: the record, else the legacy `:ro:<id>` pseudo-pad. */
export async function readOnlyLinkPad(storage: Storage, id: string): Promise<string | null> {
  const value = await storage.records.get(readOnlyLinkKey(id));
  if (value) return text(value);
  const pad = (await legacyMap(storage, `:ro:${id}`)).get('pad');
  return typeof pad === 'string' ? pad : null;
}
