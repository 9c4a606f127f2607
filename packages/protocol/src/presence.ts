import { PRESENCE_NAME_MAX } from './wire.js';

/**
 * Presence values end up in other people's pages (a caret's colour, an avatar's name), so both
 * the server (which normalises what it relays, PR5) and the web app (which checks again before
 * any value reaches a style) use these. Pure functions, no I/O.
 */

/** The only colour form presence carries: `#rrggbb`, lower case. Nothing else can reach CSS. */
const COLOR = /^#[0-9a-f]{6}$/;
/** A selection tint: `#rrggbb` or `#rrggbbaa` (the web app publishes `color` + `33`). */
const TINT = /^#[0-9a-f]{6}([0-9a-f]{2})?$/;
/** What a person with an unusable colour is shown in (neutral, white text readable on it). */
export const PRESENCE_DEFAULT_COLOR = '#6e7781';

/** `#rrggbb` (any case) as lower case; anything else (named colours, `red;position:fixed`) is null. */
export function presenceColor(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length !== 7) return null;
  const c = raw.toLowerCase();
  return COLOR.test(c) ? c : null;
}

/** `#rrggbb` or `#rrggbbaa` as lower case, else null. */
export function presenceTint(raw: unknown): string | null {
  if (typeof raw !== 'string' || (raw.length !== 7 && raw.length !== 9)) return null;
  const c = raw.toLowerCase();
  return TINT.test(c) ? c : null;
}

/**
 * A display name: control and format characters out (no bidi overrides or zero-width tricks),
 * whitespace collapsed, at most PRESENCE_NAME_MAX code points. Empty or not a string: null.
 */
export function presenceName(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const cleaned = raw
    .slice(0, PRESENCE_NAME_MAX * 8)
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  const name = [...cleaned].slice(0, PRESENCE_NAME_MAX).join('').trim();
  return name === '' ? null : name;
}
