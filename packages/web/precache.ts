import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';

/** The service worker's source; the build emits it as `sw.js` with its precache list filled in. */
export const SW_TEMPLATE = new URL('./src/offline/sw.js', import.meta.url);
const LIST_MARKER = /\/\* padmesh:precache-list \*\/ \[\]/;
const VERSION_MARKER = /\/\* padmesh:precache-version \*\/ 'dev'/;

export interface PrecacheManifest {
  /** Root-relative URLs, sorted, `/index.html` among them. */
  urls: string[];
  /** Changes whenever a precached file (or the worker itself) changes: names the cache. */
  version: string;
}

/** The list and version for `files` (URL to content), hashed together with the worker's template. */
export function precacheManifest(files: ReadonlyMap<string, string | Uint8Array>, template: string): PrecacheManifest {
  const urls = [...files.keys()].sort();
  const hash = createHash('sha256').update(template);
  for (const url of urls) hash.update(`\0${url}\0`).update(files.get(url)!);
  return { urls, version: hash.digest('hex').slice(0, 16) };
}

/** The template with the manifest written into it; throws if a marker is missing, so a build never ships an empty list. */
export function injectPrecache(template: string, manifest: PrecacheManifest): string {
  if (!LIST_MARKER.test(template) || !VERSION_MARKER.test(template))
    throw new Error('sw.js: precache markers not found (padmesh:precache-list, padmesh:precache-version)');
  return template
    .replace(LIST_MARKER, () => JSON.stringify(manifest.urls))
    .replace(VERSION_MARKER, () => JSON.stringify(manifest.version));
}

/** Files under `dir` as root-relative URLs (the public directory, copied to the output as it is). */
function publicFiles(dir: string, root = dir, out = new Map<string, Uint8Array>()): Map<string, Uint8Array> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) publicFiles(path, root, out);
    else out.set('/' + relative(root, path).split(sep).join('/'), readFileSync(path));
  }
  return out;
}

/**
 * Emits `sw.js` with the list of every file the built app consists of (index.html, the public
 * files, every chunk and asset of the bundle, code-split ones included) and a content hash as
 * its cache version. Known at build time, so the worker no longer parses index.html and
 * scripts at run time to find them, and a new build is a new worker with a new cache. Runs
 * after Vite has added index.html to the bundle; precompress (closeBundle) then writes
 * sw.js.br and sw.js.gz like for any other file.
 */
export function precache(): Plugin {
  let publicDir = '';
  return {
    name: 'padmesh-precache',
    configResolved: (config) => void (publicDir = config.publicDir),
    // The dev server has no bundle to list: it serves the template as it is (nothing precached).
    configureServer: (server) =>
      void server.middlewares.use('/sw.js', (_req, res) => {
        res.setHeader('content-type', 'text/javascript; charset=utf-8');
        res.end(readFileSync(SW_TEMPLATE));
      }),
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const files = publicFiles(publicDir) as Map<string, string | Uint8Array>;
        for (const out of Object.values(bundle)) {
          if (out.fileName.endsWith('.map')) continue;
          files.set('/' + out.fileName, out.type === 'chunk' ? out.code : out.source);
        }
        if (!files.has('/index.html')) this.error('precache: index.html is not in the bundle');
        files.delete('/sw.js');
        const template = readFileSync(SW_TEMPLATE, 'utf8');
        this.emitFile({
          type: 'asset',
          fileName: 'sw.js',
          source: injectPrecache(template, precacheManifest(files, template)),
        });
      },
    },
  };
}
