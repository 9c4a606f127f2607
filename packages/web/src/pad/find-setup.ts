import { findNext, findPrevious, gotoLine, openSearchPanel, search, searchKeymap } from '@codemirror/search';
import type { Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';

/** The commands pad/find.ts's stub bindings run once this has loaded. */
export const commands = { openSearchPanel, gotoLine, findNext, findPrevious };

/** On a phone the panel's fields take the whole width and its buttons wrap, instead of overflowing. */
const phoneFriendlyPanel = EditorView.theme({
  '.cm-panel.cm-search': { padding: '6px 28px 6px 8px', fontSize: '14px' },
  '.cm-panel.cm-search input, .cm-panel.cm-search button, .cm-panel.cm-search label': { margin: '2px' },
  '.cm-textfield': {
    background: 'var(--bg)',
    color: 'var(--fg)',
    border: '1px solid var(--border)',
    borderRadius: '4px',
    padding: '3px 6px',
  },
  '.cm-panel button.cm-button': { backgroundImage: 'none', background: 'var(--surface)', color: 'var(--fg)' },
  '@media (max-width: 640px)': {
    '.cm-panel.cm-search input.cm-textfield': { width: 'calc(100% - 8px)', fontSize: '16px' },
    '.cm-panel.cm-search button.cm-button': { padding: '6px 10px' },
  },
});

/** Loaded on first use by pad/find.ts into its slot: the panel at the top, its keys, the phone layout. */
export const searchSetup: Extension = [
  search({ top: true }),
  // Go to line on Ctrl-G too on a Mac (Cmd-Alt-G is the usual elsewhere; Ctrl-G is find-next there).
  keymap.of([...searchKeymap, { mac: 'Ctrl-g', run: gotoLine, preventDefault: true }]),
  phoneFriendlyPanel,
];
