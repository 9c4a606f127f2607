import { EditorView } from '@codemirror/view';
import { useEffect, useRef, useState, type RefObject } from 'react';
import type * as Y from 'yjs';
import { openFind, openGotoLine } from '../pad/find.js';
import type { ExportFormat } from './export-formats.js';
import { onNotice, type Notice } from './notice.js';
import { installPrintView } from './print-view.js';
import { FileMenuItems } from './FileMenuItems.js';

/** The pad's editor, if one is showing (a version view has none). */
const editorView = () => {
  const dom = document.querySelector<HTMLElement>('.main .cm-editor');
  return dom ? EditorView.findFromDOM(dom) : null;
};

export interface FileMenuProps {
  doc: Y.Doc;
  name: string;
  readOnly: boolean;
}

/**
 * Everything of the File menu but its button (file/FileMenu.tsx): the items, the file input,
 * the notices (from the menu or a drop) and the print view. Escape closes the menu or notice.
 */
export function FileMenuBody({
  doc,
  name,
  readOnly,
  open,
  setOpen,
  button,
}: FileMenuProps & { open: boolean; setOpen: (open: boolean) => void; button: RefObject<HTMLButtonElement | null> }) {
  const [notice, setNotice] = useState<Notice | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const text = () => doc.getText('content').toString();

  useEffect(() => installPrintView(text), [doc]);
  useEffect(() => onNotice(setNotice), []);
  useEffect(() => {
    if (!open && !notice) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      if (open) button.current?.focus();
      setOpen(false);
      setNotice(null);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open, notice]);

  const run = (action: () => void) => () => {
    setOpen(false);
    action();
  };
  const save = (format: ExportFormat) =>
    run(() => void import('./export-formats.js').then((m) => m.download(m.exportFile(name, text(), format))));
  const withView = (f: (v: EditorView) => void) =>
    run(() => {
      const v = editorView();
      if (v) f(v);
      else setNotice({ kind: 'error', text: 'Close the version you are viewing first.' });
    });
  const picked = () => {
    const file = input.current?.files?.[0];
    if (input.current) input.current.value = ''; // the same file can be picked again
    const v = editorView();
    if (file && v) void import('./import-file.js').then((m) => m.importFile(v, file));
  };

  return (
    <>
      {open && (
        <FileMenuItems
          readOnly={readOnly}
          save={save}
          print={run(() => print())}
          pick={run(() => input.current?.click())}
          find={withView(openFind)}
          gotoLine={withView(openGotoLine)}
        />
      )}
      <input
        ref={input}
        type="file"
        hidden
        accept=".txt,.md,.markdown,text/plain,text/markdown"
        data-testid="import-input"
        aria-label="Open a .txt or .md file"
        onChange={picked}
      />
      {notice && (
        <div className={`file-notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <span>{notice.text}</span>
          <button className="link" aria-label="Dismiss" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      )}
    </>
  );
}
