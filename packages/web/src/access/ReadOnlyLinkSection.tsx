import type { ReadOnlyLinkReply } from '@padmesh/protocol';
import { writeClipboard } from '../pad/CopyLink.js';
import { accessApi } from './api.js';
import { useAction } from './use-action.js';

const absolute = (url: string) => new URL(url, location.href).href;

/** Owner only: make, copy, rotate (the old link stops at once) or revoke the read-only link. */
export function ReadOnlyLinkSection({
  pad,
  link,
  onChanged,
  say,
}: {
  pad: string;
  link: ReadOnlyLinkReply | null;
  onChanged: () => void;
  say: (note: string) => void;
}) {
  const { busy, run } = useAction(say);
  const copy = async (url: string, what: string) =>
    (await writeClipboard(absolute(url))) ? `${what} copied` : absolute(url);
  return (
    <section className="share-section" aria-label="Read-only link">
      <h2>Read-only link</h2>
      {link ? (
        <>
          <code className="link-preview" data-testid="read-only-url">
            {absolute(link.url)}
          </code>
          <div className="row">
            <button className="button" disabled={busy} onClick={() => run(() => copy(link.url, 'Read-only link'))}>
              Copy
            </button>
            <button
              className="button"
              disabled={busy}
              onClick={() =>
                run(async () => {
                  const next = await accessApi.rotateReadOnlyLink(pad);
                  onChanged();
                  return copy(next.url, 'New read-only link');
                })
              }
              title="Make a new link; the old one stops working at once"
            >
              New link
            </button>
            <button
              className="button danger"
              disabled={busy}
              onClick={() =>
                run(async () => {
                  await accessApi.revokeReadOnlyLink(pad);
                  onChanged();
                  return 'Read-only link revoked; viewers were disconnected';
                })
              }
            >
              Revoke
            </button>
          </div>
        </>
      ) : (
        <button
          className="button wide"
          disabled={busy}
          onClick={() =>
            run(async () => {
              const made = await accessApi.readOnlyLink(pad);
              onChanged();
              return copy(made.url, 'Read-only link');
            })
          }
        >
          Create read-only link
        </button>
      )}
    </section>
  );
}
