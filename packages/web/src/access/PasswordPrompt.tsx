import { useState, type FormEvent } from 'react';
import { accessApi } from './api.js';

/** Shown instead of the editor when a pad is protected and this browser has not unlocked it. */
export function PasswordPrompt({ pad, onUnlocked }: { pad: string; onUnlocked: () => void }) {
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
    <div className="center-card">
      <form className="card" onSubmit={submit}>
        <h1>This pad is protected</h1>
        <p>
          Enter the password for <strong>{pad}</strong> to read and edit it.
        </p>
        <input
          type="password"
          autoFocus
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
