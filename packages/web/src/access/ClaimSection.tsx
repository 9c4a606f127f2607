import { useState, type FormEvent } from 'react';
import { accessApi } from './api.js';
import { saveOwnerToken } from './owner-token.js';
import { useAction } from './use-action.js';

/**
 * A protected pad from before ownership has no owner; whoever knows its password may claim it
 * (the contract's rule). Unprotected pads with content stay ownerless, so nobody can lock others out.
 */
export function ClaimSection({
  pad,
  onClaimed,
  say,
}: {
  pad: string;
  onClaimed: () => void;
  say: (n: string) => void;
}) {
  const [password, setPassword] = useState('');
  const { busy, run } = useAction(say);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const { ownerToken } = await accessApi.claim(pad, password);
      saveOwnerToken(pad, ownerToken);
      onClaimed();
      return 'You own this pad now';
    });
  };
  return (
    <form className="share-section" onSubmit={submit} aria-label="Claim this pad">
      <h2>Claim this pad</h2>
      <p className="muted">It has no owner yet. Its password makes you the owner.</p>
      <div className="row">
        <input
          type="password"
          placeholder="Current password"
          aria-label="Current password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button className="button" disabled={busy || password.length === 0}>
          Claim
        </button>
      </div>
    </form>
  );
}
