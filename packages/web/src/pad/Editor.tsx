import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { EditorState } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import * as Y from 'yjs';
import type { PadProvider } from './provider.js';

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '15px', backgroundColor: '#fff' },
  '.cm-scroller': { fontFamily: 'ui-monospace, "JetBrains Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace', lineHeight: '1.6' },
  '.cm-content': { padding: '16px 0', caretColor: '#1f2328' },
  '.cm-line': { padding: '0 24px 0 12px' },
  '.cm-gutters': { backgroundColor: '#fafbfc', color: '#8c959f', border: 'none', borderRight: '1px solid #eef0f2' },
  '.cm-activeLine': { backgroundColor: '#f6f8fa80' },
  '&.cm-focused': { outline: 'none' },
  '.cm-ySelectionInfo': { fontFamily: 'system-ui, sans-serif', fontSize: '11px', fontWeight: '600', padding: '1px 4px', borderRadius: '3px 3px 3px 0', opacity: '1', top: '-1.35em' },
});

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
          history(),
          drawSelection(),
          highlightActiveLine(),
          EditorView.lineWrapping,
          placeholder(readOnly ? 'This pad is empty.' : 'Start typing… everyone with this link sees it live.'),
          keymap.of([...yUndoManagerKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
          yCollab(ytext, provider.awareness, { undoManager }),
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(!readOnly),
          EditorView.contentAttributes.of({ 'aria-label': 'Pad text', spellcheck: 'false' }),
          theme,
        ],
      }),
    });
    if (!readOnly) view.focus();
    return () => {
      view.destroy();
      undoManager.destroy();
    };
  }, [provider, readOnly]);
  return <div className="editor" ref={host} />;
}
