import { Suspense, useRef, useState } from 'react';
import { lazyPart } from '../lazy-part.js';
import type { FileMenuProps } from './FileMenuBody.js';
import './file.css';

// Loaded just after the pad shows (it renders nothing until the menu opens or a file is
// dropped): a plain pad's first load carries only the button (SPEC EF10).
const FileMenuBody = lazyPart(() => import('./FileMenuBody.js').then((m) => m.FileMenuBody));

/**
 * Download, print, import, find and go to line (SPEC EF1-EF6): one menu in the top bar, so a
 * phone without a keyboard reaches find and go to line too. Escape closes it.
 */
export function FileMenu(props: FileMenuProps) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <div className="file-menu">
      <button
        ref={button}
        className="button"
        data-testid="file-menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        File
      </button>
      <Suspense fallback={null}>
        <FileMenuBody {...props} open={open} setOpen={setOpen} button={button} />
      </Suspense>
    </div>
  );
}
