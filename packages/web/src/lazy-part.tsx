import { lazy, type ComponentType } from 'react';

/** Shown when a code-split part cannot be fetched (offline before the service worker cached it). */
function Unavailable() {
  return <div className="center-card muted">Not available offline; reload once the connection is back.</div>;
}

/**
 * A part of the app loaded on first use, so the pad itself downloads and starts sooner.
 * A failed download shows a note in its place instead of taking the editor down with it.
 */
export function lazyPart<P extends object>(load: () => Promise<ComponentType<P>>) {
  return lazy(() =>
    load().then(
      (C) => ({ default: C }),
      () => ({ default: Unavailable as ComponentType<P> }),
    ),
  );
}
