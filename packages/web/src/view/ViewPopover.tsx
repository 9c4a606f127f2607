import { useSyncExternalStore } from 'react';
import type * as Y from 'yjs';
import { LANGUAGES, parseMode, writeMode, type LanguageId, type ViewMode } from './mode.js';
import { devicePrefs, onDevicePrefs, setDevicePref } from './prefs.js';

const LANGUAGE_IDS = Object.keys(LANGUAGES) as LanguageId[];

/** The view menu's controls: the pad's shared mode (disabled on a read-only link, VM6) and this device's look (VM4). */
export function ViewPopover({ doc, mode, readOnly }: { doc: Y.Doc; mode: ViewMode; readOnly: boolean }) {
  const prefs = useSyncExternalStore(onDevicePrefs, devicePrefs);
  return (
    <div className="view-popover" role="dialog" aria-label="View">
      <label className="view-row">
        <span>Pad view, for everyone on it</span>
        <select
          autoFocus
          value={mode}
          disabled={readOnly}
          onChange={(e) => writeMode(doc, parseMode(e.target.value))}
          data-testid="view-mode-select"
        >
          <option value="plain">Plain text</option>
          <option value="markdown">Markdown preview</option>
          <optgroup label="Highlight code">
            {LANGUAGE_IDS.map((id) => (
              <option key={id} value={`code:${id}` satisfies ViewMode}>
                {LANGUAGES[id]}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
      {readOnly && <p className="note">Only people with the edit link can change the pad's view.</p>}
      <fieldset className="view-device">
        <legend>On this device</legend>
        <label>
          <input
            type="checkbox"
            autoFocus={readOnly}
            checked={prefs.monospace}
            onChange={(e) => setDevicePref('monospace', e.target.checked)}
            data-testid="view-monospace"
          />
          Monospace font
        </label>
        <label>
          <input
            type="checkbox"
            checked={prefs.wrap}
            onChange={(e) => setDevicePref('wrap', e.target.checked)}
            data-testid="view-wrap"
          />
          Wrap long lines
        </label>
      </fieldset>
    </div>
  );
}
