// Padmesh app shell cache: a pad visited before opens with no network at all.
// Hashed /assets/* never change, so they are served cache-first; page loads try the
// network first and fall back to the cached shell. API, WebSocket and .txt are never cached.
const CACHE = 'padmesh-shell-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const res = await fetch('/index.html', { cache: 'no-cache' });
      const html = await res.clone().text();
      await cache.put('/index.html', res);
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
      await cache.addAll([...new Set([...assets, '/favicon.svg'])]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
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
    event.respondWith(
      (async () => {
        const cache = await caches.open(CACHE);
        try {
          const res = await fetch(req);
          if (res.ok && (res.headers.get('content-type') ?? '').includes('text/html') && res.status === 200) await cache.put('/index.html', res.clone());
          return res;
        } catch {
          return (await cache.match('/index.html')) ?? Response.error();
        }
      })(),
    );
  }
});
