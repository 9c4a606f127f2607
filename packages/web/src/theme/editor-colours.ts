import { EditorView } from '@codemirror/view';

/**
 * CodeMirror's own colours (cursor, selection, search matches, panels, the go-to-line dialog)
 * from the page's CSS variables, so the editor follows light and dark with the rest of the
 * page (SPEC EF8) without a second theme to switch: the variables change, the rules do not.
 */
export const editorColours = EditorView.theme({
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--fg)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection':
    { backgroundColor: 'var(--selection)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--hover)', color: 'var(--fg)' },
  '.cm-searchMatch': {
    backgroundColor: 'color-mix(in srgb, var(--warn) 30%, transparent)',
    outline: '1px solid color-mix(in srgb, var(--warn) 60%, transparent)',
  },
  '.cm-searchMatch.cm-searchMatch-selected': { backgroundColor: 'color-mix(in srgb, var(--accent) 40%, transparent)' },
  '.cm-selectionMatch': { backgroundColor: 'color-mix(in srgb, var(--ok) 20%, transparent)' },
  // Under the top bar's popovers (z-index 10), which open over the find panel.
  '.cm-panels': { backgroundColor: 'var(--bar)', color: 'var(--fg)', zIndex: '5' },
  '.cm-panels.cm-panels-top': { borderBottom: '1px solid var(--line)' },
  '.cm-panels.cm-panels-bottom': { borderTop: '1px solid var(--line)' },
  '.cm-tooltip': { backgroundColor: 'var(--surface)', color: 'var(--fg)', border: '1px solid var(--line)' },
  '.cm-placeholder': { color: 'var(--muted)' },
});
