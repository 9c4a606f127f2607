import { CloseCode } from '@padmesh/protocol';
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { readOnlyLinkKey } from '../persistence/side-data-keys.js';
import type { Storage } from '../storage/types.js';
import {
  readOnlyLinkPad,
  readPadMeta,
  revokeReadOnlyLink,
  writeExpiry,
  writeOwnerHash,
  writePasswordHash,
  writeReadOnlyLink,
  writeTombstone,
  type PadMeta,
} from './access-records.js';
import type { AccessChange, Credential } from './credential.js';
import { newOwnerToken, ownerTokenHash, ownerTokenMatches } from './owner-token.js';
import { UNLOCK_TTL_MS, mintUnlockToken, passwordGeneration, verifyUnlockToken } from './unlock-token.js';

/** scrypt cost (2^15, r=8: ~50 ms and 32 MiB per hash), so offline guessing is slow. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_BYTES = 32;
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

export interface PadAccessOptions {
  /** Unlock tokens are signed with it (OW6); see secret.ts. */
  secret: Buffer;
  /** Wall-clock time (token and pad expiry); tests move it. */
  now?: () => number;
  unlockTtlMs?: number;
  /** Told after every change of a pad's access, to re-check live sockets on every node (OW8). */
  onChange?: (pad: string, change: AccessChange) => Promise<void>;
}

export type Refusal = [code: number, reason: string];

/**
 * Who may read, write and own a pad. Nothing is cached: every check reads the records, so
 * a change made on any node holds at once everywhere (OW8); live sockets are re-checked
 * when the bus says a pad's access changed.
 */
export class PadAccess {
  readonly now: () => number;
  private readonly ttl: number;
  onChange: (pad: string, change: AccessChange) => Promise<void>;

  constructor(
    private readonly storage: Storage,
    private readonly opts: PadAccessOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.ttl = opts.unlockTtlMs ?? UNLOCK_TTL_MS;
    this.onChange = opts.onChange ?? (async () => {});
  }

  meta(pad: string): Promise<PadMeta> {
    return readPadMeta(this.storage, pad);
  }

  /** Deleted, or past the expiry its owner set (the sweeper deletes it soon). */
  isGone(meta: PadMeta): boolean {
    return meta.deleted || (meta.expiresAt !== null && meta.expiresAt <= this.now());
  }

  /** A fresh unlock token for the pad's current password, or null when it has none. */
  unlockToken(pad: string, meta: PadMeta): string | null {
    if (!meta.passwordHash) return null;
    return mintUnlockToken(this.opts.secret, pad, passwordGeneration(meta.passwordHash), this.now() + this.ttl);
  }

  /** True when the pad has no password or `token` unlocks its current one. */
  unlocked(pad: string, meta: PadMeta, token: string | undefined): boolean {
    if (!meta.passwordHash) return true;
    if (!token) return false;
    return verifyUnlockToken(this.opts.secret, pad, passwordGeneration(meta.passwordHash), token, this.now());
  }

  isOwner(meta: PadMeta, ownerToken: string | undefined): boolean {
    return ownerTokenMatches(ownerToken, meta.ownerHash);
  }

  /** Why a socket admitted with `credential` may no longer stay (or be admitted), or null. */
  refusal(pad: string, meta: PadMeta, credential: Credential): Refusal | null {
    if (this.isGone(meta)) return [CloseCode.PadDeleted, 'This pad was deleted'];
    if ('readOnlyId' in credential) {
      return meta.readOnlyId === credential.readOnlyId
        ? null
        : [CloseCode.LinkRevoked, 'this read-only link was revoked'];
    }
    return this.unlocked(pad, meta, credential.token)
      ? null
      : [CloseCode.PasswordRequired, 'this pad is protected by a password'];
  }

  /** Makes `ownerToken`'s holder the owner (the route decides whether the pad may be claimed). */
  async claim(pad: string): Promise<string> {
    const token = newOwnerToken();
    await writeOwnerHash(this.storage, pad, ownerTokenHash(token));
    await this.onChange(pad, 'owner');
    return token;
  }

  /**
   * Sets, changes (non-empty) or removes (empty) the password. Setting or changing one also
   * revokes the read-only link: a link handed out while the pad was open must not keep
   * showing it once it is protected (the owner makes a new one to share it deliberately).
   */
  async setPassword(pad: string, password: string): Promise<void> {
    const meta = await this.meta(pad);
    await writePasswordHash(this.storage, pad, password ? await hashPassword(password) : null);
    if (password && meta.readOnlyId) await revokeReadOnlyLink(this.storage, pad, meta.readOnlyId);
    await this.onChange(pad, 'password');
  }

  /** The pad's read-only link id, created on first request. */
  async readOnlyId(pad: string): Promise<string> {
    const meta = await this.meta(pad);
    if (meta.readOnlyId) return meta.readOnlyId;
    const id = randomBytes(READ_ONLY_ID_BYTES).toString('base64url');
    await writeReadOnlyLink(this.storage, pad, id);
    return id;
  }

  /** A new link id; the old one stops working at once, on every node. */
  async rotateReadOnly(pad: string): Promise<string> {
    const meta = await this.meta(pad);
    const id = randomBytes(READ_ONLY_ID_BYTES).toString('base64url');
    await writeReadOnlyLink(this.storage, pad, id);
    if (meta.readOnlyId) await this.storage.records.delete([readOnlyLinkKey(meta.readOnlyId)]);
    await this.onChange(pad, 'read-only');
    return id;
  }

  async revokeReadOnly(pad: string): Promise<void> {
    const meta = await this.meta(pad);
    await revokeReadOnlyLink(this.storage, pad, meta.readOnlyId);
    await this.onChange(pad, 'read-only');
  }

  /** The pad a read-only id currently leads to, or null (unknown, rotated or revoked). */
  async padForReadOnly(id: string): Promise<string | null> {
    if (!/^[A-Za-z0-9_-]{20,40}$/.test(id)) return null;
    const pad = await readOnlyLinkPad(this.storage, id);
    // A legacy `:ro:<id>` pointer outlives revocation; the pad's own record is the truth.
    return pad && (await this.meta(pad)).readOnlyId === id ? pad : null;
  }

  async setExpiry(pad: string, expiresAt: number | null): Promise<void> {
    await writeExpiry(this.storage, pad, expiresAt);
    await this.onChange(pad, 'expiry');
  }

  /**
   * Deletes the pad everywhere (OW10): the tombstone first (so a crash half-way leaves a pad
   * nobody can open or recreate), then every node drops the pad unsaved, then its data goes.
   */
  async deletePad(pad: string): Promise<void> {
    await writeTombstone(this.storage, pad, this.now());
    await this.onChange(pad, 'deleted');
    await this.storage.deletePad(pad);
  }
}

export const cookieName = (pad: string) => `pm_${pad}`;

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
