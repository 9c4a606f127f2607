import type * as Y from 'yjs';

/**
 * Turns `text` into `next` with one delete and one insert around the common prefix and
 * suffix, so concurrent edits elsewhere in the pad survive a replacement.
 */
export function applyTextDiff(text: Y.Text, next: string): void {
  const d = textDiff(text.toString(), next);
  if (d) applyDiff(text, d);
}

export function applyDiff(text: Y.Text, d: TextDiff): void {
  if (d.deleteCount > 0) text.delete(d.start, d.deleteCount);
  if (d.insert) text.insert(d.start, d.insert);
}

/** The one delete and one insert `applyTextDiff` makes; null when nothing changes. */
export interface TextDiff {
  start: number;
  deleteCount: number;
  insert: string;
}

/** Computed apart from applying, so a write's size can be checked before it touches the doc. */
export function textDiff(prev: string, next: string): TextDiff | null {
  if (prev === next) return null;
  let start = 0;
  const max = Math.min(prev.length, next.length);
  while (start < max && prev.charCodeAt(start) === next.charCodeAt(start)) start++;
  let endPrev = prev.length;
  let endNext = next.length;
  while (endPrev > start && endNext > start && prev.charCodeAt(endPrev - 1) === next.charCodeAt(endNext - 1)) {
    endPrev--;
    endNext--;
  }
  // Never split a surrogate pair: back up to a code-point boundary.
  if (start > 0 && isHighSurrogate(prev.charCodeAt(start - 1))) start--;
  if (endPrev < prev.length && isLowSurrogate(prev.charCodeAt(endPrev))) {
    endPrev++;
    endNext++;
  }
  return { start, deleteCount: endPrev - start, insert: next.slice(start, endNext) };
}

/**
 * An upper bound on the stored bytes of the update a diff makes: its text as UTF-8 plus
 * headers (one item, one delete range; well under this).
 */
export function textDiffBytes(d: TextDiff): number {
  return Buffer.byteLength(d.insert) + DIFF_OVERHEAD_BYTES;
}
const DIFF_OVERHEAD_BYTES = 64;

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
