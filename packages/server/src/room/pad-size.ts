/** A pad's size limits (L5): what every write path (WebSocket, HTTP, CLI, restore) checks before it writes. */
export interface PadSizeLimits {
  maxPadBytes: number;
  maxPadChars: number;
}

/** How big a pad is now, and what a write would add to it. */
export interface PadGrowth {
  storedBytes: number;
  chars: number;
  addBytes: number;
  /** Net characters the write adds (E2: text it also deletes doesn't count); 0 or less never fails. */
  addChars: number;
}

/**
 * Why the write would take the pad past a limit, or null. One function so the WebSocket
 * (`Room.submit`), HTTP (`Room.replaceText`) and the CLI refuse the same writes with the same words.
 */
export function padGrowthProblem(limits: PadSizeLimits, g: PadGrowth): string | null {
  if (g.storedBytes + g.addBytes > limits.maxPadBytes)
    return `pad would exceed ${limits.maxPadBytes} bytes of stored state`;
  if (g.addChars > 0 && g.chars + g.addChars > limits.maxPadChars)
    return `pad would exceed ${limits.maxPadChars} characters`;
  return null;
}
