import { safeColor } from '../presence/colors.js';
import { useEffect, useState, type FormEvent } from 'react';
import type { VersionMeta, VersionReason } from '@padmesh/protocol';
import { historyApi, when } from './api.js';
import './history.css';

const REASON: Record<VersionReason, string> = {
  idle: 'after a pause',
  interval: 'while editing',
  request: 'saved',
  restore: 'restore',
  close: 'last edit',
};

/**
 * The list of a pad's versions, newest first, and a form to save one now. A side panel on a
 * desktop, a bottom sheet on a phone (history.css, SPEC PH6); the list reloads whenever the
 * server announces a version, whoever recorded it (SPEC V7, PH5).
 */
export function HistoryPanel({
  pad,
  selected,
  onSelect,
  refreshKey,
  onVersions,
  onClose,
}: {
  pad: string;
  selected: string | null;
  onSelect: (id: string) => void;
  refreshKey: number;
  /** Subscribes to the server's version announcements; returns the unsubscribe. */
  onVersions: (fn: () => void) => () => void;
  onClose: () => void;
}) {
  const [versions, setVersions] = useState<VersionMeta[] | null>(null);
  const [error, setError] = useState('');
  const [name, setName] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    historyApi.list(pad).then(
      (v) => live && setVersions(v),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [pad, tick, refreshKey]);
  useEffect(() => onVersions(() => setTick((t) => t + 1)), [onVersions]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await historyApi.save(pad, name.trim());
      setName('');
      setTick((t) => t + 1);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <aside
      className="history-panel"
      aria-label="History"
      data-testid="history-panel"
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || e.defaultPrevented) return;
        e.preventDefault();
        onClose();
      }}
    >
      <div className="history-head">
        <h2>History</h2>
        <button
          className="button close-history"
          onClick={onClose}
          aria-label="Close history"
          data-testid="close-history"
        >
          <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
            <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
          </svg>
        </button>
      </div>
      <form className="save-version" onSubmit={save}>
        <input
          value={name}
          maxLength={100}
          placeholder="Version name (optional)"
          onChange={(e) => setName(e.target.value)}
          aria-label="Version name"
        />
        <button className="button">Save version</button>
      </form>
      {error && (
        <p className="error pad-x" role="alert">
          {error}
        </p>
      )}
      {versions === null && !error && <p className="muted pad-x">Loading…</p>}
      {versions?.length === 0 && <p className="muted pad-x">No versions yet. One is saved after a pause in editing.</p>}
      <ol className="versions">
        {versions?.map((v) => (
          <li key={v.id}>
            <button
              className={`version ${v.id === selected ? 'selected' : ''}`}
              onClick={() => onSelect(v.id)}
              data-version={v.id}
            >
              <span className="version-title">{v.name ?? when(v.createdAt)}</span>
              <span className="version-meta">
                {v.name ? `${when(v.createdAt)} · ` : ''}
                {REASON[v.reason]} · {v.size.toLocaleString()} chars
              </span>
              <span className="version-authors">
                {v.authors.length > 0 && <span className="sr-only">by {v.authors.map((a) => a.name).join(', ')}</span>}
                {v.authors.map((a) => (
                  <span
                    key={`${a.name}${a.color}`}
                    className="author-dot"
                    style={{ background: safeColor(a.color) }}
                    title={a.name}
                    aria-hidden="true"
                  />
                ))}
              </span>
            </button>
          </li>
        ))}
      </ol>
    </aside>
  );
}
