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
 * The owner delete call: `accessApi.deletePad`, the one the Share menu's DeletePadSection uses
 * (the server checks the owner token, OW2). Handed in from the main chunk rather than imported
 * here: anything in this lazy chunk's imports that reaches @padmesh/protocol made the bundler
 * move React out of the main chunk, ~1.7 kB gzip more on every first load.
 */
export type DeletePad = (pad: string) => Promise<unknown>;

/**
 * Owner only: deletes the pad for everyone, then forgets it here. Already deleted (410, an
 * `ApiError`) counts as done. Returns null on success, otherwise what to tell the user.
 */
export async function deleteOwnedPad(deletePad: DeletePad, key: string, pad: string): Promise<string | null> {
  try {
    await deletePad(pad);
  } catch (err) {
    if (err instanceof TypeError) return 'Deleting needs the server, which can’t be reached now. Try again online.';
    if ((err as { status?: unknown }).status !== 410) return (err as Error).message;
  }
  forgetOwnerToken(pad);
  await forgetCachedPad(key);
  return null;
}
