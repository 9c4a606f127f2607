import type { AccessStatus } from '@padmesh/protocol';
import { useCallback, useRef, useState } from 'react';
import { useDismiss } from '../topbar/dismiss.js';
import { writeClipboard } from '../pad/CopyLink.js';
import { padPath } from '../route.js';
import { ClaimSection } from './ClaimSection.js';
import { DeletePadSection } from './DeletePadSection.js';
import { ExpirySection } from './ExpirySection.js';
import { OwnerLinkSection } from './OwnerLinkSection.js';
import { PasswordSection } from './PasswordSection.js';
import { ReadOnlyLinkSection } from './ReadOnlyLinkSection.js';

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
  const [note, setNote] = useState('');
  const owner = access.owner === true;
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  // Escape closes it and returns focus to Share; a press outside closes it (KB2).
  useDismiss(open, close, button, panel);
  const copyEdit = async () =>
    setNote((await writeClipboard(`${location.origin}${padPath(pad)}`)) ? 'Link copied' : 'Copy failed');

  return (
    <div className="share">
      <button
        ref={button}
        className="button"
        onClick={() => (setOpen(!open), setNote(''))}
        aria-expanded={open}
        data-testid="share-button"
      >
        Share
      </button>
      {open && (
        <div className="popover share-menu" role="dialog" aria-label="Share this pad" ref={panel}>
          <button className="button wide" onClick={copyEdit}>
            Copy edit link
          </button>
          {owner ? (
            <>
              <ReadOnlyLinkSection pad={pad} link={access.readOnly ?? null} onChanged={onChanged} say={setNote} />
              <PasswordSection pad={pad} isProtected={access.protected} onSet={onPasswordSet} say={setNote} />
              <ExpirySection pad={pad} expiresAt={access.expiresAt ?? null} onChanged={onChanged} say={setNote} />
              <OwnerLinkSection pad={pad} say={setNote} />
              <DeletePadSection pad={pad} onDeleted={onDeleted} say={setNote} />
            </>
          ) : (
            <>
              <p className="muted not-owner">
                {access.owned
                  ? "Only the pad's owner can change access."
                  : 'This pad has no owner, so nobody can change its access.'}
              </p>
              {access.owned === false && access.protected && (
                <ClaimSection pad={pad} onClaimed={onChanged} say={setNote} />
              )}
            </>
          )}
          {note && (
            <p className="note" role="status">
              {note}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
