/**
 * Where side data lives in `Storage.records` (K2). Everything of one pad sits under
 * `padPrefix(pad)`, so removing a pad's side data is `deletePrefix(padPrefix(pad))` plus its
 * read-only link (`readOnlyLinkKey`, whose id the pad's own `access/read-only` record names).
 * Pad ids are `[A-Za-z0-9_-]`, never '/', so one pad's prefix never covers another's.
 *
 * Facts that several nodes may write at once each get their own key (one per version, one
 * per Yjs client id for authors, one per access setting), so no write replaces another
 * node's entry; a key's last write wins, as a Y.Map entry did in the old layout.
 */
export const padPrefix = (pad: string) => `pad/${pad}/`;

/** `access/password`: the scrypt hash; an empty value means "no password" (it masks the legacy layout). */
export const passwordKey = (pad: string) => `${padPrefix(pad)}access/password`;
/** `access/read-only`: the id of the pad's read-only link. */
export const readOnlyIdKey = (pad: string) => `${padPrefix(pad)}access/read-only`;
export const accessPrefix = (pad: string) => `${padPrefix(pad)}access/`;
/** A read-only link id → its pad. Global (links are looked up by id alone). */
export const readOnlyLinkKey = (id: string) => `read-only/${id}`;

/** `history/version/<id>`: a version's metadata (JSON); an empty value marks it dropped (legacy ones). */
export const versionPrefix = (pad: string) => `${padPrefix(pad)}history/version/`;
export const versionKey = (pad: string, id: string) => `${versionPrefix(pad)}${id}`;
/** `history/state/<id>`: the version's full Yjs state, apart so listing versions reads no states. */
export const versionStateKey = (pad: string, id: string) => `${padPrefix(pad)}history/state/${id}`;
/** `history/author/<client id>`: who a Yjs client is (JSON `{name, color}`). */
export const authorPrefix = (pad: string) => `${padPrefix(pad)}history/author/`;
export const authorKey = (pad: string, client: number) => `${authorPrefix(pad)}${client}`;

/** `access/owner`: SHA-256 (hex) of the pad's owner token (OW1); the token itself is never stored. */
export const ownerKey = (pad: string) => `${padPrefix(pad)}access/owner`;
/**
 * When the pad expires (ms since epoch, decimal). Global, outside the pad's prefix, so the
 * sweeper finds every pad with an expiry by listing `expiryPrefix` instead of every record.
 */
export const expiryPrefix = 'expiry/';
export const expiryKey = (pad: string) => `${expiryPrefix}${pad}`;
/**
 * A deleted pad's tombstone (deletion time, ms). Outside the pad's prefix, so deleting the
 * pad's data keeps it: a browser holding the pad in IndexedDB can never bring it back.
 */
export const tombstoneKey = (pad: string) => `deleted/${pad}`;
