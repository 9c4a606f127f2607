import { useState } from 'react';
import { accessApi } from './api.js';
import { useAction } from './use-action.js';

/** Owner only: delete the pad for everyone, after a confirmation that names it. */
export function DeletePadSection({
  pad,
  onDeleted,
  say,
}: {
  pad: string;
  onDeleted: () => void;
  say: (note: string) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const { busy, run } = useAction(say);
  return (
    <section className="share-section" aria-label="Delete pad">
      {confirming ? (
        <div className="confirm" role="alertdialog" aria-label={`Delete ${pad}?`}>
          <p>
            Delete <strong>{pad}</strong> for everyone? Its text and history are removed, open tabs close it, and it
            cannot be undone.
          </p>
          <div className="row">
            <button
              className="button danger"
              disabled={busy}
              onClick={() =>
                run(async () => {
                  await accessApi.deletePad(pad);
                  onDeleted();
                })
              }
            >
              Delete “{pad}”
            </button>
            <button className="button" disabled={busy} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button className="button danger wide" onClick={() => setConfirming(true)}>
          Delete pad…
        </button>
      )}
    </section>
  );
}
