import { EditorView } from '@codemirror/view';
import { Suspense, useEffect, useRef, useState } from 'react';
import type * as Y from 'yjs';
import { openFind, openGotoLine } from '../pad/find.js';
import type { ExportFormat } from './export-formats.js';
import { onNotice, type Notice } from './notice.js';
import { installPrintView } from './print-view.js';
import { lazyPart } from '../lazy-part.js';
import './file.css';

// The menu's items load when it first opens: a plain pad's first load carries only the button.
const FileMenuItems = lazyPart(() => import('./FileMenuItems.js').then((m) => m.FileMenuItems));

/** The pad's editor, if one is showing (a version view has none). */
const editorView = () => {
  const dom = document.querySelector<HTMLElement>('.main .cm-editor');
  return dom ? EditorView.findFromDOM(dom) : null;
};

/**
 * Download, print, import, find and go to line (SPEC EF1-EF6): one menu in the top bar, so a
 * phone without a keyboard reaches find and go to line too. Escape closes it.
 */
export function FileMenu({ doc, name, readOnly }: { doc: Y.Doc; name: string; readOnly: boolean }) {
  const [open, setOpen] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);
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
    <div className="file-menu">
      <button
        ref={button}
        className="button"
        data-testid="file-menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        File
      </button>
      {open && (
        <Suspense fallback={null}>
          <FileMenuItems
            readOnly={readOnly}
            save={save}
            print={run(() => print())}
            pick={run(() => input.current?.click())}
            find={withView(openFind)}
            gotoLine={withView(openGotoLine)}
          />
        </Suspense>
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
    </div>
  );
}
