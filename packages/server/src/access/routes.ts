import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { SlidingWindow } from '../limits.js';
import { cookieName, readCookie, verifyPassword, type PadAccess } from './pad-access.js';

/** Wrong-password attempts allowed per address and pad per minute. */
const UNLOCK_ATTEMPTS_PER_MIN = 10;
/** How long an unlock cookie lasts. */
const UNLOCK_COOKIE_SECONDS = 30 * 24 * 3600;

const PasswordBody = z.object({ password: z.string().max(1024) }).strict();
const SetPasswordBody = z
  .object({ password: z.string().max(1024), currentPassword: z.string().max(1024).optional() })
  .strict();

export class AccessError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parse<T>(schema: z.ZodType<T>, raw: string): T {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AccessError(400, 'body must be JSON');
  }
  const r = schema.safeParse(value);
  if (!r.success)
    throw new AccessError(400, r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}

/** The unlock token a request carries: the pad's cookie, or `?token=` for non-browser clients. */
export function requestToken(req: IncomingMessage, pad: string): string | undefined {
  const fromQuery = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  return fromQuery ?? readCookie(req.headers.cookie, cookieName(pad));
}

function isHttps(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true || req.headers['x-forwarded-proto'] === 'https';
}

/** HttpOnly so scripts never see it; Strict so other sites can't ride it; Secure over TLS. */
function unlockCookie(req: IncomingMessage, pad: string, token: string): string {
  return [
    `${cookieName(pad)}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${UNLOCK_COOKIE_SECONDS}`,
    ...(isHttps(req) ? ['Secure'] : []),
  ].join('; ');
}

/**
 * `/api/pads/<pad>/access|unlock|password|read-only-link`: password protection and
 * read-only links. Returns false when `action` is not one of these.
 */
export function createAccessRoutes(access: PadAccess, ipOf: (req: IncomingMessage) => string) {
  const attempts = new SlidingWindow(UNLOCK_ATTEMPTS_PER_MIN, 60_000);

  return async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    pad: string,
    action: string,
    body: () => Promise<string>,
    reply: (status: number, value: unknown, headers?: Record<string, string>) => void,
  ): Promise<boolean> {
    const method = req.method ?? 'GET';
    const token = requestToken(req, pad);
    switch (action) {
      case 'access': {
        const meta = await access.meta(pad);
        const unlocked = await access.allowed(pad, token);
        reply(200, { protected: meta.passwordHash !== null, unlocked });
        return true;
      }
      case 'unlock': {
        if (method !== 'POST') throw new AccessError(405, 'use POST');
        const { password } = parse(PasswordBody, await body());
        if (!attempts.tryHit(`${ipOf(req)} ${pad}`)) throw new AccessError(429, 'too many attempts; wait a minute');
        const meta = await access.meta(pad);
        if (!meta.passwordHash) return (reply(200, { unlocked: true }), true);
        if (!(await verifyPassword(password, meta.passwordHash))) throw new AccessError(403, 'wrong password');
        reply(200, { unlocked: true }, { 'set-cookie': unlockCookie(req, pad, access.tokenFor(pad, meta)!) });
        return true;
      }
      case 'password': {
        if (method !== 'POST') throw new AccessError(405, 'use POST');
        const { password, currentPassword } = parse(SetPasswordBody, await body());
        const meta = await access.meta(pad);
        // Changing an existing password needs the current one, not just an old cookie.
        if (
          meta.passwordHash &&
          !(currentPassword !== undefined && (await verifyPassword(currentPassword, meta.passwordHash)))
        ) {
          throw new AccessError(403, 'current password required to change or remove it');
        }
        await access.setPassword(pad, password);
        const fresh = await access.meta(pad);
        const t = access.tokenFor(pad, fresh);
        reply(200, { protected: password.length > 0 }, t ? { 'set-cookie': unlockCookie(req, pad, t) } : {});
        return true;
      }
      case 'read-only-link': {
        if (!(await access.allowed(pad, token))) throw new AccessError(403, 'this pad is protected by a password');
        const id = await access.readOnlyId(pad);
        reply(200, { id, url: `/ro/${id}` });
        return true;
      }
      default:
        return false;
    }
  };
}
