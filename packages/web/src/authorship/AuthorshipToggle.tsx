import { useSyncExternalStore } from 'react';
import { authorshipSetting } from './setting.js';

/** The top bar's switch for live authorship colours (AU1): a toggle button, off by default. */
export function AuthorshipToggle() {
  const on = useSyncExternalStore(authorshipSetting.subscribe, authorshipSetting.get);
  return (
    <button
      type="button"
      className={`button ${on ? 'on' : ''}`}
      aria-pressed={on}
      title="Colour the text by who wrote it"
      data-testid="authorship-toggle"
      onClick={() => authorshipSetting.set(!on)}
    >
      Authors
    </button>
  );
}
