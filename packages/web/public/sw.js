// Padmesh app shell cache: a pad visited before opens with no network at all.
// Hashed /assets/* never change, so they are served cache-first; page loads try the
// network first and fall back to the cached shell. API, WebSocket and .txt are never cached
// (the pad's text lives in IndexedDB, kept by the app itself).
const CACHE = 'padmesh-shell-v1';
/** A page load that gets no answer by then is served from the cache (a network that hangs rather than fails). */
const NAVIGATION_TIMEOUT_MS = 4000;

const refs = (text, re) => [...text.matchAll(re)].map((m) => '/' + m[1]);

/**
 * Stores `res` (index.html) as the shell once the files it references are cached, adds the
 * chunks its scripts import (code-split parts such as the history panel, best effort, so
 * they work offline too), and drops the files of older shells.
 */
async function install(cache, res) {
  const html = await res.clone().text();
  const required = refs(html, /(?:src|href)="\/(assets\/[^"]+)"/g).concat('/favicon.svg');
  const files = new Set(required);
  const get = async (path) => {
    const hit = await cache.match(path);
    if (hit) return hit;
    const fresh = await fetch(path);
    if (!fresh.ok) throw new Error(`${path}: ${fresh.status}`);
    await cache.put(path, fresh.clone());
    return fresh;
  };
  for (const path of required) {
    const file = await get(path);
    if (!path.endsWith('.js')) continue;
    const js = await file.text();
    // Vite names chunks from the root (`assets/x-hash.js`) or relative to the importer (`./x-hash.js`).
    const chunks = refs(js, /["'`]\/?(assets\/[\w.-]+\.(?:js|css))["'`]/g).concat(
      refs(js, /["'`]\.\/([\w.-]+\.(?:js|css))["'`]/g).map((p) => '/assets' + p),
    );
    for (const chunk of chunks) {
      if (files.has(chunk)) continue;
      files.add(chunk);
      await get(chunk).catch(() => files.delete(chunk));
    }
  }
  await cache.put('/index.html', res);
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname;
    if (path.startsWith('/assets/') && !files.has(path)) await cache.delete(req);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await install(cache, await fetch('/index.html', { cache: 'no-cache' }));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
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
  if (url.pathname.startsWith('/assets/') || url.pathname === '/favicon.svg') {
    event.respondWith(
      (async () => {
        const cache = await caches.open(CACHE);
        const hit = await cache.match(req);
        if (hit) return hit;
        const res = await fetch(req);
        if (res.ok) await cache.put(req, res.clone());
        return res;
      })(),
    );
    return;
  }
  if (req.mode === 'navigate') {
    const network = (async () => {
      const res = (await event.preloadResponse) ?? (await fetch(req));
      const cache = await caches.open(CACHE);
      const previous = await cache.match('/index.html');
      // A new deployment's shell (other asset hashes) replaces the cached one with its files.
      if (res.status === 200 && (res.headers.get('content-type') ?? '').includes('text/html')) {
        const html = await res.clone().text();
        if (!previous || (await previous.text()) !== html) event.waitUntil(install(cache, res.clone()).catch(() => {}));
      }
      return res;
    })();
    event.waitUntil(network.catch(() => {}));
    event.respondWith(
      (async () => {
        const timeout = new Promise((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), NAVIGATION_TIMEOUT_MS),
        );
        try {
          return await Promise.race([network, timeout]);
        } catch {
          return (await (await caches.open(CACHE)).match('/index.html')) ?? (await network);
        }
      })(),
    );
  }
});
