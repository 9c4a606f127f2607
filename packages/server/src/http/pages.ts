import { randomPadId } from '@padmesh/protocol';
import { HttpError } from './errors.js';
import { padFrom } from './pad-name.js';
import { redirect } from './replies.js';
import type { RequestContext } from './route.js';
import type { StaticFiles } from './static-files.js';

/** `/ro/<id>`: a read-only link's page (the id is checked when its socket opens). */
const READ_ONLY_PAGE = /^\/ro\/[A-Za-z0-9_-]{20,40}\/?$/;
/** `/~pads`: the web app's "My pads" page (`~` is no pad-id character, so it names no pad). */
const MY_PADS_PAGE = /^\/~pads\/?$/;
/** `/<pad>`, `/<pad>/history`, `/<pad>/history/<version>`: the app routes these itself. */
const PAD_PAGE = /^\/(?<pad>[^/]+)(\/history(\/[^/]+)?)?\/?$/;

/**
 * What no API route took: `/` (a fresh pad), the built web app's files and its pages. These
 * are all reads; other methods get a 404 here, as any unknown path does.
 */
export function servePage(ctx: RequestContext, files: StaticFiles): void {
  const { req, res, method } = ctx;
  const path = ctx.url.pathname;
  const read = method === 'GET' || method === 'HEAD';
  if (path === '/' && read) return redirect(res, `/${randomPadId()}`);
  if (read && files.serve(req, res, path)) return;
  if (path.startsWith('/api/') || path.startsWith('/assets/')) throw new HttpError(404, 'not found');
  if (read && READ_ONLY_PAGE.test(path) && files.serve(req, res, '/index.html')) return;
  const myPads = MY_PADS_PAGE.test(path);
  const page = myPads ? null : PAD_PAGE.exec(path);
  if ((myPads || page) && read) {
    if (page) padFrom(page.groups!.pad!); // a bad pad id is a 400 with its reason, not the app

    if (files.serve(req, res, '/index.html')) return;
    throw new HttpError(503, 'web app not built: run `npm run build`');
  }
  throw new HttpError(404, 'not found');
}
