import type { ChangeSpec } from '@codemirror/state';
import { diffChars, diffLines, type ChangeObject } from 'diff';

/** A line diff gives up after this long and replaces the differing middle in one piece. */
const DIFF_TIMEOUT_MS = 1_500;
/** A replaced block of lines is refined to characters when both sides are at most this long. */
const CHAR_REFINE_MAX = 4_000;
const CHAR_DIFF_TIMEOUT_MS = 200;

/**
 * The smallest edit that turns `before` into `after`, as CodeMirror changes in `before`'s
 * positions (SPEC EF3): the common start and end are left alone, then lines, then the
 * characters inside a replaced block. Text outside what differs is never deleted and
 * re-inserted, so what others type there concurrently survives the merge.
 */
export function minimalChanges(before: string, after: string): ChangeSpec[] {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end))
    end++;
  const a = before.slice(start, before.length - end);
  const b = after.slice(start, after.length - end);
  if (!a && !b) return [];
  if (!a || !b) return [{ from: start, to: start + a.length, insert: b }];
  const parts = diffLines(a, b, { timeout: DIFF_TIMEOUT_MS });
  if (!parts) return [{ from: start, to: start + a.length, insert: b }];
  return toChanges(parts, start);
}

function toChanges(parts: ChangeObject<string>[], offset: number): ChangeSpec[] {
  const out: ChangeSpec[] = [];
  let pos = offset;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (!p.added && !p.removed) {
      pos += p.value.length;
      continue;
    }
    const removed = p.removed ? p.value : '';
    const nextAdded = p.removed && parts[i + 1]?.added ? parts[++i]!.value : '';
    const inserted = p.added ? p.value : nextAdded;
    const chars =
      removed && inserted && removed.length <= CHAR_REFINE_MAX && inserted.length <= CHAR_REFINE_MAX
        ? diffChars(removed, inserted, { timeout: CHAR_DIFF_TIMEOUT_MS })
        : undefined;
    if (chars) out.push(...toChars(chars, pos));
    else out.push({ from: pos, to: pos + removed.length, insert: inserted });
    pos += removed.length;
  }
  return out;
}

function toChars(parts: ChangeObject<string>[], offset: number): ChangeSpec[] {
  const out: ChangeSpec[] = [];
  let pos = offset;
  for (const p of parts) {
    if (p.added) out.push({ from: pos, insert: p.value });
    else if (p.removed) {
      out.push({ from: pos, to: pos + p.value.length });
      pos += p.value.length;
    } else pos += p.value.length;
  }
  return out;
}
