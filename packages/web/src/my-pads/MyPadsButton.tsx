import { Suspense, useEffect, useState } from 'react';
import type * as Y from 'yjs';
import { accessApi } from '../access/api.js';
import { lazyPart } from '../lazy-part.js';
import { trackVisit } from '../offline/pad-index.js';

// The list, its search and its styles load on first use, so a plain pad's first load stays small.
const MyPadsDialog = lazyPart(() => import('./views.js').then((m) => m.MyPadsDialog));
const LazyPage = lazyPart(() => import('./views.js').then((m) => m.MyPadsPage));

/** `/~pads` (the lazy page, given the owner delete call: see actions.ts `DeletePad`). */
export function MyPadsPage() {
  return (
    <Suspense fallback={null}>
      <LazyPage deletePad={accessApi.deletePad} />
    </Suspense>
  );
}

/** The top-bar button that opens "My pads" over the pad; `current` is the open pad's cache key. */
export function MyPadsButton({ current }: { current: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        className="button"
        onClick={() => setOpen(true)}
        aria-haspopup="dialog"
        aria-expanded={open}
        data-testid="my-pads-button"
      >
        My pads
      </button>
      {open && (
        <Suspense fallback={null}>
          <MyPadsDialog current={current} deletePad={accessApi.deletePad} onClose={() => setOpen(false)} />
        </Suspense>
      )}
    </>
  );
}

/** Keeps this pad's line in "My pads" (offline/pad-index.ts) while the pad is open. */
export function useVisitRecord(key: string, doc: Y.Doc | undefined): void {
  // Loaded with the page, not on first use: a pad glanced at and left before a lazy chunk
  // arrived went unlisted (MP1 caught it); the index code is small.
  useEffect(() => (doc ? trackVisit(key, doc) : undefined), [key, doc]);
}
