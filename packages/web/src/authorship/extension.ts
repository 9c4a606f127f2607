import type { Extension } from '@codemirror/state';
import { Decoration, ViewPlugin, type DecorationSet, type EditorView, type ViewUpdate } from '@codemirror/view';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { parseRoute } from '../route.js';
import type { AuthorColours } from './colouring.js';
import { authorshipSetting } from './setting.js';

/**
 * Live authorship colours in the editor (AU1): this part only follows the setting; the
 * colouring itself (colouring.ts and what it uses) loads on first use, so a plain pad's
 * first load does not carry it.
 */
export function authorship(ytext: Y.Text, awareness: Awareness): Extension {
  return ViewPlugin.define((view) => new Switch(view, ytext, awareness), { decorations: (s) => s.decorations });
}

class Switch {
  decorations: DecorationSet = Decoration.none;
  private engine: AuthorColours | null = null;
  /** Bumped on every switch, so a load that finishes after the next switch is dropped. */
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly view: EditorView,
    private readonly ytext: Y.Text,
    private readonly awareness: Awareness,
  ) {
    this.unsubscribe = authorshipSetting.subscribe((on) => this.turn(on));
    this.turn(authorshipSetting.get());
  }

  update(u: ViewUpdate): void {
    this.decorations = this.engine ? this.engine.update(u) : Decoration.none;
  }

  destroy(): void {
    this.generation++;
    this.unsubscribe();
    this.engine?.destroy();
  }

  private turn(on: boolean): void {
    const generation = ++this.generation;
    const had = this.engine !== null;
    this.engine?.destroy();
    this.engine = null;
    if (had) this.view.dispatch({}); // repaint without the colours
    if (!on) return;
    const route = parseRoute(location.pathname);
    import('./colouring.js').then(
      ({ AuthorColours }) => {
        if (generation !== this.generation) return;
        this.engine = new AuthorColours(this.view, this.ytext, this.awareness, route.kind === 'pad' ? route.pad : null);
        this.view.dispatch({});
      },
      () => {}, // not loadable (offline before it was cached): the text just stays uncoloured
    );
  }
}
