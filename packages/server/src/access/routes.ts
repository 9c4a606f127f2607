import type {
  AccessStatus,
  ReadOnlyLinkReply,
  SetPasswordReply,
  SetPasswordRequest,
  UnlockReply,
  UnlockRequest,
} from '@padmesh/protocol';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { parseJsonBody } from '../http/json-body.js';
import type { PadContext, Route } from '../http/route.js';
import { SlidingWindow } from '../limits.js';
import { cookieName, readCookie, verifyPassword, type PadAccess } from './pad-access.js';

/** Wrong-password attempts allowed per address and pad per window. */
const UNLOCK_ATTEMPTS_PER_WINDOW = 10;
const UNLOCK_WINDOW_MS = 60_000;
/** How long an unlock cookie lasts. */
const UNLOCK_COOKIE_SECONDS = 30 * 24 * 3600;
/** Longest password accepted: each one is hashed with scrypt, so its size is bounded up front. */
const PASSWORD_MAX_CHARS = 1024;

const password = z.string().max(PASSWORD_MAX_CHARS);
const PasswordBody: z.ZodType<UnlockRequest> = z.object({ password }).strict();
const SetPasswordBody: z.ZodType<SetPasswordRequest> = z
  .object({ password, currentPassword: password.optional() })
  .strict();

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
 * read-only links (A1, A2). The first three are open, since a locked-out visitor must be
 * able to ask and unlock; they reveal no content. A read-only link reveals it, so it is gated.
 */
export function accessRoutes(access: PadAccess): Route[] {
  const attempts = new SlidingWindow(UNLOCK_ATTEMPTS_PER_WINDOW, UNLOCK_WINDOW_MS);
  const cookieHeader = (ctx: PadContext, token: string | null): Record<string, string> =>
    token ? { 'set-cookie': unlockCookie(ctx.req, ctx.pad, token) } : {};

  return [
    {
      pad: 'open',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/access$/,
      handler: async (ctx) => {
        const meta = await access.meta(ctx.pad);
        const unlocked = await access.allowed(ctx.pad, requestToken(ctx.req, ctx.pad));
        ctx.json(200, { protected: meta.passwordHash !== null, unlocked } satisfies AccessStatus);
      },
    },
    {
      pad: 'open',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/unlock$/,
      methods: ['POST'],
      wrongMethod: 'use POST',
      handler: async (ctx) => {
        const { password } = parseJsonBody(PasswordBody, await ctx.readBody());
        if (!attempts.tryHit(`${ctx.ip} ${ctx.pad}`)) throw new HttpError(429, 'too many attempts; wait a minute');
        const meta = await access.meta(ctx.pad);
        const reply: UnlockReply = { unlocked: true };
        if (!meta.passwordHash) return ctx.json(200, reply);
        if (!(await verifyPassword(password, meta.passwordHash))) throw new HttpError(403, 'wrong password');
        ctx.json(200, reply, cookieHeader(ctx, access.tokenFor(ctx.pad, meta)!));
      },
    },
    {
      pad: 'open',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/password$/,
      methods: ['POST'],
      wrongMethod: 'use POST',
      handler: async (ctx) => {
        const { password, currentPassword } = parseJsonBody(SetPasswordBody, await ctx.readBody());
        const meta = await access.meta(ctx.pad);
        // Changing an existing password needs the current one, not just an old cookie.
        if (
          meta.passwordHash &&
          !(currentPassword !== undefined && (await verifyPassword(currentPassword, meta.passwordHash)))
        ) {
          throw new HttpError(403, 'current password required to change or remove it');
        }
        await access.setPassword(ctx.pad, password);
        const fresh = await access.meta(ctx.pad);
        const reply: SetPasswordReply = { protected: password.length > 0 };
        ctx.json(200, reply, cookieHeader(ctx, access.tokenFor(ctx.pad, fresh)));
      },
    },
    {
      pad: 'gated',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/read-only-link$/,
      handler: async (ctx) => {
        const id = await access.readOnlyId(ctx.pad);
        ctx.json(200, { id, url: `/ro/${id}` } satisfies ReadOnlyLinkReply);
      },
    },
  ];
}
