import type * as Y from 'yjs';

/**
 * The pad's shared view mode (SPEC VM1-VM3). It lives in the pad's own Y.Doc, in the map
 * `view` under `mode`, so it reaches everyone live, on every node, offline and after a reload
 * like the text does; `GET /<pad>.txt`, history and export read only `content` and ignore it.
 * Anyone with the edit link can write any value there, so every reader goes through
 * `parseMode`: a value outside the allowlist is plain text (VM3).
 */
export const VIEW_MAP = 'view';
export const MODE_KEY = 'mode';

/** Languages offered for highlighting; each loads on first use (languages/load.ts). */
export const LANGUAGES = {
  cpp: 'C / C++',
  css: 'CSS',
  go: 'Go',
  html: 'HTML',
  java: 'Java',
  javascript: 'JavaScript',
  json: 'JSON',
  python: 'Python',
  rust: 'Rust',
  typescript: 'TypeScript',
  xml: 'XML',
  yaml: 'YAML',
} as const;
export type LanguageId = keyof typeof LANGUAGES;
export type ViewMode = 'plain' | 'markdown' | `code:${LanguageId}`;

/** The allowlist: anything else (another type, an unknown or inherited name) reads as plain. */
export function parseMode(value: unknown): ViewMode {
  if (value === 'plain' || value === 'markdown') return value;
  if (typeof value === 'string' && value.startsWith('code:') && Object.hasOwn(LANGUAGES, value.slice(5)))
    return value as ViewMode;
  return 'plain';
}

export function languageOf(mode: ViewMode): LanguageId | null {
  return mode.startsWith('code:') ? (mode.slice(5) as LanguageId) : null;
}

export function modeLabel(mode: ViewMode): string {
  const lang = languageOf(mode);
  return lang ? LANGUAGES[lang] : mode === 'markdown' ? 'Markdown' : 'Plain text';
}

export const readMode = (doc: Y.Doc): ViewMode => parseMode(doc.getMap(VIEW_MAP).get(MODE_KEY));

/** Writes only a change (every write is a CRDT item everyone stores); read-only links never call it. */
export function writeMode(doc: Y.Doc, mode: ViewMode): void {
  if (readMode(doc) !== parseMode(mode)) doc.getMap(VIEW_MAP).set(MODE_KEY, parseMode(mode));
}

/** Calls `onChange` whenever the shared map changes (local or remote); returns the unsubscribe. */
export function observeMode(doc: Y.Doc, onChange: () => void): () => void {
  const map = doc.getMap(VIEW_MAP);
  map.observe(onChange);
  return () => map.unobserve(onChange);
}
