import {
  type AccessStatus,
  type ClaimReply,
  type ClaimRequest,
  type ErrorReply,
  OWNER_HEADER,
  type PadDeletedReply,
  type ReadOnlyLinkReply,
  type ReadOnlyLinkRevoked,
  type SetExpiryReply,
  type SetExpiryRequest,
  type SetPasswordReply,
  type SetPasswordRequest,
  type UnlockReply,
  type UnlockRequest,
} from '@padmesh/protocol';
import { ownerToken } from './owner-token.js';

/** A refused call: the server's reason, and its status so callers can tell "gone" from "not allowed". */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * Calls to the pad access API; errors carry the server's reason. Every call proves ownership
 * when this browser holds the pad's owner token (the server ignores it elsewhere).
 */
async function call<T>(method: string, pad: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = ownerToken(pad);
  if (token) headers[OWNER_HEADER] = token;
  const res = await fetch(`/api/pads/${encodeURIComponent(pad)}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = (await res.json().catch(() => ({}))) as T & Partial<ErrorReply>;
  if (!res.ok) throw new ApiError(data.error ?? `request failed (${res.status})`, res.status);
  return data;
}

export const accessApi = {
  status: (pad: string) => call<AccessStatus>('GET', pad, '/access'),
  unlock: (pad: string, password: string) =>
    call<UnlockReply>('POST', pad, '/unlock', { password } satisfies UnlockRequest),
  claim: (pad: string, password?: string) =>
    call<ClaimReply>('POST', pad, '/claim', (password === undefined ? {} : { password }) satisfies ClaimRequest),
  /** Owner only; `""` removes the password. */
  setPassword: (pad: string, password: string) =>
    call<SetPasswordReply>('POST', pad, '/password', { password } satisfies SetPasswordRequest),
  /** Owner only: the current read-only link, made if there is none. */
  readOnlyLink: (pad: string) => call<ReadOnlyLinkReply>('POST', pad, '/read-only-link', {}),
  rotateReadOnlyLink: (pad: string) => call<ReadOnlyLinkReply>('POST', pad, '/read-only-link/rotate', {}),
  revokeReadOnlyLink: (pad: string) => call<ReadOnlyLinkRevoked>('DELETE', pad, '/read-only-link'),
  setExpiry: (pad: string, expiresAt: number | null) =>
    call<SetExpiryReply>('PUT', pad, '/expiry', { expiresAt } satisfies SetExpiryRequest),
  deletePad: (pad: string) => call<PadDeletedReply>('DELETE', pad, ''),
};
