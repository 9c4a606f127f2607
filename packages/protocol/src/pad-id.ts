export const PAD_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Returns null when valid, otherwise a reason fit to show a user. */
export function padIdProblem(id: string): string | null {
  if (id.length === 0) return 'pad name is empty';
  if (id.length > 64) return `pad name is ${id.length} characters long; the limit is 64`;
  if (!PAD_ID_PATTERN.test(id)) return 'pad names may only contain letters, digits, "-" and "_"';
  return null;
}

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** Short, URL-safe and unguessable: 12 chars of a 32-letter alphabet = 60 bits of entropy. */
export function randomPadId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(12));
  let s = '';
  for (const b of bytes) s += ALPHABET[b & 31];
  return s;
}
