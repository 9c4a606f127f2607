// Padmesh app shell cache: a pad visited before opens with no network at all.
// Hashed /assets/* never change, so they are served cache-first; page loads try the
// network first and fall back to the cached shell. API, WebSocket and .txt are never cached
// (the pad's text lives in IndexedDB, kept by the app itself).
//
// This file is a template: the build (packages/web/precache.ts) emits it as dist/sw.js with
// the two constants below filled in. A new build therefore changes sw.js itself, which is
// what makes browsers install the new worker; its cache name changes with the content, and
// activation drops every other cache. Served as it is (dev server), nothing is precached.

/** Every file of the built shell: index.html, the public files and every emitted chunk and asset. */
const PRECACHE = /* padmesh:precache-list */ [];
/** A hash of the precached files' names and contents (and of this worker). */
const VERSION = /* padmesh:precache-version */ 'dev';

const CACHE = `padmesh-shell-${VERSION}`;
/** A page load that gets no answer by then is served from the cache (a network that hangs rather than fails). */
const NAVIGATION_TIMEOUT_MS = 4000;
const SHELL = '/index.html';
const PRECACHED = new Set(PRECACHE);

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Unhashed files (index.html, favicon) are revalidated rather than taken from the HTTP cache.
      // addAll stores nothing unless every file arrived, so a failed install leaves no half shell.
      const request = (path) => new Request(path, { cache: path.startsWith('/assets/') ? 'default' : 'no-cache' });
      await cache.addAll(PRECACHE.map(request));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      // The shell of older builds (and its assets) goes in one step.
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      // The page request starts while the worker boots, not after: saves its start-up time on every visit.
      await self.registration.navigationPreload?.enable();
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== location.origin) return;
  if (req.mode !== 'navigate' && (url.pathname.startsWith('/assets/') || PRECACHED.has(url.pathname))) {
    event.respondWith(
      (async () => {
        const cache = await caches.open(CACHE);
        const hit = await cache.match(req);
        if (hit) return hit;
        // Not precached (dev server, or a file of an older build still open in a tab): kept until the next version.
        const res = await fetch(req);
        if (res.ok) await cache.put(req, res.clone());
        return res;
      })(),
    );
    return;
  }
  if (req.mode === 'navigate') {
    const network = (async () => (await event.preloadResponse) ?? (await fetch(req)))();
    event.waitUntil(network.catch(() => {}));
    event.respondWith(
      (async () => {
        const timeout = new Promise((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), NAVIGATION_TIMEOUT_MS),
        );
        try {
          return await Promise.race([network, timeout]);
        } catch {
          return (await (await caches.open(CACHE)).match(SHELL)) ?? (await network);
        }
      })(),
    );
  }
});
