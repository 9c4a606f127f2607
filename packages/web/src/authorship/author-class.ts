import { presenceColor } from '@padmesh/protocol';

let sheet: CSSStyleSheet | null | undefined;
const made = new Set<string>();

/**
 * A class painting text in an author's colour: a translucent background (readable on the
 * light and the dark theme, as the text keeps its own colour) and a firmer underline, so
 * close hues still tell apart. Rules go into one constructed stylesheet, never a `style`
 * attribute (SPEC PR7); only a checked `#rrggbb` reaches it (PR5). Without constructable
 * stylesheets the text simply stays uncoloured.
 */
export function authorClass(raw: string): string {
  const color = presenceColor(raw);
  if (!color) return '';
  const cls = `cm-author-${color.slice(1)}`;
  if (made.has(color)) return cls;
  made.add(color);
  if (sheet === undefined) {
    try {
      sheet = new CSSStyleSheet();
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    } catch {
      sheet = null;
    }
  }
  sheet?.insertRule(
    `.${cls} { background-color: ${color}3d; box-shadow: inset 0 -2px 0 ${color}b3; }`,
    sheet.cssRules.length,
  );
  return cls;
}
