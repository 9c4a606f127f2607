import { Compartment, type Extension } from '@codemirror/state';
import { EditorView, ViewPlugin } from '@codemirror/view';
import type * as Y from 'yjs';
import { languageOf, observeMode, readMode, type ViewMode } from './mode.js';
import { devicePrefs, onDevicePrefs, type DevicePrefs } from './prefs.js';

/** Wrapping and the font, from this device's preferences (VM4); the proportional font is a class (view.css). */
function deviceLook(prefs: DevicePrefs): Extension {
  return [
    prefs.wrap ? EditorView.lineWrapping : [],
    prefs.monospace ? [] : EditorView.editorAttributes.of({ class: 'pm-proportional' }),
  ];
}

/** The mode the editor shows, on its root element (`data-view-mode`): for styles and tests. */
const shownMode = (mode: ViewMode) => EditorView.editorAttributes.of({ 'data-view-mode': mode });

/**
 * What the shared mode adds to the editor. Highlighting and the Markdown preview are dynamic
 * imports, so a plain pad downloads none of them (first-load budget); once fetched, the
 * service worker keeps them for offline use.
 */
async function modeExtension(mode: ViewMode): Promise<Extension> {
  const language = languageOf(mode);
  if (language) return (await import('./languages/load.js')).loadLanguage(language);
  if (mode === 'markdown') return (await import('./markdown/preview.js')).markdownPreview();
  return [];
}

/**
 * The editor side of view modes: follows the pad's shared mode (VM1) and this device's
 * preferences (VM4) by reconfiguring two compartments. Replaces `EditorView.lineWrapping` in
 * the editor, since wrapping is now a preference.
 */
export function viewModes(doc: Y.Doc): Extension {
  const modePart = new Compartment();
  const devicePart = new Compartment();
  const follower = ViewPlugin.define((view) => {
    let shown: ViewMode = 'plain';
    let wanted: ViewMode = 'plain';
    let destroyed = false;
    const follow = async () => {
      const mode = readMode(doc);
      if (mode === wanted) return;
      wanted = mode;
      let ext: Extension = [];
      try {
        ext = await modeExtension(mode);
      } catch {
        // The code could not be fetched (offline before it was ever cached): stay as we are, try on the next change.
        if (wanted === mode) wanted = shown;
        return;
      }
      // A newer mode arrived while this one loaded: that one wins.
      if (destroyed || wanted !== mode) return;
      shown = mode;
      view.dispatch({ effects: modePart.reconfigure([ext, shownMode(mode)]) });
    };
    // Never dispatch inside another update (a Yjs observer may run within one): always a later task.
    const schedule = () => void Promise.resolve().then(follow);
    const stopMode = observeMode(doc, schedule);
    const stopPrefs = onDevicePrefs(() =>
      view.dispatch({ effects: devicePart.reconfigure(deviceLook(devicePrefs())) }),
    );
    schedule();
    return {
      destroy() {
        destroyed = true;
        stopMode();
        stopPrefs();
      },
    };
  });
  return [modePart.of(shownMode('plain')), devicePart.of(deviceLook(devicePrefs())), follower];
}
