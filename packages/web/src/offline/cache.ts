import { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';

/** Longest we wait for IndexedDB before showing the pad anyway (private modes may stall it). */
const CACHE_WAIT_MS = 1_500;
/** Key in the database's custom store: 1 while it holds edits no server has acknowledged. */
const UNSAVED_KEY = 'unsaved';

/** A pad kept on this device. */
export interface PadCache {
  /** The cache holds edits the server had not acknowledged when the page last saw it (e.g. typed offline, then the tab closed). */
  readonly unsaved: boolean;
  /** Mirrors the provider's unsaved flag into the cache, so a reopened tab knows it too. */
  track(provider: { subscribe(fn: (s: { unsaved: boolean }) => void): () => void }): void;
  destroy(): Promise<void>;
  /** Closes the cache and deletes its database (the pad was deleted, or the link revoked). */
  clear(): Promise<void>;
}

const dbName = (key: string) => `padmesh:${key}`;

/**
 * Deletes a pad's database without opening it: the server says the pad is gone, so its cached
 * copy must not be loaded and re-sent (a deleted pad must not come back from a browser).
 */
export function forgetCachedPad(key: string): Promise<void> {
  // And its line in "My pads"; the index's code loads only here and while a pad is open (first-load budget).
  void import('./pad-index.js').then(
    (m) => m.forgetVisit(key),
    () => {},
  );
  if (typeof indexedDB === 'undefined') return Promise.resolve();
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(dbName(key));
    // "blocked": another tab still has it open; it deletes its own copy when its socket closes.
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

/**
 * Every pad this browser opens is kept in IndexedDB (one database per pad, `padmesh:pad:<pad>`
 * or `padmesh:ro:<link id>`), so it opens at once from the cache and edits made offline
 * survive closing the tab; the provider's state-vector sync then sends the server only what
 * it lacks. Resolves once the cached state is in `doc` (or after CACHE_WAIT_MS; later
 * cache updates still arrive, with the persistence as their origin).
 */
export async function openCache(key: string, doc: Y.Doc): Promise<PadCache | null> {
  if (typeof indexedDB === 'undefined') return null;
  const persistence = new IndexeddbPersistence(dbName(key), doc);
  const loaded = await Promise.race([
    persistence.whenSynced.then(() => true),
    new Promise<false>((r) => setTimeout(() => r(false), CACHE_WAIT_MS)),
  ]);
  const unsaved = loaded ? Boolean(await persistence.get(UNSAVED_KEY).catch(() => 0)) : false;
  let untrack: (() => void) | null = null;
  return {
    unsaved,
    track(provider) {
      let last = unsaved;
      untrack = provider.subscribe((s) => {
        if (s.unsaved === last) return;
        last = s.unsaved;
        // Best effort: the flag only chooses the status wording; the sync sends the edits regardless.
        persistence.set(UNSAVED_KEY, s.unsaved ? 1 : 0).catch(() => {});
      });
    },
    async destroy() {
      untrack?.();
      await persistence.destroy();
    },
    async clear() {
      untrack?.();
      // Not persistence.clearData(): it does not wait for the deletion to finish.
      await persistence.destroy();
      await forgetCachedPad(key);
    },
  };
}

/** Makes the app shell available offline (sw.js, built from src/offline/sw.js by precache.ts). */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || location.protocol === 'file:') return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // Without a service worker the app still works online; only offline opening is lost.
    });
  });
}
