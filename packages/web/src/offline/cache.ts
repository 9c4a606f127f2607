import { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';

/** Longest we wait for IndexedDB before showing the pad anyway (private modes may stall it). */
const CACHE_WAIT_MS = 1_500;

/**
 * Every pad this browser opens is kept in IndexedDB (one database per pad), so it opens
 * at once from the cache and edits made offline survive closing the tab; the provider's
 * state-vector sync then sends the server only what it lacks.
 */
export async function openCache(key: string, doc: Y.Doc): Promise<IndexeddbPersistence | null> {
  if (typeof indexedDB === 'undefined') return null;
  const persistence = new IndexeddbPersistence(`padmesh:${key}`, doc);
  await Promise.race([persistence.whenSynced, new Promise((r) => setTimeout(r, CACHE_WAIT_MS))]);
  return persistence;
}

/** Makes the app shell available offline (public/sw.js). */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || location.protocol === 'file:') return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // Without a service worker the app still works online; only offline opening is lost.
    });
  });
}
