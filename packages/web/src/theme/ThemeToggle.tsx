import { Suspense } from 'react';
import { lazyPart } from '../lazy-part.js';

// The button loads just after the pad shows; the scheme itself is applied before the first
// paint (main.tsx), so nothing flashes. Keeps a plain pad's first load small (SPEC EF10).
const ThemeButton = lazyPart(() => import('./ThemeButton.js').then((m) => m.ThemeButton));

/** The theme toggle's place in the top bar, held at its size while its code loads. */
export function ThemeToggle() {
  return (
    <Suspense fallback={<span className="button" style={{ width: 34, visibility: 'hidden' }} aria-hidden="true" />}>
      <ThemeButton />
    </Suspense>
  );
}
