import { useEffect, useState } from 'react';
import type { PadProvider, Status } from './provider.js';

const LABEL: Record<Status, string> = {
  connecting: 'Connecting…',
  saving: 'Saving…',
  saved: 'Saved',
  // The device has no network, as opposed to a server that does not answer (E8).
  offline: 'You’re offline',
  unreachable: 'Can’t reach the server',
  'too-large': 'Not saved: pad too large',
  failed: 'Unavailable',
};

/** What a phone's bar shows (SPEC PH4): one or two words; the full sentence stays for screen readers and the tooltip. */
const SHORT: Record<Status, string> = {
  connecting: 'Connecting…',
  saving: 'Saving…',
  saved: 'Saved',
  offline: 'Offline',
  unreachable: 'No server',
  'too-large': 'Too large',
  failed: 'Unavailable',
};

/** Shown after "offline" / "can't reach" when edits wait on this device. */
const KEPT = ' — changes kept on this device';

function useSnapshot(provider: PadProvider) {
  const [s, setS] = useState(provider.state);
  useEffect(() => provider.subscribe(setS), [provider]);
  return s;
}

/** Save state as the server confirms it: "Saved" only after a durable acknowledgement. */
export function StatusBadge({ provider }: { provider: PadProvider }) {
  const s = useSnapshot(provider);
  const [, tick] = useState(0);
  const waiting = s.status === 'offline' || s.status === 'unreachable';
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [waiting]);
  let text = LABEL[s.status];
  if (waiting && s.unsaved) text += KEPT;
  const retryIn = s.nextRetryAt ? Math.max(0, Math.ceil((s.nextRetryAt - Date.now()) / 1000)) : null;
  return (
    <div
      className={`status status-${s.status}`}
      role="status"
      aria-live="polite"
      data-status={s.status}
      title={s.detail || text}
    >
      <span className="dot" aria-hidden="true" />
      <span className="status-text">{text}</span>
      <span className="status-short" aria-hidden="true">
        {SHORT[s.status]}
      </span>
      {waiting && retryIn !== null && retryIn > 0 && (
        <button className="link" onClick={() => provider.reconnect()}>
          retry{retryIn > 1 ? ` (${retryIn}s)` : ''}
        </button>
      )}
      {s.status === 'failed' && s.detail && <span className="status-detail">: {s.detail}</span>}
    </div>
  );
}

/** Above the editor when the server refused the pad's size: what happened and how to resume (E2). */
export function SaveProblem({ provider }: { provider: PadProvider }) {
  const s = useSnapshot(provider);
  if (s.status !== 'too-large') return null;
  return (
    <div className="save-problem" role="alert">
      {s.detail}
    </div>
  );
}
