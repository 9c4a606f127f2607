import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** How long an unlock lasts (the cookie's Max-Age too). */
export const UNLOCK_TTL_MS = 30 * 24 * 3600 * 1000;

/**
 * The password's generation: a digest of its stored hash, which gets a fresh salt on every
 * set, so setting the same password again still voids every earlier token.
 */
export function passwordGeneration(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url').slice(0, 16);
}

const mac = (secret: Buffer, pad: string, generation: string, expires: number) =>
  createHmac('sha256', secret).update(`unlock\n${pad}\n${generation}\n${expires}`).digest();

/**
 * Unlock tokens (OW6): `<expiry ms, base 36>.<HMAC-SHA256(server secret, pad, generation,
 * expiry)>`. Stateless (valid on every node sharing the secret), bound to one pad and one
 * password generation, and dead after `expires`.
 */
export function mintUnlockToken(secret: Buffer, pad: string, generation: string, expires: number): string {
  return `${expires.toString(36)}.${mac(secret, pad, generation, expires).toString('base64url')}`;
}

export function verifyUnlockToken(
  secret: Buffer,
  pad: string,
  generation: string,
  token: string,
  now: number,
): boolean {
  const m = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return false;
  const expires = parseInt(m[1]!, 36);
  if (!(expires > now)) return false;
  const got = Buffer.from(m[2]!, 'base64url');
  const want = mac(secret, pad, generation, expires);
  return got.length === want.length && timingSafeEqual(got, want);
}
