import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import * as Y from 'yjs';
import { authorship } from '../authorship/extension.js';
import { everydayExtensions } from '../file/everyday-extensions.js';
import { remoteCarets } from '../presence/remote-carets.js';
import { viewModes } from '../view/editor-extension.js';
import type { PadProvider } from './provider.js';

/**
 * The style nonce of this page's CSP (SPEC PR7): CodeMirror's themes are one `<style>` element,
 * which a policy without 'unsafe-inline' allows only with it. Read through `.nonce` (browsers
 * hide the attribute's value); under the Vite dev server, which sends no CSP, it is harmless.
 */
const styleNonce = document.querySelector<HTMLMetaElement>('meta[name="padmesh-style-nonce"]')?.nonce ?? '';

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '15px', backgroundColor: 'var(--bg)', color: 'var(--fg)' },
  '.cm-scroller': {
    fontFamily: 'ui-monospace, "JetBrains Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
    lineHeight: '1.6',
  },
  '.cm-content': { padding: '16px 0', caretColor: 'var(--fg)' },
  '.cm-line': { padding: '0 24px 0 12px' },
  '.cm-gutters': {
    backgroundColor: 'var(--bar)',
    color: 'var(--muted)',
    border: 'none',
    borderRight: '1px solid var(--line)',
  },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--hover) 50%, transparent)' },
  '&.cm-focused': { outline: 'none' },
  // Labels show while their author is active (remote-carets.ts adds cm-yRecent), then fade; hover shows them again.
  '.cm-ySelectionInfo': {
    fontFamily: 'system-ui, sans-serif',
    fontSize: '11px',
    fontWeight: '600',
    padding: '1px 4px',
    borderRadius: '3px 3px 3px 0',
    top: '-1.35em',
    transition: 'opacity .4s ease-in-out',
  },
  '.cm-ySelectionCaret.cm-yRecent > .cm-ySelectionInfo': { opacity: '1' },
});

/** Filled with the editing keys (keys.ts) once they load. */
const keys = new Compartment();

/** The pad's text, bound to the shared Y.Text; remote cursors and selections come from awareness. */
export function Editor({ provider, readOnly }: { provider: PadProvider; readOnly: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const ytext = provider.doc.getText('content');
    const undoManager = new Y.UndoManager(ytext);
    const view = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: ytext.toString(),
        extensions: [
          lineNumbers(),
          drawSelection(),
          highlightActiveLine(),
          viewModes(provider.doc), // shared view mode and this device's wrap/font (view/)
          placeholder(readOnly ? 'This pad is empty.' : 'Start typing… everyone with this link sees it live.'),
          keymap.of(yUndoManagerKeymap), // before the editing keys: Mod-z undoes shared edits (Y.UndoManager)
          keys.of([]),
          // Text sync and undo from y-codemirror.next; carets from our own plugin (no awareness
          // here, so the library's caret widget, which misses renames, stays out).
          yCollab(ytext, null, { undoManager }),
          remoteCarets(ytext, provider.awareness),
          authorship(ytext, provider.awareness),
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(!readOnly),
          EditorView.contentAttributes.of({ 'aria-label': 'Pad text', spellcheck: 'false' }),
          theme,
          everydayExtensions(undoManager),
          ...(styleNonce ? [EditorView.cspNonce.of(styleNonce)] : []),
        ],
      }),
    });
    if (!readOnly) view.focus();
    let gone = false;
    void import('./keys.js').then(
      (m) => gone || view.dispatch({ effects: keys.reconfigure(m.editingKeys) }),
      () => {}, // offline before the service worker cached it: the browser's own editing keys still work
    );
    return () => {
      gone = true;
      view.destroy();
      undoManager.destroy();
    };
  }, [provider, readOnly]);
  return <div className="editor" ref={host} />;
}
