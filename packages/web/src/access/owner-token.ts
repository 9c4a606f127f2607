/**
 * The owner capability of each pad this browser owns, kept in localStorage per pad. It never
 * travels in a URL the server sees: requests carry it in `x-padmesh-owner`, and the owner link
 * puts it in the fragment (`/<pad>#owner=<token>`), which browsers never send.
 */
const KEY = (pad: string) => `padmesh.owner.${pad}`;
const FRAGMENT = /^#owner=([A-Za-z0-9_-]{16,128})$/;

export function ownerToken(pad: string): string | null {
  try {
    return localStorage.getItem(KEY(pad));
  } catch {
    return null; // storage disabled: this browser simply isn't the owner
  }
}

export function saveOwnerToken(pad: string, token: string): void {
  try {
    localStorage.setItem(KEY(pad), token);
  } catch {
    // Nothing to do: the owner link still works from another browser.
  }
}

export function forgetOwnerToken(pad: string): void {
  try {
    localStorage.removeItem(KEY(pad));
  } catch {
    // see saveOwnerToken
  }
}

/**
 * Installs a token arriving as `#owner=<token>` and removes the fragment from the address bar
 * at once, so it is not left in the history, a screenshot or a copied URL.
 */
export function adoptOwnerFragment(pad: string | null): void {
  if (!location.hash.startsWith('#owner=')) return;
  const m = FRAGMENT.exec(location.hash);
  if (m && pad) saveOwnerToken(pad, m[1]!);
  history.replaceState(history.state, '', location.pathname + location.search);
}

/** The link that hands ownership to another device: whoever has it controls the pad. */
export function ownerLink(pad: string, token: string): string {
  return `${location.origin}/${encodeURIComponent(pad)}#owner=${token}`;
}
