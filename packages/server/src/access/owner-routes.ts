import type {
  PadDeletedReply,
  ReadOnlyLinkReply,
  ReadOnlyLinkRevoked,
  SetExpiryReply,
  SetExpiryRequest,
  SetPasswordReply,
  SetPasswordRequest,
} from '@padmesh/protocol';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { parseJsonBody } from '../http/json-body.js';
import type { Route } from '../http/route.js';
import { cookieName, type PadAccess } from './pad-access.js';
import { UNLOCK_TTL_MS } from './unlock-token.js';

/** Longest password accepted: each one is hashed with scrypt, so its size is bounded up front. */
const PASSWORD_MAX_CHARS = 1024;
export const passwordSchema = z.string().max(PASSWORD_MAX_CHARS);
/** An owner may schedule deletion at most this far ahead. */
const MAX_EXPIRY_AHEAD_MS = 10 * 365 * 24 * 3600 * 1000;

const SetPasswordBody: z.ZodType<SetPasswordRequest> = z
  .object({ password: passwordSchema, currentPassword: passwordSchema.optional() })
  .strict();
const SetExpiryBody: z.ZodType<SetExpiryRequest> = z.object({ expiresAt: z.number().int().nullable() }).strict();

function isHttps(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true || req.headers['x-forwarded-proto'] === 'https';
}

/** HttpOnly so scripts never see it; Strict so other sites can't ride it; Secure over TLS. */
export function unlockCookie(req: IncomingMessage, pad: string, token: string): string {
  return [
    `${cookieName(pad)}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${UNLOCK_TTL_MS / 1000}`,
    ...(isHttps(req) ? ['Secure'] : []),
  ].join('; ');
}

const link = (id: string): ReadOnlyLinkReply => ({ id, url: `/ro/${id}` });

/**
 * What only the pad's owner may do (OW2), each proved by the `x-padmesh-owner` header
 * (the router checks it). Each change reaches live sockets on every node (OW8).
 */
export function ownerRoutes(access: PadAccess): Route[] {
  return [
    {
      pad: 'owner',
      ownerAction: 'set a password',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/password$/,
      methods: ['POST'],
      wrongMethod: 'use POST',
      handler: async (ctx) => {
        const { password } = parseJsonBody(SetPasswordBody, await ctx.readBody());
        await access.setPassword(ctx.pad, password);
        const token = access.unlockToken(ctx.pad, await access.meta(ctx.pad));
        // The owner's own sockets close too (their old credential is void); the new cookie lets them back in.
        const headers: Record<string, string> = token ? { 'set-cookie': unlockCookie(ctx.req, ctx.pad, token) } : {};
        ctx.json(200, { protected: password.length > 0 } satisfies SetPasswordReply, headers);
      },
    },
    {
      pad: 'owner',
      ownerAction: 'manage the read-only link',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/read-only-link$/,
      methods: ['POST', 'DELETE'],
      handler: async (ctx) => {
        if (ctx.method === 'DELETE') {
          await access.revokeReadOnly(ctx.pad);
          return ctx.json(200, { revoked: true } satisfies ReadOnlyLinkRevoked);
        }
        ctx.json(200, link(await access.readOnlyId(ctx.pad)));
      },
    },
    {
      pad: 'owner',
      ownerAction: 'rotate the read-only link',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/read-only-link\/rotate$/,
      methods: ['POST'],
      wrongMethod: 'use POST',
      handler: async (ctx) => ctx.json(200, link(await access.rotateReadOnly(ctx.pad))),
    },
    {
      pad: 'owner',
      ownerAction: 'set when it expires',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/expiry$/,
      methods: ['PUT'],
      wrongMethod: 'use PUT',
      handler: async (ctx) => {
        const { expiresAt } = parseJsonBody(SetExpiryBody, await ctx.readBody());
        const now = access.now();
        if (expiresAt !== null && (expiresAt <= now || expiresAt > now + MAX_EXPIRY_AHEAD_MS))
          throw new HttpError(400, 'expiresAt must be in the future and at most 10 years ahead');
        await access.setExpiry(ctx.pad, expiresAt);
        ctx.json(200, { expiresAt } satisfies SetExpiryReply);
      },
    },
    {
      pad: 'owner',
      ownerAction: 'delete it',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)$/,
      methods: ['DELETE'],
      handler: async (ctx) => {
        await access.deletePad(ctx.pad);
        ctx.json(200, { deleted: true } satisfies PadDeletedReply);
      },
    },
  ];
}
