import { EditorView } from '@codemirror/view';

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');

/**
 * A file dropped on the editor replaces the pad's text as one merged edit (SPEC EF3), instead of
 * CodeMirror's default of inserting the file's contents at the drop point. Dragged text keeps
 * CodeMirror's own handling. The import code loads on first drop.
 */
export const fileDrop = EditorView.domEventHandlers({
  dragover(e) {
    if (!hasFiles(e)) return false;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    return true;
  },
  drop(e, view) {
    const file = e.dataTransfer?.files[0];
    if (!file) return false;
    e.preventDefault();
    void import('./import-file.js').then((m) => m.importFile(view, file));
    return true;
  },
});
