const KEY = 'padmesh.authorship';

type Listener = (on: boolean) => void;
const listeners = new Set<Listener>();

function read(): boolean {
  try {
    return localStorage.getItem(KEY) === 'on';
  } catch {
    return false; // storage disabled: off, the default (AU1)
  }
}

let on = read();

/**
 * Whether authorship colours are shown: off by default, remembered per device (browser
 * profile) like the identity, and followed live by this device's other tabs (AU1). Kept
 * tiny and outside the lazily loaded part, as the top bar reads it on first paint.
 */
export const authorshipSetting = {
  get: (): boolean => on,
  set(value: boolean): void {
    try {
      localStorage.setItem(KEY, value ? 'on' : 'off');
    } catch {
      // Not remembered, but still applies to this tab.
    }
    update(value);
  },
  subscribe(fn: Listener): () => void {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
};

function update(value: boolean): void {
  if (value === on) return;
  on = value;
  for (const fn of listeners) fn(on);
}

// Another tab of this device switched it.
if (typeof window !== 'undefined') window.addEventListener('storage', (e) => e.key === KEY && update(read()));
