import { createHash } from 'node:crypto';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function heading(status: number): string {
  if (status === 400) return "That pad name won't work";
  if (status === 404) return 'Not found';
  return 'Something went wrong';
}

/**
 * The error page's one stylesheet. The CSP allows exactly this block by its hash (PR7), so
 * the page needs no 'unsafe-inline'; change it and the hash follows.
 */
const ERROR_PAGE_CSS =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#1f2328}h1{font-size:1.4rem}';
export const ERROR_PAGE_CSS_HASH = `'sha256-${createHash('sha256').update(ERROR_PAGE_CSS).digest('base64')}'`;

/** The error a browser sees when it navigates somewhere wrong; `reason` is escaped (A3). */
export function errorPage(status: number, reason: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>Padmesh: ${status}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>${ERROR_PAGE_CSS}</style>
<body>
<h1>${heading(status)}</h1>
<p>${escapeHtml(reason)}.</p>
<p><a href="/">Start a new pad</a></p></body></html>`;
}
