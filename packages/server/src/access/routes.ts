import {
  OWNER_HEADER,
  type AccessStatus,
  type ClaimReply,
  type ClaimRequest,
  type UnlockReply,
  type UnlockRequest,
} from '@padmesh/protocol';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { parseJsonBody } from '../http/json-body.js';
import type { PadContext, Route } from '../http/route.js';
import type { DistinctWindow } from '../limits.js';
import type { Storage } from '../storage/types.js';
import { GuessLimiter } from './attempts.js';
import { cookieName, readCookie, verifyPassword, type PadAccess, type PadMeta } from './pad-access.js';
import { ownerRoutes, passwordSchema, unlockCookie } from './owner-routes.js';

const UnlockBody: z.ZodType<UnlockRequest> = z.object({ password: passwordSchema }).strict();
const ClaimBody: z.ZodType<ClaimRequest> = z.object({ password: passwordSchema.optional() }).strict();

/**
 * The unlock token a request carries: the pad's cookie only. `?token=` is not read (OW6):
 * tokens in URLs end up in logs, histories and Referer headers.
 */
export function requestToken(req: IncomingMessage, pad: string): string | undefined {
  return readCookie(req.headers.cookie, cookieName(pad));
}

/** The owner token a request carries (the `x-padmesh-owner` header; never a URL). */
export function requestOwnerToken(req: IncomingMessage): string | undefined {
  const v = req.headers[OWNER_HEADER];
  return typeof v === 'string' ? v : undefined;
}

export const gone = () => new HttpError(410, 'This pad was deleted');

export interface AccessRouteDeps {
  access: PadAccess;
  storage: Storage;
  /** The per-address new-pad limit the WebSocket transport uses too: a claim creates a pad. */
  newPads: DistinctWindow;
  /** Whether the pad is loaded on this node with content not yet stored. */
  hasLiveContent: (pad: string) => boolean;
}

/**
 * `/api/pads/<pad>/access|claim|unlock` (open: a locked-out visitor must be able to ask,
 * unlock and claim; they reveal no content) and the owner's routes (owner-routes.ts).
 */
export function accessRoutes(deps: AccessRouteDeps): Route[] {
  const { access } = deps;
  const guesses = new GuessLimiter(access.now);

  /** OW7: a wrong password costs a guess; while backing off, every attempt is a 429. */
  const checkPassword = async (ctx: PadContext, meta: PadMeta, password: string): Promise<boolean> => {
    const wait = guesses.retryAfter(ctx.pad, ctx.ip);
    if (wait > 0)
      throw new HttpError(429, 'too many wrong passwords; wait and try again', { 'retry-after': String(wait) });
    const right = meta.passwordHash !== null && (await verifyPassword(password, meta.passwordHash));
    if (right) guesses.succeeded(ctx.ip);
    else guesses.failed(ctx.pad, ctx.ip);
    return right;
  };

  const liveMeta = async (pad: string) => {
    const meta = await access.meta(pad);
    if (access.isGone(meta)) throw gone();
    return meta;
  };

  return [
    {
      pad: 'open',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/access$/,
      methods: ['GET', 'HEAD'],
      handler: async (ctx) => {
        const meta = await liveMeta(ctx.pad);
        const owner = access.isOwner(meta, requestOwnerToken(ctx.req));
        ctx.json(200, {
          protected: meta.passwordHash !== null,
          unlocked: access.unlocked(ctx.pad, meta, requestToken(ctx.req, ctx.pad)),
          owned: meta.ownerHash !== null,
          owner,
          readOnly: owner && meta.readOnlyId ? { id: meta.readOnlyId, url: `/ro/${meta.readOnlyId}` } : null,
          expiresAt: meta.expiresAt,
        } satisfies AccessStatus);
      },
    },
    {
      pad: 'open',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/claim$/,
      methods: ['POST'],
      wrongMethod: 'use POST',
      handler: async (ctx) => {
        const raw = await ctx.readBody();
        const { password } = raw.trim() === '' ? {} : parseJsonBody(ClaimBody, raw);
        const meta = await access.meta(ctx.pad);
        // The contract's 409 for every refusal: a deleted pad can never be claimed back.
        if (access.isGone(meta)) throw new HttpError(409, 'This pad was deleted');
        if (meta.ownerHash) throw new HttpError(409, 'this pad already has an owner');
        if (meta.passwordHash) {
          // OW4: whoever knows the password of an ownerless protected pad may own it.
          if (password === undefined) throw new HttpError(409, 'this pad has a password; send it to claim the pad');
          if (!(await checkPassword(ctx, meta, password))) throw new HttpError(403, 'wrong password');
        } else {
          // OW3/OW5: only a pad with nothing in it yet; an open pad with content stays ownerless,
          // so nobody can lock its collaborators out.
          const stored = await deps.storage.load(ctx.pad);
          if (stored.lastSeq > 0 || deps.hasLiveContent(ctx.pad))
            throw new HttpError(409, 'this pad already has content and no owner; it stays open to everyone');
          if (!deps.newPads.tryHit(ctx.ip, ctx.pad))
            throw new HttpError(429, 'too many new pads from your address; wait a minute');
        }
        const ownerToken = await access.claim(ctx.pad);
        ctx.json(201, { ownerToken } satisfies ClaimReply);
      },
    },
    {
      pad: 'open',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/unlock$/,
      methods: ['POST'],
      wrongMethod: 'use POST',
      handler: async (ctx) => {
        const { password } = parseJsonBody(UnlockBody, await ctx.readBody());
        const meta = await liveMeta(ctx.pad);
        const reply: UnlockReply = { unlocked: true };
        if (!meta.passwordHash) return ctx.json(200, reply);
        if (!(await checkPassword(ctx, meta, password))) throw new HttpError(403, 'wrong password');
        ctx.json(200, reply, { 'set-cookie': unlockCookie(ctx.req, ctx.pad, access.unlockToken(ctx.pad, meta)!) });
      },
    },
    ...ownerRoutes(access),
  ];
}
