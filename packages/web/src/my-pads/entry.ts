import type { Visit } from '../offline/pad-index.js';

/** One line of "My pads", derived from an index record (pure, unit-tested in entry.test.ts). */
export interface Entry {
  key: string;
  /** The pad id, or null for a pad seen through a read-only link. */
  pad: string | null;
  /** Where the line leads: `/<pad>` or `/ro/<link id>`. */
  path: string;
  title: string;
  /** The pad's text shown under the title (what the title does not already show). */
  preview: string;
  openedAt: number;
}

/**
 * Ids that the `/` redirect makes (protocol `randomPadId`: 12 characters of an alphabet with
 * no l, o, 0 or 1). Such an id says nothing, so those pads are titled by their first line;
 * a name someone chose (`/team-notes`) is its own title.
 */
const MACHINE_ID = /^[a-km-np-z2-9]{12}$/;

export function toEntry(v: Visit): Entry {
  const ro = v.key.startsWith('ro:');
  const id = v.key.slice(ro ? 3 : 4);
  const pad = ro ? null : id;
  const path = ro ? `/ro/${encodeURIComponent(id)}` : `/${encodeURIComponent(id)}`;
  const byFirstLine = ro || MACHINE_ID.test(id);
  if (byFirstLine && v.firstLine)
    return { key: v.key, pad, path, title: v.firstLine, preview: v.snippet, openedAt: v.openedAt };
  const preview = [v.firstLine, v.snippet].filter(Boolean).join(' ');
  return { key: v.key, pad, path, title: pad ?? 'Read-only pad', preview, openedAt: v.openedAt };
}

/** Lower case, accents dropped: "cafe" finds "Café". */
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** Entries matching every word of `query` in their title, id or preview. */
export function search(entries: readonly Entry[], query: string): Entry[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...entries];
  return entries.filter((e) => {
    const hay = fold(`${e.title} ${e.pad ?? ''} ${e.preview}`);
    return words.every((w) => hay.includes(w));
  });
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 minutes ago", "yesterday", then the date. */
export function openedAgo(at: number, now: number, locale?: string): string {
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const d = Math.max(0, now - at);
  if (d < MINUTE) return 'just now';
  if (d < HOUR) return rtf.format(-Math.floor(d / MINUTE), 'minute');
  if (d < DAY) return rtf.format(-Math.floor(d / HOUR), 'hour');
  if (d < 7 * DAY) return rtf.format(-Math.floor(d / DAY), 'day');
  return new Date(at).toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric' });
}
