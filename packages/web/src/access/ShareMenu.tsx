import type { AccessStatus } from '@padmesh/protocol';
import { Suspense, useCallback, useRef, useState } from 'react';
import { lazyPart } from '../lazy-part.js';
import { useDismiss } from '../topbar/dismiss.js';
import type { SharePanelProps } from './SharePanel.js';

// The menu's sections (and their API calls) load when Share is first pressed: a plain pad never shows them.
const SharePanel = lazyPart<SharePanelProps>(() => import('./SharePanel.js').then((m) => m.SharePanel));

/**
 * Sharing and access. Everyone can copy the edit link; only the owner (this browser holds the
 * pad's owner token, and the server agreed: `access.owner`) sees the controls. The server
 * checks ownership on every call; hiding the controls is only so nobody is offered a 403.
 */
export function ShareMenu({
  pad,
  access,
  onChanged,
  onPasswordSet,
  onDeleted,
}: {
  pad: string;
  access: AccessStatus;
  /** Access changed: read it again. */
  onChanged: () => void;
  onPasswordSet: (password: string) => Promise<void>;
  onDeleted: () => void;
}) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  // Escape closes it and returns focus to Share; a press outside closes it (KB2).
  useDismiss(open, close, button, panel);

  return (
    <div className="share">
      <button
        ref={button}
        className="button"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        data-testid="share-button"
      >
        Share
      </button>
      {open && (
        // The slot holds the ref from the first render, so Escape and outside presses are heard
        // (useDismiss attaches its listeners then) even before the lazy panel has arrived.
        <div className="share-panel-slot" ref={panel}>
          <Suspense fallback={null}>
            <SharePanel
              pad={pad}
              access={access}
              onChanged={onChanged}
              onPasswordSet={onPasswordSet}
              onDeleted={onDeleted}
            />
          </Suspense>
        </div>
      )}
    </div>
  );
}
