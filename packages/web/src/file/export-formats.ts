/** The formats a pad downloads as (SPEC EF1). */
export type ExportFormat = 'txt' | 'md' | 'html';

export interface ExportFile {
  name: string;
  type: string;
  body: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * A standalone page holding the text as escaped, preformatted text: whatever the pad says,
 * the file never runs script or loads anything when opened (anyone with the link wrote it).
 */
function htmlDocument(title: string, text: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{margin:2rem auto;max-width:60rem;padding:0 1rem}pre{font:15px/1.6 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere}</style>
</head>
<body>
<pre>${escapeHtml(text)}</pre>
</body>
</html>
`;
}

/** File names keep to the pad id's own safe characters. */
const safeName = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'pad';

export function exportFile(name: string, text: string, format: ExportFormat): ExportFile {
  const base = safeName(name);
  switch (format) {
    case 'txt':
      return { name: `${base}.txt`, type: 'text/plain;charset=utf-8', body: text };
    case 'md':
      return { name: `${base}.md`, type: 'text/markdown;charset=utf-8', body: text };
    case 'html':
      return { name: `${base}.html`, type: 'text/html;charset=utf-8', body: htmlDocument(name, text) };
  }
}

/** Saves the file through the browser's download (a link to a Blob; nothing goes to the server). */
export function download(file: ExportFile): void {
  const url = URL.createObjectURL(new Blob([file.body], { type: file.type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started reading the Blob by now; a later revoke frees it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
