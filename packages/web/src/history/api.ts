export interface Author {
  name: string;
  color: string;
}

export interface Version {
  id: string;
  createdAt: number;
  name: string | null;
  authors: Author[];
  size: number;
  reason: 'idle' | 'interval' | 'request' | 'restore' | 'close';
}

export interface Span {
  from: number;
  to: number;
  author: Author | null;
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', ...init });
  const data = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(data.error ?? `request failed (${res.status})`);
  return data;
}

const base = (pad: string) => `/api/pads/${encodeURIComponent(pad)}/versions`;

export const historyApi = {
  list: (pad: string) => call<{ versions: Version[] }>(base(pad)).then((r) => r.versions),
  get: (pad: string, id: string) =>
    call<{ version: Version; text: string; spans: Span[] }>(`${base(pad)}/${id}?format=json`),
  save: (pad: string, name: string) =>
    call<{ version: Version }>(base(pad), { method: 'POST', body: JSON.stringify(name ? { name } : {}) }),
  restore: (pad: string, id: string) => call<{ version: Version }>(`${base(pad)}/${id}/restore`, { method: 'POST' }),
};

export function when(ms: number): string {
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}
