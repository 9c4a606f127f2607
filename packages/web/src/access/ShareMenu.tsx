import { useState, type FormEvent } from 'react';
import { accessApi } from './api.js';

/** Copy links, make a read-only link, set or remove the pad's password. */
export function ShareMenu({
  pad,
  isProtected,
  onChange,
}: {
  pad: string;
  isProtected: boolean;
  onChange: (p: boolean) => void;
}) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [password, setPassword] = useState('');
  const [current, setCurrent] = useState('');

  const copy = async (url: string, what: string) => {
    try {
      await navigator.clipboard.writeText(url);
      setNote(`${what} copied`);
    } catch {
      setNote(url);
    }
  };
  const readOnly = async () => {
    try {
      const { url } = await accessApi.readOnlyLink(pad);
      await copy(new URL(url, location.href).href, 'Read-only link');
    } catch (err) {
      setNote((err as Error).message);
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const r = await accessApi.setPassword(pad, password, isProtected ? current : undefined);
      onChange(r.protected);
      setNote(r.protected ? 'Password set' : 'Password removed');
      setPassword('');
      setCurrent('');
    } catch (err) {
      setNote((err as Error).message);
    }
  };

  return (
    <div className="share">
      <button className="button" onClick={() => (setOpen(!open), setNote(''))} aria-expanded={open}>
        Share
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label="Share this pad">
          <button className="button wide" onClick={() => copy(location.href.split('/history')[0]!, 'Link')}>
            Copy edit link
          </button>
          <button className="button wide" onClick={readOnly}>
            Copy read-only link
          </button>
          <form onSubmit={submit} className="password-form">
            <label>{isProtected ? 'Change or remove password' : 'Protect with a password'}</label>
            {isProtected && (
              <input
                type="password"
                placeholder="Current password"
                value={current}
                onChange={(e) => setCurrent(e.target.value)}
              />
            )}
            <input
              type="password"
              placeholder={isProtected ? 'New password (empty removes it)' : 'New password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <button className="button wide">{isProtected ? 'Update' : 'Set password'}</button>
          </form>
          {note && (
            <p className="note" role="status">
              {note}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
