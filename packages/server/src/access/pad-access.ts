import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import type { Storage } from '../storage/types.js';
import { readOnlyLinkPad, readPadMeta, writePasswordHash, writeReadOnlyLink, type PadMeta } from './access-records.js';

/** scrypt cost (2^15, r=8: ~50 ms and 32 MiB per hash), so offline guessing is slow. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_BYTES = 32;
/** How long a node trusts its cached view of a pad's protection (other nodes may change it). */
const CACHE_MS = 2_000;
const READ_ONLY_ID_BYTES = 18;

export type { PadMeta } from './access-records.js';

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

  /** Settings are stored in `Storage.records` (access-records.ts); the cache runs on `clock`. */
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock = systemClock,
  ) {}

  async meta(pad: string): Promise<PadMeta> {
    const hit = this.cache.get(pad);
    if (hit && this.clock.now() - hit.at < CACHE_MS) return hit.meta;
    const meta = await readPadMeta(this.storage, pad);
    this.cache.set(pad, { meta, at: this.clock.now() });
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
    await writePasswordHash(this.storage, pad, password ? await hashPassword(password) : null);
    this.cache.delete(pad);
  }

  /** The pad's read-only link id, created on first request. */
  async readOnlyId(pad: string): Promise<string> {
    const meta = await this.meta(pad);
    if (meta.readOnlyId) return meta.readOnlyId;
    const id = randomBytes(READ_ONLY_ID_BYTES).toString('base64url');
    await writeReadOnlyLink(this.storage, pad, id);
    this.cache.delete(pad);
    return id;
  }

  /** The pad a read-only id points to, or null. */
  async padForReadOnly(id: string): Promise<string | null> {
    if (!/^[A-Za-z0-9_-]{20,40}$/.test(id)) return null;
    return readOnlyLinkPad(this.storage, id);
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
