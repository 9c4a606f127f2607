/** Calls to the pad access API; errors carry the server's reason. */
async function call<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(data.error ?? `request failed (${res.status})`);
  return data;
}

const base = (pad: string) => `/api/pads/${encodeURIComponent(pad)}`;

export const accessApi = {
  status: (pad: string) => call<{ protected: boolean; unlocked: boolean }>(`${base(pad)}/access`),
  unlock: (pad: string, password: string) => call<{ unlocked: boolean }>(`${base(pad)}/unlock`, { password }),
  setPassword: (pad: string, password: string, currentPassword?: string) =>
    call<{ protected: boolean }>(
      `${base(pad)}/password`,
      currentPassword === undefined ? { password } : { password, currentPassword },
    ),
  readOnlyLink: (pad: string) => call<{ id: string; url: string }>(`${base(pad)}/read-only-link`, {}),
};
