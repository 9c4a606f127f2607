import { useEffect, useState } from 'react';
import type { PadProvider, Status } from './provider.js';

const LABEL: Record<Status, string> = {
  connecting: 'Connecting…',
  saving: 'Saving…',
  saved: 'Saved',
  offline: 'Offline',
  failed: 'Unavailable',
};

/** Save state as the server confirms it: "Saved" only after a durable acknowledgement. */
export function StatusBadge({ provider }: { provider: PadProvider }) {
  const [s, setS] = useState(provider.state);
  const [, tick] = useState(0);
  useEffect(() => provider.subscribe(setS), [provider]);
  useEffect(() => {
    if (s.status !== 'offline') return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [s.status]);
  let text = LABEL[s.status];
  if (s.status === 'offline' && s.unsaved) text = 'Offline — changes kept on this device';
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
      {s.status === 'offline' && retryIn !== null && retryIn > 0 && (
        <button className="link" onClick={() => provider.reconnect()}>
          retry{retryIn > 1 ? ` (${retryIn}s)` : ''}
        </button>
      )}
      {s.status === 'failed' && s.detail && <span className="status-detail">: {s.detail}</span>}
    </div>
  );
}
