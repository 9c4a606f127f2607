import type {
  AccessStatus,
  ErrorReply,
  ReadOnlyLinkReply,
  SetPasswordReply,
  SetPasswordRequest,
  UnlockReply,
  UnlockRequest,
} from '@padmesh/protocol';

/** Calls to the pad access API; errors carry the server's reason. */
async function call<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = (await res.json().catch(() => ({}))) as T & Partial<ErrorReply>;
  if (!res.ok) throw new Error(data.error ?? `request failed (${res.status})`);
  return data;
}

const base = (pad: string) => `/api/pads/${encodeURIComponent(pad)}`;

export const accessApi = {
  status: (pad: string) => call<AccessStatus>(`${base(pad)}/access`),
  unlock: (pad: string, password: string) =>
    call<UnlockReply>(`${base(pad)}/unlock`, { password } satisfies UnlockRequest),
  setPassword: (pad: string, password: string, currentPassword?: string) =>
    call<SetPasswordReply>(
      `${base(pad)}/password`,
      (currentPassword === undefined ? { password } : { password, currentPassword }) satisfies SetPasswordRequest,
    ),
  readOnlyLink: (pad: string) => call<ReadOnlyLinkReply>(`${base(pad)}/read-only-link`, {}),
};
