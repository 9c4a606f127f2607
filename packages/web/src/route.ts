/** What the URL asks for: a pad (optionally a history version) or a read-only link. */
export type Route = { kind: 'pad'; pad: string; version: string | null } | { kind: 'read-only'; id: string };

export function parseRoute(pathname: string): Route {
  const ro = /^\/ro\/([A-Za-z0-9_-]+)\/?$/.exec(pathname);
  if (ro) return { kind: 'read-only', id: ro[1]! };
  const m = /^\/([^/]+)(?:\/history\/([^/]+))?\/?$/.exec(pathname);
  return { kind: 'pad', pad: decodeURIComponent(m?.[1] ?? ''), version: m?.[2] ? decodeURIComponent(m[2]) : null };
}

export function socketUrl(route: Route): string {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const path = route.kind === 'read-only' ? `ro/${route.id}` : encodeURIComponent(route.pad);
  return `${proto}://${location.host}/ws/${path}`;
}
