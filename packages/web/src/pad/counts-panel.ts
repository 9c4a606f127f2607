import type { Extension } from '@codemirror/state';
import { EditorView, showPanel, type Panel, type ViewUpdate } from '@codemirror/view';
import { tally, tallyDelta, tallyInSlices } from './counts.js';

/** Lines around a change counted on the keystroke itself; past this, a full count runs later. */
const INLINE_BUDGET = 64 * 1024;
/** A full count waits for this much quiet (a paste of a whole book, an import, a first sync). */
const RECOUNT_AFTER_MS = 300;

const number = new Intl.NumberFormat();
const plural = (n: number, one: string) => `${number.format(n)} ${one}${n === 1 ? '' : 's'}`;

/**
 * The status bar under the text: words, characters and lines (SPEC EF7). Lines and length are
 * free (CodeMirror keeps them); words are updated by the difference each change makes to the
 * lines it touches, and recounted in idle slices when a change is too large for that.
 */
class CountsBar implements Panel {
  readonly dom = document.createElement('div');
  private words = 0;
  private astral = 0;
  /** Bumped on every change, so a full count that the text overtook is thrown away. */
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stale = false;

  constructor(private view: EditorView) {
    this.dom.className = 'cm-counts';
    this.dom.setAttribute('data-testid', 'pad-counts');
    this.dom.setAttribute('aria-label', 'Pad counts');
    const doc = view.state.doc;
    if (doc.length <= INLINE_BUDGET) ({ words: this.words, astral: this.astral } = tally(doc.toString()));
    else this.scheduleRecount();
    this.render();
  }

  update(u: ViewUpdate) {
    if (!u.docChanged) return;
    this.generation++;
    const d = this.stale ? null : tallyDelta(u.startState.doc, u.state.doc, u.changes, INLINE_BUDGET);
    if (d) {
      this.words += d.words;
      this.astral += d.astral;
    } else this.scheduleRecount();
    this.render();
  }

  private scheduleRecount() {
    this.stale = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      const gen = this.generation;
      void tallyInSlices(this.view.state.doc, () => gen !== this.generation).then((t) => {
        if (!t) return this.scheduleRecount();
        ({ words: this.words, astral: this.astral } = t);
        this.stale = false;
        this.render();
      });
    }, RECOUNT_AFTER_MS);
  }

  private render() {
    const doc = this.view.state.doc;
    const words = this.stale ? 'counting words…' : plural(this.words, 'word');
    const chars = this.stale ? number.format(doc.length) : number.format(doc.length - this.astral);
    this.dom.textContent = `${words} · ${chars} characters · ${plural(doc.lines, 'line')}`;
  }

  destroy() {
    if (this.timer) clearTimeout(this.timer);
    this.generation++;
  }
}

const countsTheme = EditorView.theme({
  '.cm-counts': {
    padding: '2px 12px',
    font: '12px system-ui, sans-serif',
    color: 'var(--muted)',
    background: 'var(--bar)',
    borderTop: '1px solid var(--line)',
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  },
});

/** The counts bar as one editor extension. */
export function countsBar(): Extension {
  return [showPanel.of((view) => new CountsBar(view)), countsTheme];
}
