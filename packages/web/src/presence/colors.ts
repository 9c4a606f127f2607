import { PRESENCE_DEFAULT_COLOR, presenceColor, presenceTint } from '@padmesh/protocol';

/**
 * Colours from other people's presence, checked here as well as on the server (SPEC PR5):
 * a stock y-websocket server, or an old one, relays whatever a client sent. Only `#rrggbb`
 * (and `#rrggbbaa` tints) ever reach a style.
 */
export function safeColor(raw: unknown): string {
  return presenceColor(raw) ?? PRESENCE_DEFAULT_COLOR;
}

/** A selection tint: the sender's if valid, else a light version of the (checked) colour. */
export function safeTint(raw: unknown, color: string): string {
  return presenceTint(raw) ?? `${safeColor(color)}33`;
}

let sheet: CSSStyleSheet | null | undefined;
const tints = new Set<string>();

/**
 * A class that paints `tint` as a background. The rule lives in one constructed stylesheet
 * (CSSOM), so no `style` attribute is ever written and the CSP needs no 'unsafe-inline'
 * (SPEC PR7). Without constructable stylesheets a selection simply has no tint.
 */
export function tintClass(raw: unknown, color: string): string {
  const tint = safeTint(raw, color);
  const cls = `cm-yTint-${tint.slice(1)}`;
  if (tints.has(tint)) return cls;
  tints.add(tint);
  if (sheet === undefined) {
    try {
      sheet = new CSSStyleSheet();
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    } catch {
      sheet = null;
    }
  }
  sheet?.insertRule(`.${cls} { background-color: ${tint}; }`, sheet.cssRules.length);
  return cls;
}
