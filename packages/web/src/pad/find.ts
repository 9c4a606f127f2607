import { Compartment, type Extension } from '@codemirror/state';
import { keymap, type Command, type EditorView } from '@codemirror/view';

/**
 * Find and replace, next/previous and go to line (SPEC EF5, EF6), from @codemirror/search.
 * The package loads on first use (about 9 kB gzip that a plain pad does not need on first load):
 * until then a few stub bindings load it and run the command that was asked for.
 */
const slot = new Compartment();
let loading: Promise<typeof import('./find-setup.js')> | null = null;

function load(view: EditorView) {
  loading ??= import('./find-setup.js');
  return loading.then((m) => {
    if (slot.get(view.state) !== m.searchSetup) view.dispatch({ effects: slot.reconfigure(m.searchSetup) });
    return m.commands;
  });
}

type Which = 'openSearchPanel' | 'gotoLine' | 'findNext' | 'findPrevious';
const later =
  (which: Which): Command =>
  (view) => {
    void load(view).then((s) => s[which](view));
    return true;
  };

/** Opens the find (and, when editable, replace) panel; for the menu, where there is no keyboard. */
export const openFind = (view: EditorView) => later('openSearchPanel')(view);
/** Asks for a line number and moves there. */
export const openGotoLine = (view: EditorView) => later('gotoLine')(view);

/** The editor extension: an empty slot the search package fills, and the bindings that fill it. */
export function findAndReplace(): Extension {
  return [
    slot.of([]),
    keymap.of([
      { key: 'Mod-f', run: later('openSearchPanel'), preventDefault: true },
      { key: 'Mod-Alt-g', run: later('gotoLine'), preventDefault: true },
      { mac: 'Ctrl-g', run: later('gotoLine'), preventDefault: true },
      { key: 'F3', run: later('findNext'), shift: later('findPrevious'), preventDefault: true },
      { key: 'Mod-g', run: later('findNext'), shift: later('findPrevious'), preventDefault: true },
    ]),
  ];
}
