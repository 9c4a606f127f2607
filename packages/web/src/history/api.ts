import type { ErrorReply, VersionDetail, VersionList, VersionRestored, VersionSaved } from '@padmesh/protocol';

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', ...init });
  const data = (await res.json().catch(() => ({}))) as T & Partial<ErrorReply>;
  if (!res.ok) throw new Error(data.error ?? `request failed (${res.status})`);
  return data;
}

const base = (pad: string) => `/api/pads/${encodeURIComponent(pad)}/versions`;

export const historyApi = {
  list: (pad: string) => call<VersionList>(base(pad)).then((r) => r.versions),
  get: (pad: string, id: string) => call<VersionDetail>(`${base(pad)}/${id}?format=json`),
  save: (pad: string, name: string) =>
    call<VersionSaved>(base(pad), { method: 'POST', body: JSON.stringify(name ? { name } : {}) }),
  restore: (pad: string, id: string) => call<VersionRestored>(`${base(pad)}/${id}/restore`, { method: 'POST' }),
};

export function when(ms: number): string {
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}
