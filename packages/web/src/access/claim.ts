import type { AccessStatus } from '@padmesh/protocol';
import { accessApi } from './api.js';
import { ownerToken, saveOwnerToken } from './owner-token.js';

/**
 * The page was reached through the server's `/` redirect, so the pad was made for this visit
 * and is still empty: claim it before the editor opens, so the first keystroke (which makes the
 * pad non-empty and unclaimable) cannot overtake the claim.
 */
export function arrivedByRedirect(): boolean {
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  return (nav?.redirectCount ?? 0) > 0;
}

/** Whether this browser should try to claim: nobody owns the pad and we hold no token for it. */
export function claimable(pad: string, s: AccessStatus): boolean {
  return s.owned === false && !s.protected && ownerToken(pad) === null;
}

/**
 * Claims the pad in the background. Ownership needs no account: the token lands in
 * localStorage. A 409 (someone typed first, or it has an owner) just means we are not the owner.
 */
export async function claim(pad: string): Promise<boolean> {
  try {
    const { ownerToken: token } = await accessApi.claim(pad);
    saveOwnerToken(pad, token);
    return true;
  } catch {
    return false;
  }
}
