import type { ServerResponse } from 'node:http';
import { ERROR_PAGE_CSS_HASH } from './error-page.js';

/** API replies describe the pad as it is now; no cache may keep them. */
const NO_STORE = 'no-store';

/**
 * Sent with every response: the app needs no inline script and nothing from other origins (L10).
 * No 'unsafe-inline' for styles either (PR7): a presence colour once became CSS text in a
 * `style` attribute and drew a full-screen overlay on other people's pages. Style attributes
 * are now refused by the browser whatever a bug lets through. What the app needs instead:
 * - its own styles are a stylesheet file ('self') or CSSOM (React `style` props,
 *   `el.style.x =`), which `style-src` does not govern;
 * - CodeMirror's themes (style-mod) go into one `<style>` element in a document (style-mod
 *   only adopts constructed sheets in shadow roots), so the app page gets a fresh nonce per
 *   response and hands it to `EditorView.cspNonce` (`appPageCsp`, static-files.ts);
 * - the server's error page has one fixed `<style>` block, allowed by its hash.
 */
function contentSecurityPolicy(styleNonce: string | null): string {
  const styles = ["'self'", ERROR_PAGE_CSS_HASH, ...(styleNonce ? [`'nonce-${styleNonce}'`] : [])].join(' ');
  return (
    `default-src 'self'; script-src 'self'; style-src ${styles}; img-src 'self' data:; connect-src 'self'; ` +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
  );
}

/** The policy for the app page itself: the same, plus this response's style nonce for CodeMirror. */
export function appPageCsp(styleNonce: string): string {
  return contentSecurityPolicy(styleNonce);
}

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': contentSecurityPolicy(null),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

export const TEXT_PLAIN = 'text/plain; charset=utf-8';
export const TEXT_HTML = 'text/html; charset=utf-8';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(data),
    'cache-control': NO_STORE,
  });
  res.end(data);
}

export function sendText(res: ServerResponse, status: number, body: string, type = TEXT_PLAIN): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': NO_STORE,
  });
  res.end(body);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'cache-control': NO_STORE });
  res.end();
}
