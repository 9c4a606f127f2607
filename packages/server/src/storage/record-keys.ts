/**
 * Rules every `Records` backend applies to keys (K1). Keys are printable ASCII, so byte
 * order, UTF-16 order and code point order agree: a prefix is the key range
 * [prefix, prefixEnd(prefix)) on SQLite (BINARY), PostgreSQL (COLLATE "C") and MongoDB alike.
 */
const KEY = /^[\x21-\x7e]{1,512}$/;

export function checkKey(key: string): void {
  if (!KEY.test(key)) throw new Error(`invalid record key ${JSON.stringify(key.slice(0, 80))}`);
}

/** A prefix for `list` may be empty (everything); `deletePrefix` refuses that (see `prefixEnd`). */
export function checkPrefix(prefix: string): void {
  if (prefix !== '') checkKey(prefix);
}

/** The smallest key above every key that starts with `prefix` (which must be non-empty). */
export function prefixEnd(prefix: string): string {
  checkKey(prefix);
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** Upper bound of a listing: everything for the empty prefix ('\x7f' sorts above every key). */
export function listEnd(prefix: string): string {
  return prefix === '' ? '\x7f' : prefixEnd(prefix);
}
