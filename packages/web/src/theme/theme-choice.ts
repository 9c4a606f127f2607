/**
 * The colour scheme this device asked for (SPEC EF8, EF9): "system" follows the operating
 * system's setting (prefers-color-scheme); "light" and "dark" override it. Remembered in
 * localStorage, so it is per device and never sent anywhere.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_KEY = 'padmesh-theme';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

export function loadTheme(): ThemeChoice {
  try {
    const v = localStorage.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system'; // storage blocked (private mode, policy): follow the system
  }
}

export function saveTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, choice);
  } catch {
    // Not remembered, but still applied for this visit.
  }
}

/**
 * Applies a choice to the page: `data-theme` on <html> picks the CSS variables (styles.css),
 * and the color-scheme meta tells the browser which scroll bars, form controls and default
 * background to draw ("light dark" lets it follow the system along with our CSS).
 */
export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
  let meta = document.querySelector<HTMLMetaElement>('meta[name="color-scheme"]');
  if (!meta) {
    meta = document.createElement('meta');
    meta.name = 'color-scheme';
    document.head.append(meta);
  }
  meta.content = choice === 'system' ? 'light dark' : choice;
}
