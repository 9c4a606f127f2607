/**
 * Per-device display preferences (SPEC VM4): monospace font and line wrapping, kept in this
 * browser's localStorage and never in the pad, so one person's choice changes nobody else's
 * screen. A change applies to this tab at once and to tabs opened on this device afterwards
 * (tabs already open keep what they show: nothing moves under someone's eyes).
 */
export interface DevicePrefs {
  monospace: boolean;
  wrap: boolean;
}

const KEYS: Record<keyof DevicePrefs, string> = { monospace: 'padmesh.view.monospace', wrap: 'padmesh.view.wrap' };
/** Today's look: a monospace font and wrapped lines. */
const DEFAULTS: DevicePrefs = { monospace: true, wrap: true };
const changes = new EventTarget();
/** Read once per tab; after that this tab's own choices (also when storage refuses to keep them). */
let current: DevicePrefs | null = null;

function stored(key: keyof DevicePrefs): boolean {
  try {
    const v = localStorage.getItem(KEYS[key]);
    return v === null ? DEFAULTS[key] : v === '1';
  } catch {
    return DEFAULTS[key]; // storage blocked by privacy settings: defaults, nothing remembered
  }
}

export const devicePrefs = (): DevicePrefs => (current ??= { monospace: stored('monospace'), wrap: stored('wrap') });

export function setDevicePref(key: keyof DevicePrefs, on: boolean): void {
  current = { ...devicePrefs(), [key]: on };
  try {
    localStorage.setItem(KEYS[key], on ? '1' : '0');
  } catch {
    // Not remembered, but this tab still changes.
  }
  changes.dispatchEvent(new Event('change'));
}

export function onDevicePrefs(listener: () => void): () => void {
  changes.addEventListener('change', listener);
  return () => changes.removeEventListener('change', listener);
}
