import type { ChangeSet, Text } from '@codemirror/state';

/** Words, characters (code points, so an emoji is one) and lines of a text. */
export interface Counts {
  words: number;
  chars: number;
  lines: number;
}

/** Words and astral characters (two UTF-16 units each) of one piece of text. */
interface Tally {
  words: number;
  astral: number;
}

const WORD = /[^\s]+/g;
const ASTRAL = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

/** Counts matches without building an array of them (a 5 M-character pad has ~1 M words). */
function countMatches(re: RegExp, s: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(s)) n++;
  return n;
}

export function tally(s: string): Tally {
  return { words: countMatches(WORD, s), astral: countMatches(ASTRAL, s) };
}

/**
 * Whole lines from..to of `doc`, as one string. Words never span a line break (it is
 * whitespace), so counting whole lines before and after a change gives the exact difference.
 */
function linesAround(doc: Text, from: number, to: number): { text: string; length: number } {
  const start = doc.lineAt(from).from;
  const end = doc.lineAt(to).to;
  return { text: doc.sliceString(start, end), length: end - start };
}

/**
 * The change in words and astral characters a change set makes, or null when the lines it
 * touches are longer than `budget` characters (then a full count, spread over idle time, is
 * cheaper than blocking the keystroke that caused it). Typing touches one line: microseconds.
 */
export function tallyDelta(before: Text, after: Text, changes: ChangeSet, budget: number): Tally | null {
  let fromA = Infinity;
  let toA = -1;
  let fromB = Infinity;
  let toB = -1;
  changes.iterChangedRanges((fa, ta, fb, tb) => {
    fromA = Math.min(fromA, fa);
    toA = Math.max(toA, ta);
    fromB = Math.min(fromB, fb);
    toB = Math.max(toB, tb);
  });
  if (toA < 0) return { words: 0, astral: 0 };
  const old = linesAround(before, fromA, toA);
  const now = linesAround(after, fromB, toB);
  if (old.length + now.length > budget) return null;
  const a = tally(old.text);
  const b = tally(now.text);
  return { words: b.words - a.words, astral: b.astral - a.astral };
}

/** Size of one slice of a full count: a few milliseconds of work, so typing stays smooth meanwhile. */
export const SLICE_CHARS = 256 * 1024;

/** Where a slice from `pos` ends: the next line break, or inside a very long line the next whitespace. */
function sliceEnd(doc: Text, pos: number): number {
  const end = Math.min(doc.length, pos + SLICE_CHARS);
  if (end === doc.length) return end;
  const lineEnd = doc.lineAt(end).to;
  if (lineEnd - end <= SLICE_CHARS) return lineEnd;
  const space = doc.sliceString(end, Math.min(doc.length, end + 4096)).search(/\s/);
  return space < 0 ? end : end + space;
}

/**
 * Counts a whole document in slices that end at line breaks (so no word is split), yielding to
 * the browser between them; `cancelled` stops early when the text changed meanwhile.
 */
export async function tallyInSlices(doc: Text, cancelled: () => boolean): Promise<Tally | null> {
  const total = { words: 0, astral: 0 };
  let pos = 0;
  while (pos < doc.length) {
    const end = sliceEnd(doc, pos);
    const t = tally(doc.sliceString(pos, end));
    total.words += t.words;
    total.astral += t.astral;
    pos = end;
    if (pos < doc.length) {
      await new Promise((r) => setTimeout(r, 0));
      if (cancelled()) return null;
    }
  }
  return total;
}
