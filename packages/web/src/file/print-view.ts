/**
 * What the browser prints (SPEC EF2): the whole text in one <pre>, and nothing else (file.css
 * hides the app under `@media print`). The editor draws only the lines on screen, so printing
 * it would cut a long pad; the <pre> is filled just before printing and emptied after, so a
 * large pad is not held twice in the page the rest of the time.
 */
export function installPrintView(text: () => string): () => void {
  const pre = document.createElement('pre');
  pre.className = 'print-view';
  pre.setAttribute('aria-hidden', 'true');
  document.body.append(pre);
  const fill = () => void (pre.textContent = text());
  const empty = () => void (pre.textContent = '');
  // beforeprint covers the menu and Ctrl-P; the media query also sees print emulation and PDF export.
  const media = matchMedia('print');
  const onMedia = () => (media.matches ? fill() : empty());
  window.addEventListener('beforeprint', fill);
  window.addEventListener('afterprint', empty);
  media.addEventListener('change', onMedia);
  return () => {
    window.removeEventListener('beforeprint', fill);
    window.removeEventListener('afterprint', empty);
    media.removeEventListener('change', onMedia);
    pre.remove();
  };
}
