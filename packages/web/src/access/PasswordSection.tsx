import { useState, type FormEvent } from 'react';
import { accessApi } from './api.js';
import { useAction } from './use-action.js';

/**
 * Owner only: set, change or remove the password. Setting one disconnects everyone who has not
 * unlocked with it; `onSet` unlocks this tab with it first, so the owner keeps editing.
 */
export function PasswordSection({
  pad,
  isProtected,
  onSet,
  say,
}: {
  pad: string;
  isProtected: boolean;
  onSet: (password: string) => Promise<void>;
  say: (note: string) => void;
}) {
  const [password, setPassword] = useState('');
  const { busy, run } = useAction(say);
  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await accessApi.setPassword(pad, password);
      await onSet(password);
      setPassword('');
      return isProtected ? 'Password changed' : 'Password set';
    });
  };
  const remove = () =>
    run(async () => {
      await accessApi.setPassword(pad, '');
      await onSet('');
      return 'Password removed';
    });
  return (
    <section className="share-section" aria-label="Password">
      <h2>Password {isProtected && <span className="badge">on</span>}</h2>
      <form onSubmit={save} className="row">
        <input
          type="password"
          placeholder={isProtected ? 'New password' : 'Set a password'}
          aria-label={isProtected ? 'New password' : 'Set a password'}
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button className="button" disabled={busy || password.length === 0}>
          {isProtected ? 'Change' : 'Set'}
        </button>
      </form>
      {isProtected && (
        <button className="button link-like" disabled={busy} onClick={remove}>
          Remove password
        </button>
      )}
    </section>
  );
}
