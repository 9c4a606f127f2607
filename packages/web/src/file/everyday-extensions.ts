import { Compartment, Facet, type Extension } from '@codemirror/state';
import { ViewPlugin } from '@codemirror/view';
import { findAndReplace } from '../pad/find.js';
import { editorColours } from '../theme/editor-colours.js';
import { fileDrop } from './drop.js';

/** The counts bar loads after the editor is up: the first paint of a pad does not wait for it. */
const countsSlot = new Compartment();
const loadCounts = ViewPlugin.define((view) => {
  let live = true;
  void import('../pad/counts-panel.js').then(
    (m) => live && view.dispatch({ effects: countsSlot.reconfigure(m.countsBar()) }),
    () => undefined, // offline before it was cached: the pad works without counts
  );
  return { destroy: () => void (live = false) };
});

/** The editor's undo manager (Y.UndoManager), so an import can be its own undo step. */
export interface UndoSteps {
  stopCapturing(): void;
}
export const undoSteps = Facet.define<UndoSteps, UndoSteps | null>({ combine: (v) => v[0] ?? null });

/** What the everyday-pad features add to the editor: find and go to line, counts, file drops, theme colours. */
export function everydayExtensions(undo: UndoSteps): Extension {
  return [findAndReplace(), countsSlot.of([]), loadCounts, fileDrop, editorColours, undoSteps.of(undo)];
}
