import { padIdProblem, randomPadId } from '@padmesh/protocol';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccessError, createAccessRoutes, requestToken } from '../access/routes.js';
import type { History } from '../history/versions.js';
import { HistoryError, handleHistory } from '../history/routes.js';
import type { Logger } from '../log.js';
import type { PadAccess } from '../access/pad-access.js';
import type { Metrics } from '../metrics.js';
import type { Rooms } from '../room/rooms.js';
import type { StaticFiles } from './static-files.js';

export interface HttpDeps {
  rooms: Rooms;
  files: StaticFiles;
  metrics: Metrics;
  log: Logger;
  maxBodyBytes: number;
  access: PadAccess;
  history: History;
  /** Named in an `x-padmesh-node` header, so operators (and tests) see which node answered. */
  nodeId?: string;
  ipOf: (req: IncomingMessage) => string;
  /** Resolves to null when ready, or the reason the node is not. */
  readiness: () => Promise<string | null>;
  /** Extra facts for /readyz (node id, bus state); informational, not part of the verdict. */
  readinessDetails?: () => Record<string, string>;
}

/** A failure the boundary turns into a status and JSON body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Sent with every response: the app needs no inline script and nothing from other origins. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

const json = (res: ServerResponse, status: number, body: unknown) => {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(data),
    'cache-control': 'no-store',
  });
  res.end(data);
};

const text = (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') => {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(413, `body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const buf = Buffer.concat(chunks);
      const s = new TextDecoder('utf-8', { fatal: true });
      try {
        resolve(s.decode(buf));
      } catch {
        reject(new HttpError(400, 'body is not valid UTF-8'));
      }
    });
    req.on('error', reject);
  });
}

function padFrom(raw: string): string {
  let pad: string;
  try {
    pad = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'pad name is not valid URL encoding');
  }
  const problem = padIdProblem(pad);
  if (problem) throw new HttpError(400, problem);
  return pad;
}

/** HTTP routes: the app, plain-text access, health, readiness and metrics. */
export function createHttpHandler(deps: HttpDeps) {
  async function withPad<T>(pad: string, fn: (room: Awaited<ReturnType<Rooms['acquire']>>) => Promise<T>): Promise<T> {
    let room: Awaited<ReturnType<Rooms['acquire']>>;
    try {
      room = await deps.rooms.acquire(pad);
    } catch (err) {
      // Loading failed: storage is down or restarting. A retryable 503, not a 500.
      deps.log.warn({ err, pad }, 'could not load pad');
      throw new HttpError(503, 'storage unavailable; try again shortly');
    }
    try {
      return await fn(room);
    } finally {
      deps.rooms.release(room);
    }
  }

  const accessRoutes = createAccessRoutes(deps.access, deps.ipOf);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const read = method === 'GET' || method === 'HEAD';

    if (path === '/healthz') return json(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const problem = await deps.readiness();
      const details = deps.readinessDetails?.() ?? {};
      return json(
        res,
        problem ? 503 : 200,
        problem ? { status: 'not ready', reason: problem, ...details } : { status: 'ready', ...details },
      );
    }
    if (path === '/metrics')
      return text(res, 200, await deps.metrics.registry.metrics(), deps.metrics.registry.contentType);
    if (path === '/' && read) {
      res.writeHead(302, { location: `/${randomPadId()}`, 'cache-control': 'no-store' });
      res.end();
      return;
    }

    const padApi = /^\/api\/pads\/([^/]+)\/([^/]+)/.exec(path);
    if (padApi) {
      const pad = padFrom(padApi[1]!);
      const reply = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
        json(res, status, value);
      };
      if (await accessRoutes(req, res, pad, padApi[2]!, () => readBody(req, deps.maxBodyBytes), reply)) return;
    }

    // Every other pad route reveals or changes content: the pad's password gates it (A1).
    const padOfRoute = padApi?.[1] ?? /^\/([^/]+)\.txt$/.exec(path)?.[1];
    if (padOfRoute !== undefined) {
      const pad = padFrom(padOfRoute);
      if (!(await deps.access.allowed(pad, requestToken(req, pad))))
        throw new HttpError(403, 'this pad is protected by a password');
    }

    if (padApi) {
      const pad = padFrom(padApi[1]!);
      const handled = await handleHistory(req, res, path, pad, {
        history: deps.history,
        withPad,
        readBody: () => readBody(req, deps.maxBodyBytes),
        json: (status, body) => json(res, status, body),
        text: (status, body) => text(res, status, body),
      });
      if (handled) return;
    }

    const api = /^\/api\/pads\/([^/]+)\/text$/.exec(path);
    const txt = /^\/([^/]+)\.txt$/.exec(path);
    if (api || txt) {
      const pad = padFrom((api ?? txt)![1]!);
      if (read) return withPad(pad, async (room) => text(res, 200, room.text));
      if (method === 'PUT' && api) {
        const body = await readBody(req, deps.maxBodyBytes);
        await withPad(pad, (room) => room.replaceText(body));
        return json(res, 200, { pad, length: body.length, saved: true });
      }
      throw new HttpError(405, `${method} not allowed here`);
    }

    if (read && deps.files.serve(req, res, path)) return;
    if (path.startsWith('/api/') || path.startsWith('/assets/')) throw new HttpError(404, 'not found');

    if (read && /^\/ro\/[A-Za-z0-9_-]{20,40}\/?$/.test(path) && deps.files.serve(req, res, '/index.html')) return;
    const page = /^\/([^/]+)(\/history(\/[^/]+)?)?\/?$/.exec(path);
    if (page && read) {
      padFrom(page[1]!);
      if (deps.files.serve(req, res, '/index.html')) return;
      throw new HttpError(503, 'web app not built: run `npm run build`');
    }
    throw new HttpError(404, 'not found');
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (deps.nodeId) res.setHeader('x-padmesh-node', deps.nodeId);
    route(req, res).catch((err: unknown) => {
      const known = err instanceof HttpError || err instanceof AccessError || err instanceof HistoryError;
      const status = known ? err.status : 500;
      const message = known ? err.message : 'internal error';
      if (status >= 500) deps.log.error({ err, url: req.url }, 'request failed');
      if (res.headersSent) return void res.destroy();
      const wantsHtml = String(req.headers.accept ?? '').includes('text/html');
      if (wantsHtml) {
        text(res, status, errorPage(status, message), 'text/html; charset=utf-8');
      } else json(res, status, { error: message });
    });
  };
}

function errorPage(status: number, reason: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>Padmesh: ${status}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<body style="font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#1f2328">
<h1 style="font-size:1.4rem">${status === 400 ? "That pad name won't work" : status === 404 ? 'Not found' : 'Something went wrong'}</h1>
<p>${escapeHtml(reason)}.</p>
<p><a href="/">Start a new pad</a></p></body></html>`;
}
