import { safeColor } from '../presence/colors.js';
import { useEffect, useState, type FormEvent } from 'react';
import type { VersionMeta, VersionReason } from '@padmesh/protocol';
import { historyApi, when } from './api.js';

const REASON: Record<VersionReason, string> = {
  idle: 'after a pause',
  interval: 'while editing',
  request: 'saved',
  restore: 'restore',
  close: 'last edit',
};

/** The list of a pad's versions, newest first, and a form to save one now. */
export function HistoryPanel({
  pad,
  selected,
  onSelect,
  refreshKey,
}: {
  pad: string;
  selected: string | null;
  onSelect: (id: string) => void;
  refreshKey: number;
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
    <aside className="history-panel" aria-label="Versions">
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
      {error && <p className="error">{error}</p>}
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
                {v.authors.map((a) => (
                  <span
                    key={`${a.name}${a.color}`}
                    className="author-dot"
                    style={{ background: safeColor(a.color) }}
                    title={a.name}
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
