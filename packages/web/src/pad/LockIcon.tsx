/**
 * The padlock of a protected pad (SPEC PH3): drawn, so it shows without an emoji font, and
 * named, so a screen reader says "Password protected" instead of nothing or "lock emoji".
 */
export function LockIcon() {
  return (
    <svg
      className="lock-icon"
      role="img"
      aria-label="Password protected"
      data-testid="lock-icon"
      viewBox="0 0 16 16"
      width="13"
      height="13"
    >
      <title>Password protected</title>
      <path
        fill="currentColor"
        d="M8 1a3.5 3.5 0 0 0-3.5 3.5V6H4a1.5 1.5 0 0 0-1.5 1.5v6A1.5 1.5 0 0 0 4 15h8a1.5 1.5 0 0 0 1.5-1.5v-6A1.5 1.5 0 0 0 12 6h-.5V4.5A3.5 3.5 0 0 0 8 1Zm2 5H6V4.5a2 2 0 1 1 4 0V6Zm-2 3a1.25 1.25 0 0 1 .75 2.25V12.5h-1.5v-1.25A1.25 1.25 0 0 1 8 9Z"
      />
    </svg>
  );
}
