/** What the URL asks for: a pad (optionally a history version) or a read-only link. */
export type Route = { kind: 'pad'; pad: string; version: string | null } | { kind: 'read-only'; id: string };

/** A hand-written URL may hold a broken escape (`%E0`): kept as written (it matches no id) rather than crashing the app. */
function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * The version part is kept as written: VersionView checks it (history/version-id.ts) and says
 * "No such version" for anything that is not an id, so it is never trusted into a path.
 */
export function parseRoute(pathname: string): Route {
  const ro = /^\/ro\/([A-Za-z0-9_-]+)\/?$/.exec(pathname);
  if (ro) return { kind: 'read-only', id: ro[1]! };
  const m = /^\/([^/]+)(?:\/history\/([^/]+))?\/?$/.exec(pathname);
  return { kind: 'pad', pad: decode(m?.[1] ?? ''), version: m?.[2] ? decode(m[2]) : null };
}

/**
 * "My pads" as a page of its own (my-pads/), so the list opens without opening a pad, and
 * offline from a bookmark. `~` is outside the pad-id alphabet, so no pad can have this URL.
 */
export const MY_PADS_PATH = '/~pads';
export type AppRoute = Route | { kind: 'my-pads' };

export function parseAppRoute(pathname: string): AppRoute {
  return /^\/~pads\/?$/.test(pathname) ? { kind: 'my-pads' } : parseRoute(pathname);
}

/** The app URL of a pad. */
export function padPath(pad: string): string {
  return `/${encodeURIComponent(pad)}`;
}

export function socketUrl(route: Route): string {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const path = route.kind === 'read-only' ? `ro/${route.id}` : encodeURIComponent(route.pad);
  return `${proto}://${location.host}/ws/${path}`;
}
