import type { Author } from '@padmesh/protocol';
import { RangeSetBuilder } from '@codemirror/state';
import { Decoration, type DecorationSet, type EditorView, type ViewUpdate } from '@codemirror/view';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { AuthorBook } from './author-book.js';
import { authorClass } from './author-class.js';
import { AuthorRuns, soleWriter, type TextDelta } from './runs.js';

/**
 * The lazily loaded part of live authorship colours (AU1, AU2): keeps the text's runs by
 * Yjs client in step with each change, and marks only the visible ranges, each run in the
 * colour of the person behind its client id. Text nobody can name stays unmarked.
 */
export class AuthorColours {
  decorations: DecorationSet = Decoration.none;
  private runs: AuthorRuns;
  private readonly book: AuthorBook;
  private readonly marks = new Map<string, Decoration>();
  private redrawQueued = false;
  private destroyed = false;

  constructor(
    private readonly view: EditorView,
    private readonly ytext: Y.Text,
    awareness: Awareness,
    pad: string | null,
  ) {
    this.runs = AuthorRuns.of(ytext);
    ytext.observe(this.onText);
    this.book = new AuthorBook(awareness, pad, () => this.redraw());
  }

  update(u: ViewUpdate): DecorationSet {
    // Until our text observer has seen this change (it may run after the one that updated
    // the editor), the old marks just move with the text; the redraw it queues repaints.
    if (this.redrawQueued || this.runs.length !== u.state.doc.length) {
      this.decorations = this.decorations.map(u.changes);
    } else this.decorations = this.build(u.view);
    return this.decorations;
  }

  destroy(): void {
    this.destroyed = true;
    this.ytext.unobserve(this.onText);
    this.book.destroy();
  }

  private onText = (event: Y.YTextEvent, tr: Y.Transaction) => {
    if (!this.runs.apply(event.delta as TextDelta, soleWriter(tr))) this.runs = AuthorRuns.of(this.ytext);
    this.redraw();
  };

  /** One repaint after the current update (a change may arrive while the editor is mid-update). */
  private redraw(): void {
    if (this.redrawQueued) return;
    this.redrawQueued = true;
    queueMicrotask(() => {
      this.redrawQueued = false;
      if (!this.destroyed) this.view.dispatch({});
    });
  }

  private build(view: EditorView): DecorationSet {
    const out = new RangeSetBuilder<Decoration>();
    let unknown = false;
    for (const { from, to } of view.visibleRanges) {
      for (const [f, t, client] of this.runs.segments(from, to)) {
        const author = this.book.authorOf(client);
        if (author) out.add(f, t, this.mark(author));
        else unknown = true;
      }
    }
    if (unknown) this.book.unknownSeen();
    return out.finish();
  }

  private mark(a: Author): Decoration {
    const key = `${a.color}\u0000${a.name}`;
    let m = this.marks.get(key);
    if (!m) {
      m = Decoration.mark({
        class: `cm-author ${authorClass(a.color)}`,
        attributes: { title: `Written by ${a.name}` },
      });
      this.marks.set(key, m);
    }
    return m;
  }
}
