import { safeColor } from '../presence/colors.js';
import type { VersionDetail } from '@padmesh/protocol';
import { diffLines } from 'diff';
import { useEffect, useState } from 'react';
import type * as Y from 'yjs';
import { historyApi, NoSuchVersion, when } from './api.js';

type Mode = 'text' | 'authors' | 'diff';

/** One version, read-only: plain, coloured by author, or as a line diff against the current text. */
export function VersionView({
  pad,
  id,
  doc,
  onRestored,
  onClose,
}: {
  pad: string;
  id: string;
  doc: Y.Doc;
  onRestored: () => void;
  onClose: () => void;
}) {
  const [data, setData] = useState<VersionDetail | null>(null);
  const [error, setError] = useState('');
  const [missing, setMissing] = useState(false);
  const [mode, setMode] = useState<Mode>('diff');
  const [current, setCurrent] = useState(() => doc.getText('content').toString());
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setData(null);
    setError('');
    setMissing(false);
    historyApi
      .get(pad, id)
      .then(setData, (e: Error) => (e instanceof NoSuchVersion ? setMissing(true) : setError(e.message)));
  }, [pad, id]);
  useEffect(() => {
    const t = doc.getText('content');
    const update = () => setCurrent(t.toString());
    t.observe(update);
    return () => t.unobserve(update);
  }, [doc]);

  const restore = async () => {
    if (!data || !confirm('Replace the current text with this version? The current text stays in the history.')) return;
    setBusy(true);
    try {
      await historyApi.restore(pad, id);
      onRestored();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  // An id from a hand-edited or stale URL: a plain answer and the way back, never the API's wording.
  if (missing)
    return (
      <div className="version-view">
        <div className="center-card">
          <div className="card no-such-version">
            <h1>No such version</h1>
            <p>This pad has no version at that address.</p>
            <button className="button" onClick={onClose}>
              Back to pad
            </button>
          </div>
        </div>
      </div>
    );
  if (error)
    return (
      <div className="version-view">
        <p className="error pad-x">{error}</p>
      </div>
    );
  if (!data)
    return (
      <div className="version-view">
        <p className="muted pad-x">Loading version…</p>
      </div>
    );
  return (
    <div className="version-view">
      <div className="version-bar">
        <strong>{data.version.name ?? `Version of ${when(data.version.createdAt)}`}</strong>
        <div className="segmented" role="tablist">
          {(['diff', 'authors', 'text'] as Mode[]).map((m) => (
            <button
              key={m}
              role="tab"
              aria-selected={mode === m}
              className={mode === m ? 'on' : ''}
              onClick={() => setMode(m)}
            >
              {m === 'diff' ? 'Changes since' : m === 'authors' ? 'By author' : 'Text'}
            </button>
          ))}
        </div>
        <div className="spacer" />
        <button className="button" onClick={onClose}>
          Back to pad
        </button>
        <button className="primary small" onClick={restore} disabled={busy}>
          {busy ? 'Restoring…' : 'Restore this version'}
        </button>
      </div>
      <pre className="version-text" data-mode={mode}>
        {mode === 'text' && data.text}
        {mode === 'authors' &&
          data.spans.map((s) => (
            <span
              key={s.from}
              className="by-author"
              style={{
                background: s.author ? `${safeColor(s.author.color)}2e` : undefined,
                borderBottomColor: s.author ? safeColor(s.author.color) : undefined,
              }}
              title={s.author?.name ?? 'unknown author'}
            >
              {data.text.slice(s.from, s.to)}
            </span>
          ))}
        {mode === 'diff' &&
          diffLines(data.text, current).map((part, i) => (
            <span key={i} className={part.added ? 'line-added' : part.removed ? 'line-removed' : 'line-same'}>
              {part.value}
            </span>
          ))}
      </pre>
      {mode === 'diff' && (
        <p className="legend pad-x">
          <span className="line-removed">only in this version</span> <span className="line-added">added since</span>
        </p>
      )}
    </div>
  );
}
