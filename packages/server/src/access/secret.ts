import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** 256 bits: unlock tokens are HMACs keyed by it. */
const SECRET_BYTES = 32;

/**
 * The key unlock tokens are signed with (OW6). Never stored in the database, so reading the
 * database is not enough to mint a token. `SERVER_SECRET` (the same on every node of a
 * cluster), else a file generated once beside the data (a single node keeps its tokens
 * valid across restarts).
 */
export function loadServerSecret(fromEnv: string | undefined, file: string): Buffer {
  if (fromEnv) return Buffer.from(fromEnv, 'utf8');
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(SECRET_BYTES);
  mkdirSync(dirname(file), { recursive: true });
  // 'wx': two processes starting at once must not both write; the loser reads the winner's.
  try {
    writeFileSync(file, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  }
}
