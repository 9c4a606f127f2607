import { useState } from 'react';
import './theme.css';
import { applyTheme, loadTheme, saveTheme, THEME_CHOICES, type ThemeChoice } from './theme-choice.js';

const LABEL: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };

/** Drawn, not emoji: a glyph font may be missing (the padlock showed as a box without one). */
function Icon({ choice }: { choice: ThemeChoice }) {
  const common = { width: 16, height: 16, viewBox: '0 0 16 16', 'aria-hidden': true, focusable: false } as const;
  if (choice === 'light')
    return (
      <svg {...common} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round">
        <circle cx="8" cy="8" r="3" />
        <path d="M8 1.5v1.5M8 13v1.5M1.5 8H3M13 8h1.5M3.4 3.4l1 1M11.6 11.6l1 1M3.4 12.6l1-1M11.6 4.4l1-1" />
      </svg>
    );
  if (choice === 'dark')
    return (
      <svg {...common} fill="currentColor">
        <path d="M10.5 1.8A6.5 6.5 0 1 0 14.2 10 5.2 5.2 0 0 1 10.5 1.8Z" />
      </svg>
    );
  return (
    <svg {...common} fill="none" stroke="currentColor" strokeWidth="1.5">
      <circle cx="8" cy="8" r="6" />
      <path d="M8 2a6 6 0 0 1 0 12Z" fill="currentColor" />
    </svg>
  );
}

/** One button that cycles system → light → dark; its name says the current choice and the next. */
export function ThemeButton() {
  const [choice, setChoice] = useState<ThemeChoice>(loadTheme);
  const next = THEME_CHOICES[(THEME_CHOICES.indexOf(choice) + 1) % THEME_CHOICES.length]!;
  const label = `Theme: ${LABEL[choice]} (switch to ${LABEL[next].toLowerCase()})`;
  return (
    <button
      className="button icon-button"
      data-testid="theme-toggle"
      data-theme-choice={choice}
      aria-label={label}
      title={label}
      onClick={() => {
        saveTheme(next);
        applyTheme(next);
        setChoice(next);
      }}
    >
      <Icon choice={choice} />
    </button>
  );
}
