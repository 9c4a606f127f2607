import { writeClipboard } from '../pad/CopyLink.js';
import { ownerLink, ownerToken } from './owner-token.js';
import { useAction } from './use-action.js';

/** Owner only: hands ownership to another device (the token rides in the fragment, never sent to the server). */
export function OwnerLinkSection({ pad, say }: { pad: string; say: (note: string) => void }) {
  const { busy, run } = useAction(say);
  const token = ownerToken(pad);
  if (!token) return null;
  return (
    <section className="share-section" aria-label="Owner link">
      <h2>Owner link</h2>
      <p className="warning">
        Whoever has this link controls the pad: they can set its password, revoke links and delete it. Keep it to your
        own devices.
      </p>
      <button
        className="button wide"
        disabled={busy}
        onClick={() =>
          run(async () => ((await writeClipboard(ownerLink(pad, token))) ? 'Owner link copied' : 'Copy failed'))
        }
      >
        Copy owner link
      </button>
    </section>
  );
}
