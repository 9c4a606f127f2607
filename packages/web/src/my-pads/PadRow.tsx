import { useRef, useState, type KeyboardEvent } from 'react';
import { deleteOwnedPad, forgetPad, type DeletePad } from './actions.js';
import { openedAgo, type Entry } from './entry.js';

type Confirm = 'forget' | 'delete' | null;

/**
 * One pad: a link that opens it, when it was opened, a snippet, and Forget (and Delete for
 * pads this browser owns), each behind a confirmation that names the pad. Escape in the
 * confirmation cancels it rather than closing the whole dialog.
 */
export function PadRow({
  entry,
  owned,
  current,
  now,
  deletePad,
  onGone,
  onOpenCurrent,
}: {
  entry: Entry;
  owned: boolean;
  /** The pad open in this tab: no Forget (its cache is in use); opening it just closes the dialog. */
  current: boolean;
  now: number;
  deletePad: DeletePad;
  onGone: (key: string) => void;
  onOpenCurrent?: () => void;
}) {
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const { title } = entry;
  const forgetButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  /** Closes the confirmation and puts focus back on the button that opened it (keyboard users stay in place). */
  const cancel = () => {
    (confirm === 'delete' ? deleteButton : forgetButton).current?.focus();
    setConfirm(null);
  };

  const act = async () => {
    setBusy(true);
    setProblem('');
    const why =
      confirm === 'delete' && entry.pad
        ? await deleteOwnedPad(deletePad, entry.key, entry.pad)
        : await forgetPad(entry.key);
    setBusy(false);
    if (why) return setProblem(why);
    setConfirm(null);
    onGone(entry.key);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    e.stopPropagation();
    cancel();
  };

  return (
    <li className="mp-row" data-testid="my-pads-row" data-key={entry.key} data-owned={owned}>
      <a
        className="mp-open"
        href={entry.path}
        aria-current={current ? 'page' : undefined}
        onClick={(e) => current && onOpenCurrent && (e.preventDefault(), onOpenCurrent())}
      >
        <span className="mp-title">
          <span className="mp-title-text">{title}</span>
          {owned && <span className="mp-tag mp-owned">Owner</span>}
          {entry.pad === null && <span className="mp-tag">Read-only</span>}
          {current && <span className="mp-tag">Open here</span>}
        </span>
        <span className="mp-meta">
          {entry.pad !== null && title !== entry.pad && <span className="mp-id">/{entry.pad} · </span>}
          opened{' '}
          <time dateTime={new Date(entry.openedAt).toISOString()} title={new Date(entry.openedAt).toLocaleString()}>
            {openedAgo(entry.openedAt, now)}
          </time>
        </span>
        {entry.preview && <span className="mp-snippet">{entry.preview}</span>}
      </a>
      <div className="mp-actions">
        {!current && (
          <button
            className="button"
            ref={forgetButton}
            data-testid="my-pads-forget"
            aria-label={`Forget ${title}`}
            aria-expanded={confirm === 'forget'}
            onClick={() => (setConfirm(confirm === 'forget' ? null : 'forget'), setProblem(''))}
          >
            Forget
          </button>
        )}
        {owned && entry.pad !== null && (
          <button
            className="button danger"
            ref={deleteButton}
            data-testid="my-pads-delete"
            aria-label={`Delete ${title} for everyone`}
            aria-expanded={confirm === 'delete'}
            onClick={() => (setConfirm(confirm === 'delete' ? null : 'delete'), setProblem(''))}
          >
            Delete
          </button>
        )}
      </div>
      {confirm && (
        <div
          className="mp-confirm"
          role="alertdialog"
          aria-label={confirm === 'delete' ? `Delete ${title}?` : `Forget ${title}?`}
          data-testid="my-pads-confirm"
          onKeyDown={onKeyDown}
        >
          <p>
            {confirm === 'delete' ? (
              <>
                Delete <strong>{title}</strong> for everyone? Its text and history are removed from the server, open
                tabs close it, and it cannot be undone.
              </>
            ) : (
              <>
                Forget <strong>{title}</strong> on this device? It leaves this list and its copy kept here for offline
                use is deleted. The pad stays on the server: its link still opens it
                {owned ? ', and you stay its owner' : ''}.
              </>
            )}
          </p>
          {problem && (
            <p className="error" role="alert">
              {problem}
            </p>
          )}
          <div className="mp-confirm-buttons">
            <button
              className={`button ${confirm === 'delete' ? 'danger' : ''}`}
              disabled={busy}
              autoFocus
              onClick={() => void act()}
            >
              {confirm === 'delete' ? 'Delete for everyone' : 'Forget'}
            </button>
            <button className="button" disabled={busy} onClick={cancel}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </li>
  );
}
