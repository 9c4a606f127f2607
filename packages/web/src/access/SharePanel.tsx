import type { AccessStatus } from '@padmesh/protocol';
import { useState } from 'react';
import { writeClipboard } from '../pad/CopyLink.js';
import { padPath } from '../route.js';
import { ClaimSection } from './ClaimSection.js';
import { DeletePadSection } from './DeletePadSection.js';
import { ExpirySection } from './ExpirySection.js';
import { OwnerLinkSection } from './OwnerLinkSection.js';
import { PasswordSection } from './PasswordSection.js';
import { ReadOnlyLinkSection } from './ReadOnlyLinkSection.js';

export interface SharePanelProps {
  pad: string;
  access: AccessStatus;
  onChanged: () => void;
  onPasswordSet: (password: string) => Promise<void>;
  onDeleted: () => void;
}

/** The Share menu's body: loaded when Share is first pressed (first-load budget, docs/dependencies.md). */
export function SharePanel({ pad, access, onChanged, onPasswordSet, onDeleted }: SharePanelProps) {
  const [note, setNote] = useState('');
  const owner = access.owner === true;
  const copyEdit = async () =>
    setNote((await writeClipboard(`${location.origin}${padPath(pad)}`)) ? 'Link copied' : 'Copy failed');
  return (
    <div className="popover share-menu" role="dialog" aria-label="Share this pad">
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
          {access.owned === false && access.protected && <ClaimSection pad={pad} onClaimed={onChanged} say={setNote} />}
        </>
      )}
      {note && (
        <p className="note" role="status">
          {note}
        </p>
      )}
    </div>
  );
}
