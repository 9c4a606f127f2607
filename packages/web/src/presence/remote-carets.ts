import type { PresenceUser } from '@padmesh/protocol';
import { RangeSet, type Extension, type Range } from '@codemirror/state';
import { Decoration, EditorView, ViewPlugin, WidgetType, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import { yRemoteSelectionsTheme } from 'y-codemirror.next';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { safeColor, tintClass } from './colors.js';

/** A peer's name label shows this long after they last moved or typed (then on hover), so labels don't hide the text. */
const LABEL_MS = 4_000;

/**
 * Others' carets (labelled with their names) and selections, and our own cursor published
 * to awareness. It replaces y-codemirror.next's yRemoteSelections, whose caret widget
 * compares only the colour, so a renamed collaborator kept their old label until reload.
 * The DOM and class names are the same (`cm-ySelectionCaret`, `cm-ySelectionInfo`), so the
 * library's base theme and our own styles apply unchanged.
 */
export function remoteCarets(ytext: Y.Text, awareness: Awareness): Extension {
  const plugin = ViewPlugin.define(
    (view) => {
      const lastActive = new Map<number, number>();
      let timer: ReturnType<typeof setTimeout> | null = null;
      // Every remote change (a peer moved, renamed or left) redraws; our own changes don't need to.
      const onChange = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
        const now = Date.now();
        for (const id of [...added, ...updated]) if (id !== awareness.clientID) lastActive.set(id, now);
        for (const id of removed) lastActive.delete(id);
        if ([...added, ...updated, ...removed].some((id) => id !== awareness.clientID)) view.dispatch({});
      };
      awareness.on('change', onChange);
      return {
        decorations: RangeSet.empty as DecorationSet,
        update(u: ViewUpdate) {
          publishOwnCursor(u, ytext, awareness);
          const now = Date.now();
          this.decorations = othersDecorations(
            u.view,
            ytext,
            awareness,
            (id) => now - (lastActive.get(id) ?? 0) < LABEL_MS,
          );
          // Redraw when the next label is due to fade.
          if (timer) clearTimeout(timer);
          const due = [...lastActive.values()].map((t) => t + LABEL_MS - now).filter((d) => d > 0);
          timer = due.length ? setTimeout(() => view.dispatch({}), Math.min(...due) + 20) : null;
        },
        destroy: () => {
          if (timer) clearTimeout(timer);
          awareness.off('change', onChange);
        },
      };
    },
    { decorations: (v) => v.decorations },
  );
  return [yRemoteSelectionsTheme, plugin];
}

interface Cursor {
  anchor: unknown;
  head: unknown;
}

/** Our selection as Yjs relative positions (they survive concurrent edits); kept while the editor is blurred. */
function publishOwnCursor(u: ViewUpdate, ytext: Y.Text, awareness: Awareness): void {
  const local = awareness.getLocalState();
  if (local === null) return;
  const focused = u.view.hasFocus && u.view.dom.ownerDocument.hasFocus();
  if (!focused) return;
  const sel = u.state.selection.main;
  const anchor = Y.createRelativePositionFromTypeIndex(ytext, sel.anchor);
  const head = Y.createRelativePositionFromTypeIndex(ytext, sel.head);
  const cur = local.cursor as Cursor | null | undefined;
  if (
    cur &&
    Y.compareRelativePositions(Y.createRelativePositionFromJSON(cur.anchor), anchor) &&
    Y.compareRelativePositions(Y.createRelativePositionFromJSON(cur.head), head)
  )
    return;
  awareness.setLocalStateField('cursor', { anchor, head });
}

function othersDecorations(
  view: EditorView,
  ytext: Y.Text,
  awareness: Awareness,
  isRecent: (id: number) => boolean,
): DecorationSet {
  const doc = view.state.doc;
  const out: Range<Decoration>[] = [];
  awareness.getStates().forEach((state, id) => {
    const cursor = state.cursor as Cursor | null | undefined;
    if (id === awareness.clientID || !cursor?.anchor || !cursor.head) return;
    const anchor = Y.createAbsolutePositionFromRelativePosition(
      Y.createRelativePositionFromJSON(cursor.anchor),
      ytext.doc!,
    );
    const head = Y.createAbsolutePositionFromRelativePosition(
      Y.createRelativePositionFromJSON(cursor.head),
      ytext.doc!,
    );
    // A position from a type we don't show, or past the end during a sync, is skipped rather than thrown on.
    if (
      !anchor ||
      !head ||
      anchor.type !== ytext ||
      head.type !== ytext ||
      Math.max(anchor.index, head.index) > doc.length
    )
      return;
    const user = (state.user ?? {}) as { [K in keyof PresenceUser]?: unknown }; // another client's input: check each field
    const color = safeColor(user.color);
    const name = typeof user.name === 'string' ? user.name : 'Anonymous';
    const from = Math.min(anchor.index, head.index);
    const to = Math.max(anchor.index, head.index);
    if (from < to) {
      // Marks may span lines; CodeMirror splits them per line itself. A class, not a style
      // attribute: a colour never becomes CSS text, and the CSP needs no 'unsafe-inline' (PR7).
      out.push(Decoration.mark({ class: `cm-ySelection ${tintClass(user.colorLight, color)}` }).range(from, to));
    }
    // The caret sits outside the selection, so our own caret next to it is not covered.
    out.push(
      Decoration.widget({
        side: head.index - anchor.index > 0 ? -1 : 1,
        widget: new Caret(color, name, isRecent(id)),
      }).range(head.index),
    );
  });
  return Decoration.set(out, true);
}

class Caret extends WidgetType {
  constructor(
    readonly color: string,
    readonly name: string,
    readonly recent: boolean,
  ) {
    super();
  }

  /** All fields: a rename must redraw the label (the bug this module exists for). */
  override eq(other: Caret): boolean {
    return other.color === this.color && other.name === this.name && other.recent === this.recent;
  }

  toDOM(): HTMLElement {
    const caret = document.createElement('span');
    caret.className = 'cm-ySelectionCaret';
    // CSSOM properties, never style text; `color` was checked (safeColor) when the caret was made.
    caret.style.backgroundColor = this.color;
    caret.style.borderColor = this.color;
    const dot = document.createElement('div');
    dot.className = 'cm-ySelectionCaretDot';
    const info = document.createElement('div');
    info.className = 'cm-ySelectionInfo';
    // Word joiners keep the inline caret from being a line-break opportunity.
    caret.append('\u2060', dot, '\u2060', info, '\u2060');
    this.fill(caret);
    return caret;
  }

  /** Same element, new name or activity: updating in place lets the label fade rather than blink. */
  override updateDOM(dom: HTMLElement, _view: EditorView, from: this): boolean {
    if (from.color !== this.color) return false;
    this.fill(dom);
    return true;
  }

  private fill(caret: HTMLElement): void {
    caret.classList.toggle('cm-yRecent', this.recent);
    caret.querySelector('.cm-ySelectionInfo')!.textContent = this.name; // text, never markup: names are other people's input
  }

  override ignoreEvent(): boolean {
    return true;
  }
}
