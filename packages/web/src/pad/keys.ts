import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { keymap } from '@codemirror/view';

/**
 * The editing keys (line moves, indentation, comment toggles, selection by syntax, CodeMirror's
 * own history for the non-shared state). Loaded right after the editor shows, not with it:
 * @codemirror/commands pulls in @codemirror/language and Lezer, about 20 kB gzip that showing
 * the text and typing into it do not need (first-load budget, docs/dependencies.md). Until it
 * arrives, a few milliseconds, the browser's own editing handles keys.
 */
export const editingKeys = [history(), keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab])];
