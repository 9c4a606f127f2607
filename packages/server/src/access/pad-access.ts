import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import * as Y from 'yjs';
import type { Storage } from '../storage/types.js';

/** scrypt cost (2^15, r=8: ~50 ms and 32 MiB per hash), so offline guessing is slow. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_BYTES = 32;
/** How long a node trusts its cached view of a pad's protection (other nodes may change it). */
const CACHE_MS = 2_000;
const READ_ONLY_ID_BYTES = 18;

/**
 * Protection settings live in the pad log itself, under keys no pad id can take (they
 * contain ':'), so every storage backend and every cluster node shares them with no new
 * table: `:meta:<pad>` holds the password hash and read-only id, `:ro:<id>` points back.
 */
const metaKey = (pad: string) => `:meta:${pad}`;
const roKey = (id: string) => `:ro:${id}`;

export interface PadMeta {
  passwordHash: string | null;
  readOnlyId: string | null;
}

function scrypt(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFC'), salt, KEY_BYTES, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, , , , salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const got = await scrypt(password, Buffer.from(salt, 'base64url'));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * Who may read and write a pad. Unlock tokens are an HMAC of the pad id keyed by the
 * stored password hash: stateless, valid on every node, and void once the password changes.
 */
export class PadAccess {
  private cache = new Map<string, { meta: PadMeta; at: number }>();

  constructor(private readonly storage: Storage) {}

  private async readMap(key: string): Promise<Y.Map<unknown>> {
    const stored = await this.storage.load(key);
    const doc = new Y.Doc();
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const u of stored.updates) Y.applyUpdate(doc, u);
    return doc.getMap('meta');
  }

  private async writeMap(key: string, values: Record<string, unknown>): Promise<void> {
    const current = await this.readMap(key);
    const doc = current.doc!;
    let update: Uint8Array | null = null;
    doc.on('update', (u: Uint8Array) => (update = u));
    doc.transact(() => {
      for (const [k, v] of Object.entries(values)) current.set(k, v);
    });
    if (update) await this.storage.append([{ pad: key, update }]);
  }

  async meta(pad: string): Promise<PadMeta> {
    const hit = this.cache.get(pad);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.meta;
    const map = await this.readMap(metaKey(pad));
    const meta: PadMeta = {
      passwordHash: (map.get('passwordHash') as string | undefined) ?? null,
      readOnlyId: (map.get('readOnlyId') as string | undefined) ?? null,
    };
    this.cache.set(pad, { meta, at: Date.now() });
    if (this.cache.size > 10_000) this.cache.clear();
    return meta;
  }

  tokenFor(pad: string, meta: PadMeta): string | null {
    if (!meta.passwordHash) return null;
    return createHmac('sha256', meta.passwordHash).update(pad).digest('base64url');
  }

  /** True when the pad is unprotected or `token` unlocks it. */
  async allowed(pad: string, token: string | undefined): Promise<boolean> {
    const meta = await this.meta(pad);
    const expected = this.tokenFor(pad, meta);
    if (!expected) return true;
    if (!token) return false;
    const a = Buffer.from(token);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Sets, changes (password non-empty) or removes (empty) the password. */
  async setPassword(pad: string, password: string): Promise<void> {
    await this.writeMap(metaKey(pad), { passwordHash: password ? await hashPassword(password) : null });
    this.cache.delete(pad);
  }

  /** The pad's read-only link id, created on first request. */
  async readOnlyId(pad: string): Promise<string> {
    const meta = await this.meta(pad);
    if (meta.readOnlyId) return meta.readOnlyId;
    const id = randomBytes(READ_ONLY_ID_BYTES).toString('base64url');
    await this.writeMap(roKey(id), { pad });
    await this.writeMap(metaKey(pad), { readOnlyId: id });
    this.cache.delete(pad);
    return id;
  }

  /** The pad a read-only id points to, or null. */
  async padForReadOnly(id: string): Promise<string | null> {
    if (!/^[A-Za-z0-9_-]{20,40}$/.test(id)) return null;
    const pad = (await this.readMap(roKey(id))).get('pad');
    return typeof pad === 'string' ? pad : null;
  }
}

export const cookieName = (pad: string) => `pm_${pad}`;

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
