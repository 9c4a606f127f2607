/**
 * One-line messages about files (an import refused, a download failed), shown by the File
 * menu whether they came from the menu or from a drop on the editor.
 */
export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

const EVENT = 'padmesh:file-notice';

export function notify(notice: Notice): void {
  window.dispatchEvent(new CustomEvent<Notice>(EVENT, { detail: notice }));
}

export function onNotice(listener: (n: Notice) => void): () => void {
  const handler = (e: Event) => listener((e as CustomEvent<Notice>).detail);
  window.addEventListener(EVENT, handler);
  return () => window.removeEventListener(EVENT, handler);
}
