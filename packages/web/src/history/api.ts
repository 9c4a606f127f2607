import type { ErrorReply, VersionDetail, VersionList, VersionRestored, VersionSaved } from '@padmesh/protocol';
import { isVersionId } from './version-id.js';

/** The version does not exist (or its id is not one): the viewer says so plainly. */
export class NoSuchVersion extends Error {}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', ...init });
  const data = (await res.json().catch(() => ({}))) as T & Partial<ErrorReply>;
  if (res.status === 404 || res.status === 400) throw new NoSuchVersion(data.error ?? 'no such version');
  if (!res.ok) throw new Error(data.error ?? `request failed (${res.status})`);
  return data;
}

const base = (pad: string) => `/api/pads/${encodeURIComponent(pad)}/versions`;

/** The API path of one version; refuses anything that is not an id before it reaches a URL. */
function versionUrl(pad: string, id: string, rest = ''): string {
  if (!isVersionId(id)) throw new NoSuchVersion(`not a version id`);
  return `${base(pad)}/${encodeURIComponent(id)}${rest}`;
}

export const historyApi = {
  list: (pad: string) => call<VersionList>(base(pad)).then((r) => r.versions),
  get: async (pad: string, id: string) => call<VersionDetail>(versionUrl(pad, id, '?format=json')),
  save: (pad: string, name: string) =>
    call<VersionSaved>(base(pad), { method: 'POST', body: JSON.stringify(name ? { name } : {}) }),
  restore: async (pad: string, id: string) =>
    call<VersionRestored>(versionUrl(pad, id, '/restore'), { method: 'POST' }),
};

export function when(ms: number): string {
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}
