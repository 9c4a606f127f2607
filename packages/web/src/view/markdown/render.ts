import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';

/**
 * Markdown to a sanitised DOM fragment (SPEC VM2): pad text is written by anyone with the link,
 * so it must never become script. Two independent walls:
 * 1. markdown-it with raw HTML off (`<script>` in the text stays text) and links limited to
 *    http, https, mailto and relative ones (`javascript:`, `data:`, `vbscript:` are not links).
 * 2. DOMPurify on its output with an allowlist of exactly the tags Markdown produces and no
 *    attribute but href/title/start, so no `on*` handler, `style` or `src` gets through even if
 *    the first wall had a bug; its result is a fragment, never an HTML string set as innerHTML.
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

const SCHEME = /^\s*([a-z][a-z0-9+.-]*):/i;
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto']);
md.validateLink = (url) => {
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  return scheme === undefined || SAFE_SCHEMES.has(scheme);
};

// Images become links: the CSP loads no third-party image, and an image that did load would
// tell whoever chose its address the IP of everyone who opens the pad.
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  const alt = self.renderInlineAsText(token.children ?? [], options, env) || 'image';
  const href = md.utils.escapeHtml(String(token.attrGet('src') ?? ''));
  return `<a href="${href}">${md.utils.escapeHtml(`[image: ${alt}]`)}</a>`;
};

const ALLOWED_TAGS = [
  'a', 'blockquote', 'br', 'code', 'del', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'li', 'ol', 'p',
  'pre', 's', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul',
]; // prettier-ignore
/** DOMPurify's own default minus the schemes we do not link to (ftp, tel, sms, xmpp, ...). */
const ALLOWED_URI_REGEXP = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i;

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  // Links open outside the pad and give the page they open no handle on this one.
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

export function renderMarkdown(text: string): DocumentFragment {
  return DOMPurify.sanitize(md.render(text), {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ['href', 'title', 'start'],
    ALLOWED_URI_REGEXP,
    ALLOW_DATA_ATTR: false,
    RETURN_DOM_FRAGMENT: true,
  });
}
