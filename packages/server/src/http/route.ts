import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Room } from '../room/room.js';
import { HttpError } from './errors.js';
import { padFrom } from './pad-name.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';
/** Reads: HEAD answers wherever GET does. */
export const READ_METHODS: readonly Method[] = ['GET', 'HEAD'];

/** What every handler gets: the request, its route parameters and the ways to answer it. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  /** Named groups of the route's pattern (the pad's already decoded and checked). */
  params: Readonly<Record<string, string>>;
  /** The client's address, as the server's proxy setting sees it (rate limits key on it). */
  ip: string;
  /** The body as UTF-8 text, bounded by the configured limit (413, 400). */
  readBody(): Promise<string>;
  json(status: number, body: unknown, headers?: Readonly<Record<string, string>>): void;
  text(status: number, body: string, type?: string): void;
}

export interface PadContext extends RequestContext {
  pad: string;
}

/** Runs `fn` with the pad loaded and held in memory, and lets go of it afterwards. */
export type WithPad = <T>(pad: string, fn: (room: Room) => Promise<T>) => Promise<T>;

interface RouteBase {
  /** Matched against the whole path; named groups become `ctx.params`. */
  pattern: RegExp;
  /** Methods the route answers; any other gets a 405 with `allow`. Omitted: every method. */
  methods?: readonly Method[];
  /** The 405's message, when `${method} not allowed here` would not help. */
  wrongMethod?: string;
}

export interface PlainRoute extends RouteBase {
  pad?: undefined;
  handler(ctx: RequestContext): Promise<void> | void;
}

/**
 * A route under one pad; its pattern has a `pad` group. The pad id is checked (400), then
 * the pad's password gates it (403, A1) unless the route is `open`: only routes that reveal
 * and change no content may be, so the gate cannot be forgotten on a new route.
 */
export interface PadRoute extends RouteBase {
  /** `owner`: only a request carrying the pad's owner token (OW2); the password gate does not apply. */
  pad: 'gated' | 'open' | 'owner';
  /** For `owner` routes, what the 403 says only the owner can do ("set a password"). */
  ownerAction?: string;
  /** Checks of other named groups, run after the gate: each returns the value or throws an HttpError. */
  params?: Readonly<Record<string, (raw: string) => string>>;
  handler(ctx: PadContext): Promise<void> | void;
}

export type Route = PlainRoute | PadRoute;

/**
 * Whether a request may see a pad's content (the unlock cookie it carries), and whether it
 * is the pad's owner. Either may throw an HttpError of its own (410 for a deleted pad).
 */
export type PadGate = (pad: string, req: IncomingMessage) => Promise<boolean>;
export type OwnerGate = (pad: string, req: IncomingMessage) => Promise<boolean>;

/**
 * Runs the first route whose pattern matches `ctx.url.pathname`, in table order. Returns
 * false when none does. Order of refusals: bad pad id (400), locked pad (403), bad
 * parameter (400), wrong method (405).
 */
export async function dispatch(
  routes: readonly Route[],
  ctx: RequestContext,
  gate: PadGate,
  owner: OwnerGate = async () => false,
): Promise<boolean> {
  const path = ctx.url.pathname;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = { ...m.groups };
    if (route.pad === undefined) {
      checkMethod(route, ctx.method);
      await route.handler({ ...ctx, params });
      return true;
    }
    const raw = params.pad;
    if (raw === undefined) throw new Error(`pad route ${route.pattern} has no pad group`);
    const pad = padFrom(raw);
    params.pad = pad;
    if (route.pad === 'gated' && !(await gate(pad, ctx.req)))
      throw new HttpError(403, 'this pad is protected by a password');
    if (route.pad === 'owner' && !(await owner(pad, ctx.req)))
      throw new HttpError(403, `only the pad's owner can ${route.ownerAction ?? 'do this'}`);
    for (const [name, check] of Object.entries(route.params ?? {})) {
      const value = params[name];
      if (value !== undefined) params[name] = check(value);
    }
    checkMethod(route, ctx.method);
    await route.handler({ ...ctx, params, pad });
    return true;
  }
  return false;
}

function checkMethod(route: Route, method: string): void {
  if (!route.methods || route.methods.includes(method as Method)) return;
  throw new HttpError(405, route.wrongMethod ?? `${method} not allowed here`, { allow: route.methods.join(', ') });
}
