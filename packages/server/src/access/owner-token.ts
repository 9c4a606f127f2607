import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const OWNER_TOKEN_BYTES = 32;

/** A new owner capability (OW1): 32 random bytes, base64url. */
export const newOwnerToken = () => randomBytes(OWNER_TOKEN_BYTES).toString('base64url');

/** What is stored: the SHA-256, so a database reader cannot act as the owner. */
export const ownerTokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export function ownerTokenMatches(token: string | undefined, storedHash: string | null): boolean {
  if (!token || !storedHash || token.length > 100) return false;
  const a = Buffer.from(ownerTokenHash(token), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
