import { useEffect, useMemo, useRef, useState } from 'react';
import { ownerToken } from '../access/owner-token.js';
import { listVisits } from '../offline/pad-index.js';
import type { DeletePad } from './actions.js';
import { search, toEntry, type Entry } from './entry.js';
import { PadRow } from './PadRow.js';
import './my-pads.css';

/**
 * The pads opened on this device, newest first, read from the device alone (offline too):
 * the index in offline/pad-index.ts, and this browser's owner tokens for the "Owner" mark.
 */
export function PadList({
  deletePad,
  current,
  onOpenCurrent,
}: {
  deletePad: DeletePad;
  current?: string;
  onOpenCurrent?: () => void;
}) {
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [query, setQuery] = useState('');
  const searchBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    let live = true;
    listVisits().then(
      (v) => live && setEntries(v.map(toEntry)),
      () => live && setEntries([]),
    );
    searchBox.current?.focus();
    return () => {
      live = false;
    };
  }, []);
  const shown = useMemo(() => search(entries ?? [], query), [entries, query]);
  const now = Date.now();
  const gone = (key: string) => {
    setEntries((list) => list?.filter((e) => e.key !== key) ?? null);
    searchBox.current?.focus(); // the focused row is gone; keep focus inside the list
  };

  return (
    <div className="mp-list">
      <input
        ref={searchBox}
        className="mp-search"
        type="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        placeholder="Search by name or text"
        aria-label="Search my pads"
        aria-controls="mp-results"
        data-testid="my-pads-search"
      />
      <p className="mp-count" role="status">
        {entries === null
          ? 'Loading…'
          : query
            ? `${shown.length} of ${entries.length} ${entries.length === 1 ? 'pad' : 'pads'}`
            : `${entries.length} ${entries.length === 1 ? 'pad' : 'pads'} on this device`}
      </p>
      {entries?.length === 0 && (
        <p className="mp-empty">Pads you open in this browser appear here, with their first line, even offline.</p>
      )}
      {entries && entries.length > 0 && shown.length === 0 && <p className="mp-empty">No pad matches “{query}”.</p>}
      <ul id="mp-results" className="mp-results" aria-label="My pads" data-testid="my-pads-list">
        {shown.map((e) => (
          <PadRow
            key={e.key}
            entry={e}
            owned={e.pad !== null && ownerToken(e.pad) !== null}
            current={e.key === current}
            now={now}
            deletePad={deletePad}
            onGone={gone}
            onOpenCurrent={onOpenCurrent}
          />
        ))}
      </ul>
    </div>
  );
}
