import { Suspense, useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type * as Y from 'yjs';
import { lazyPart } from '../lazy-part.js';
import { modeLabel, observeMode, readMode } from './mode.js';
import './view.css';

// The menu's controls load when it is first opened: the first load carries only this button.
const ViewPopover = lazyPart(() => import('./ViewPopover.js').then((m) => m.ViewPopover));

/**
 * The top bar's view control. The button always names the pad's shared mode (VM1, also on a
 * read-only link, VM6); the menu changes it and this device's font and wrapping (VM4). Escape
 * or a click outside closes the menu and gives focus back to the button.
 */
export function ViewMenu({ doc, readOnly }: { doc: Y.Doc; readOnly: boolean }) {
  const subscribe = useCallback((cb: () => void) => observeMode(doc, cb), [doc]);
  const mode = useSyncExternalStore(subscribe, () => readMode(doc));
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => root.current?.contains(e.target as Node) || setOpen(false);
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);
  const escape = (e: { key: string }) => e.key === 'Escape' && open && (setOpen(false), button.current?.focus());

  return (
    <div className="view-menu" ref={root} onKeyDown={escape}>
      <button
        ref={button}
        className="button"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        aria-label={`View: ${modeLabel(mode)}`}
        data-testid="view-mode-button"
      >
        {modeLabel(mode)}
      </button>
      {open && (
        <Suspense fallback={null}>
          <ViewPopover doc={doc} mode={mode} readOnly={readOnly} />
        </Suspense>
      )}
    </div>
  );
}
