const KEY = 'padmesh.device';

let cached: string | null = null;

/**
 * A random id for this browser profile, the same in every tab: presence carries it so the
 * avatar list shows one person once however many tabs they have open (E9). Not a secret and
 * not an account; with storage disabled each tab gets its own and simply shows separately.
 */
export function deviceId(): string {
  if (cached) return cached;
  try {
    cached = localStorage.getItem(KEY);
    if (!cached) {
      cached = crypto.randomUUID();
      localStorage.setItem(KEY, cached);
    }
  } catch {
    cached ??= crypto.randomUUID();
  }
  return cached;
}
