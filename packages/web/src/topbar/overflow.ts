/**
 * Which top-bar controls move into the overflow ("More") menu. Each control that may move
 * says how much it matters with a priority; when the bar's controls no longer fit its width,
 * the least important tier moves first, then the next (SPEC PH1):
 *
 *   - `high`   never moves (status, people, Share, the More button itself): don't wrap these.
 *   - `medium` moves second (History).
 *   - `low`    moves first: anything a phone can do without in the bar (Copy link, and new
 *              controls by default: Download/Import, My pads, View mode, Authorship, Theme).
 */
export type Priority = 'low' | 'medium';

/** Tiers in the order they move. `level` n means the first n tiers are in the menu. */
export const TIERS: readonly Priority[] = ['low', 'medium'];

export function inMenu(priority: Priority, level: number): boolean {
  return TIERS.indexOf(priority) < level;
}

/**
 * One step of the fitting loop, as a pure function so it can be reasoned about: a bar that
 * overflows moves one more tier (remembering the width it needed); a bar at least as wide as
 * the width a tier needed when it moved takes that tier back. Never both, so it cannot flap.
 */
export function nextLevel(level: number, needed: number[], bar: { scrollWidth: number; clientWidth: number }): number {
  if (bar.scrollWidth > bar.clientWidth && level < TIERS.length) {
    needed[level] = bar.scrollWidth;
    return level + 1;
  }
  if (level > 0 && bar.clientWidth >= (needed[level - 1] ?? Infinity)) return level - 1;
  return level;
}
