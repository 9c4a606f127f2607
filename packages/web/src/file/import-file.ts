import type { EditorView } from '@codemirror/view';
import { undoSteps } from './everyday-extensions.js';
import { minimalChanges } from './minimal-diff.js';
import { notify } from './notice.js';

/**
 * The most characters a pad may hold: the server's default MAX_PAD_CHARS. The page does not
 * learn a server's own setting, so on a server configured lower an import between the two is
 * refused by the server instead ("Not saved: pad too large").
 */
export const PAD_MAX_CHARS = 5_000_000;
/** UTF-8 takes at most 3 bytes per UTF-16 unit: a larger file cannot fit, and is refused unread. */
const MAX_FILE_BYTES = PAD_MAX_CHARS * 3;

const TEXT_NAME = /\.(txt|text|md|markdown)$/i;
const TEXT_TYPE = /^(text\/(plain|markdown|x-markdown)|)$/i;

const number = new Intl.NumberFormat();

/** The file's text, or why it cannot be imported (SPEC EF3, EF4). */
export async function readTextFile(file: File): Promise<{ text: string } | { error: string }> {
  const name = `“${file.name}”`;
  if (!TEXT_NAME.test(file.name) && !TEXT_TYPE.test(file.type) && !file.type.startsWith('text/'))
    return { error: `${name} is not a text file; only .txt and .md files can be opened.` };
  if (file.size > MAX_FILE_BYTES) return { error: tooLarge(name, `${number.format(file.size)} bytes`) };
  let text: string;
  try {
    // fatal: a file that is not UTF-8 (an image, a .docx) is refused, not imported as garbage.
    text = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer());
  } catch {
    return { error: `${name} is not a text file (it is not UTF-8 text); only .txt and .md files can be opened.` };
  }
  if (text.includes('\u0000')) return { error: `${name} is not a text file (it holds binary data).` };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark is not part of the text
  if (text.length > PAD_MAX_CHARS) return { error: tooLarge(name, `${number.format(text.length)} characters`) };
  return { text };
}

const tooLarge = (name: string, size: string) =>
  `${name} is too large to import (${size}); a pad holds at most ${number.format(PAD_MAX_CHARS)} characters. The pad was not changed.`;

/**
 * Replaces the pad's text with the file's as one editor transaction: y-codemirror turns it into
 * one Yjs transaction (one undo step, one update on the wire), and since it is the minimal
 * difference, others' concurrent edits outside the changed lines are kept.
 */
export async function importFile(view: EditorView, file: File): Promise<boolean> {
  if (view.state.readOnly) {
    notify({ kind: 'error', text: 'This pad is read-only here; nothing was imported.' });
    return false;
  }
  const read = await readTextFile(file);
  if ('error' in read) {
    notify({ kind: 'error', text: read.error });
    return false;
  }
  const changes = minimalChanges(view.state.doc.toString(), read.text);
  // Its own undo step: typing just before or after is not merged into it (Y.UndoManager
  // merges changes less than half a second apart), so one undo takes back exactly the import.
  const undo = view.state.facet(undoSteps);
  undo?.stopCapturing();
  view.dispatch({ changes, userEvent: 'input.import', scrollIntoView: true });
  undo?.stopCapturing();
  notify({ kind: 'info', text: `Imported “${file.name}”${changes.length ? '' : ' (no changes)'}. Undo reverts it.` });
  return true;
}
