import { CloseCode, type ErrorReply } from '@padmesh/protocol';
import { CloseError } from '../transport/socket.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { accessRoutes, gone, requestOwnerToken, requestToken } from '../access/routes.js';
import type { PadAccess } from '../access/pad-access.js';
import { authorRoutes } from '../history/author-routes.js';
import { historyRoutes } from '../history/routes.js';
import type { History } from '../history/versions.js';
import type { DistinctWindow } from '../limits.js';
import type { Logger } from '../log.js';
import type { Storage } from '../storage/types.js';
import type { Rooms } from '../room/rooms.js';
import { errorPage } from './error-page.js';
import { HttpError } from './errors.js';
import { OverloadedError } from '../room/heap-guard.js';
import { opsRoutes, type OpsDeps } from './ops-routes.js';
import { servePage } from './pages.js';
import { readBody } from './read-body.js';
import { SECURITY_HEADERS, TEXT_HTML, sendJson, sendText } from './replies.js';
import { dispatch, type OwnerGate, type PadGate, type RequestContext, type Route, type WithPad } from './route.js';
import type { StaticFiles } from './static-files.js';
import { textRoutes } from './text-routes.js';

export interface HttpDeps extends OpsDeps {
  rooms: Rooms;
  files: StaticFiles;
  log: Logger;
  maxBodyBytes: number;
  access: PadAccess;
  storage: Storage;
  /** Shared with the WebSocket transport: claiming a new pad counts as creating one. */
  newPads: DistinctWindow;
  history: History;
  /** Named in an `x-padmesh-node` header, so operators (and tests) see which node answered. */
  nodeId?: string;
  ipOf: (req: IncomingMessage) => string;
}

/**
 * Any other path under a pad. Still checked and gated like the rest, so a 404 tells a
 * stranger nothing about a protected pad.
 */
const unknownPadPath: Route = {
  pad: 'gated',
  pattern: /^\/api\/pads\/(?<pad>[^/]+)\/[^/]/,
  handler: () => {
    throw new HttpError(404, 'not found');
  },
};

/**
 * A room refuses a write with the close code a WebSocket would get (the same checks, design
 * §5); over HTTP that is 413 (too large) or a retryable 503 (node near its memory limit).
 */
function refusalOf(err: unknown): unknown {
  if (!(err instanceof CloseError)) return err;
  if (err.code === CloseCode.PadTooLarge) return new HttpError(413, err.message);
  if (err.code === CloseCode.NodeOverloaded) return new HttpError(503, err.message, { 'retry-after': '5' });
  return err;
}

/** HTTP: one table of API routes, then the web app's files and pages. */
export function createHttpHandler(deps: HttpDeps) {
  const withPad: WithPad = async (pad, fn) => {
    let room;
    try {
      room = await deps.rooms.acquire(pad);
    } catch (err) {
      if (err instanceof OverloadedError) throw new HttpError(503, err.message, { 'retry-after': '5' });
      // Loading failed: storage is down or restarting. A retryable 503, not a 500.
      deps.log.warn({ err, pad }, 'could not load pad');
      throw new HttpError(503, 'storage unavailable; try again shortly');
    }
    try {
      return await fn(room);
    } catch (err) {
      // Counted by the room (`padmesh_rejected_total`); logged here once, without a stack.
      if (err instanceof CloseError) deps.log.debug({ pad, code: err.code, reason: err.message }, 'HTTP write refused');
      throw refusalOf(err);
    } finally {
      deps.rooms.release(room);
    }
  };

  const routes: Route[] = [
    ...opsRoutes(deps),
    ...accessRoutes({
      access: deps.access,
      storage: deps.storage,
      newPads: deps.newPads,
      hasLiveContent: (pad) => deps.rooms.peek(pad)?.isEmpty() === false,
    }),
    ...historyRoutes({ history: deps.history, withPad }),
    ...authorRoutes({ history: deps.history }),
    ...textRoutes({ withPad, newPads: deps.newPads }),
    unknownPadPath,
  ];
  // No cache: a password set on any node holds for the next request on every node (OW8).
  const gate: PadGate = async (pad, req) => {
    const meta = await deps.access.meta(pad);
    if (deps.access.isGone(meta)) throw gone();
    return deps.access.unlocked(pad, meta, requestToken(req, pad));
  };
  const owner: OwnerGate = async (pad, req) => {
    const meta = await deps.access.meta(pad);
    if (deps.access.isGone(meta)) throw gone();
    return deps.access.isOwner(meta, requestOwnerToken(req));
  };

  function contextOf(req: IncomingMessage, res: ServerResponse): RequestContext {
    return {
      req,
      res,
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', 'http://x'),
      params: {},
      ip: deps.ipOf(req),
      readBody: () => readBody(req, deps.maxBodyBytes),
      json: (status, body, headers = {}) => {
        for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
        sendJson(res, status, body);
      },
      text: (status, body, type) => sendText(res, status, body, type),
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx = contextOf(req, res);
    if (!(await dispatch(routes, ctx, gate, owner))) servePage(ctx, deps.files);
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (deps.nodeId) res.setHeader('x-padmesh-node', deps.nodeId);
    route(req, res).catch((err: unknown) => {
      const known = err instanceof HttpError;
      const status = known ? err.status : 500;
      const message = known ? err.message : 'internal error';
      if (status >= 500) deps.log.error({ err, url: req.url }, 'request failed');
      if (res.headersSent) return void res.destroy();
      if (known) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
      const wantsHtml = String(req.headers.accept ?? '').includes('text/html');
      if (wantsHtml) sendText(res, status, errorPage(status, message), TEXT_HTML);
      else sendJson(res, status, { error: message } satisfies ErrorReply);
    });
  };
}
