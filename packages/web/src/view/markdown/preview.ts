import { EditorState, type Extension } from '@codemirror/state';
import { ViewPlugin, type EditorView, type ViewUpdate } from '@codemirror/view';
import { renderMarkdown } from './render.js';

/** Typing re-renders after this pause; a big pad waits longer (markdown-it reads ~10 MB/s). */
const RENDER_DELAY_MS = 120;
const MAX_RENDER_DELAY_MS = 1_500;
const delayFor = (chars: number) => Math.min(MAX_RENDER_DELAY_MS, RENDER_DELAY_MS + chars / 10_000);
/**
 * The preview renders at most this much of the text: anyone may switch a 5 MB pad to Markdown,
 * and every reader would then re-render megabytes on each keystroke (design §5: bound work).
 */
export const MAX_PREVIEW_CHARS = 200_000;

/**
 * The Markdown preview (VM2): a pane beside the editor on a wide screen, and on a narrow one
 * (view.css, max-width 700px) the same pane toggled with the text by two buttons. It lives in
 * the editor's host element and goes when the mode changes (the plugin is destroyed).
 */
class Preview {
  private readonly host: HTMLElement;
  private readonly pane: HTMLElement;
  private readonly tabs: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly view: EditorView) {
    this.host = view.dom.parentElement!;
    this.pane = element('section', {
      class: 'pm-preview',
      'aria-label': 'Markdown preview',
      tabindex: '0', // a scrollable region is reachable by keyboard
      'data-testid': 'markdown-preview',
    });
    this.tabs = element('div', { class: 'pm-md-tabs', role: 'group', 'aria-label': 'Show' });
    const text = this.tab('Text', 'view-show-text', false);
    const preview = this.tab('Preview', 'view-show-preview', true);
    this.tabs.append(text, preview);
    this.host.classList.add('pm-split');
    // A viewer came to read; an editor to write.
    this.show(view.state.facet(EditorState.readOnly));
    this.host.prepend(this.tabs);
    this.host.append(this.pane);
    this.render();
  }

  private tab(label: string, testid: string, preview: boolean): HTMLButtonElement {
    const b = element('button', { class: 'pm-md-tab', type: 'button', 'data-testid': testid });
    b.textContent = label;
    b.addEventListener('click', () => this.show(preview));
    return b;
  }

  private show(preview: boolean) {
    this.host.classList.toggle('pm-show-preview', preview);
    const [text, prev] = this.tabs.children;
    text?.setAttribute('aria-pressed', String(!preview));
    prev?.setAttribute('aria-pressed', String(preview));
  }

  private render() {
    const doc = this.view.state.doc;
    const cut = doc.length > MAX_PREVIEW_CHARS;
    this.pane.replaceChildren(renderMarkdown(doc.sliceString(0, MAX_PREVIEW_CHARS)));
    if (cut) {
      const note = element('p', { class: 'pm-preview-cut', 'data-testid': 'markdown-preview-cut' });
      note.textContent = `The preview shows the first ${MAX_PREVIEW_CHARS.toLocaleString()} characters of ${doc.length.toLocaleString()}.`;
      this.pane.append(note);
    }
  }

  update(u: ViewUpdate) {
    if (!u.docChanged) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.render(), delayFor(u.state.doc.length));
  }

  destroy() {
    clearTimeout(this.timer);
    this.pane.remove();
    this.tabs.remove();
    this.host.classList.remove('pm-split', 'pm-show-preview');
  }
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string>,
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

export function markdownPreview(): Extension {
  return ViewPlugin.fromClass(Preview);
}
