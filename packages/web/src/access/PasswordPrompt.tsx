import { useState, type FormEvent } from 'react';
import { accessApi } from './api.js';

/**
 * Asks for the pad's password. Full page when a protected pad is opened; `overlay` when the
 * owner set a password while this tab was editing (close 4403): the pad stays mounted under
 * it, so the doc and its unsent edits are kept and arrive once the socket reconnects unlocked.
 */
export function PasswordPrompt({
  pad,
  onUnlocked,
  overlay = false,
}: {
  pad: string;
  onUnlocked: () => void;
  overlay?: boolean;
}) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await accessApi.unlock(pad, password);
      onUnlocked();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className={overlay ? 'lock-overlay' : 'center-card'}>
      <form className="card password-prompt" onSubmit={submit} aria-label="Unlock this pad">
        <h1>{overlay ? 'A password was just set on this pad' : 'This pad is protected'}</h1>
        <p>
          Enter the password for <strong>{pad}</strong> to {overlay ? 'keep editing' : 'read and edit it'}.
        </p>
        {overlay && (
          <p className="muted">Changes you make meanwhile stay on this device and are sent once you unlock.</p>
        )}
        <input
          type="password"
          autoFocus={!overlay}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-label="Password"
          placeholder="Password"
        />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button className="primary" disabled={busy || password.length === 0}>
          {busy ? 'Checking…' : 'Unlock'}
        </button>
      </form>
    </div>
  );
}
