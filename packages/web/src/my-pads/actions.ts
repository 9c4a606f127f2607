import { accessApi, ApiError } from '../access/api.js';
import { forgetOwnerToken } from '../access/owner-token.js';
import { forgetCachedPad } from '../offline/cache.js';

/**
 * "Forget": this device drops the pad (its line and its cached copy); the pad itself stays on
 * the server. The owner token is kept: it cannot be recovered once lost, and it only proves
 * ownership; opening the pad's link again brings the owner controls back.
 */
export function forgetPad(key: string): Promise<void> {
  return forgetCachedPad(key); // also removes the index record (cache.ts)
}

/**
 * Owner only: deletes the pad for everyone through the same API as the Share menu's
 * DeletePadSection (the server checks the owner token, OW2), then forgets it here. Already
 * deleted (410) counts as done. Returns null on success, otherwise what to tell the user.
 */
export async function deleteOwnedPad(key: string, pad: string): Promise<string | null> {
  try {
    await accessApi.deletePad(pad);
  } catch (err) {
    if (err instanceof TypeError) return 'Deleting needs the server, which can’t be reached now. Try again online.';
    if (!(err instanceof ApiError && err.status === 410)) return (err as Error).message;
  }
  forgetOwnerToken(pad);
  await forgetCachedPad(key);
  return null;
}
