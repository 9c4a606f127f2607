import { useEffect, useRef } from 'react';
import { MY_PADS_PATH } from '../route.js';
import type { DeletePad } from './actions.js';
import { PadList } from './PadList.js';

/**
 * "My pads" over the pad page, as a modal `<dialog>`: the browser keeps focus inside it,
 * Escape closes it (the `cancel` event) and focus returns to the button that opened it.
 */
export function MyPadsDialog({
  current,
  deletePad,
  onClose,
}: {
  current: string;
  deletePad: DeletePad;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current!;
    if (!d.open) d.showModal();
    // showModal focuses the dialog's first control; the search box is where to start.
    d.querySelector<HTMLInputElement>('.mp-search')?.focus();
    return () => d.close();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="mp-dialog"
      aria-labelledby="mp-dialog-title"
      data-testid="my-pads-dialog"
      onClose={onClose}
      // A click on the backdrop (outside the box) closes it too.
      onClick={(e) => e.target === dialog.current && onClose()}
    >
      <div className="mp-dialog-box">
        <header className="mp-head">
          <h2 id="mp-dialog-title">My pads</h2>
          <a className="mp-page-link" href={MY_PADS_PATH}>
            Open as a page
          </a>
          <button className="button" onClick={onClose} aria-label="Close my pads" data-testid="my-pads-close">
            Close
          </button>
        </header>
        <PadList current={current} deletePad={deletePad} onOpenCurrent={onClose} />
      </div>
    </dialog>
  );
}
