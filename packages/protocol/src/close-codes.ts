/**
 * WebSocket close codes the server uses. 4xxx are application codes (RFC 6455 §7.4.2);
 * each close also carries a human-readable reason.
 */
export const CloseCode = {
  /** Standard: server shutting down or draining; reconnect elsewhere. */
  GoingAway: 1001,
  /** Standard: frame larger than the configured limit. */
  MessageTooBig: 1009,
  /** Frame is not a valid protocol message. */
  MalformedMessage: 4400,
  /** Frame decodes but its Yjs update is invalid. */
  InvalidUpdate: 4401,
  /** The pad is password-protected and the connection carries no valid unlock token. */
  PasswordRequired: 4403,
  /** The connection came through a read-only link and tried to edit. */
  ReadOnly: 4405,
  /** The read-only link this connection came through was rotated or revoked by the pad's owner. */
  LinkRevoked: 4406,
  /** "This pad was deleted": by its owner, by expiry or by the operator; it never comes back. */
  PadDeleted: 4410,
  /** Pad id in the URL is not `[A-Za-z0-9_-]{1,64}`. */
  InvalidPad: 4404,
  /** The update would push the pad past its size limit. */
  PadTooLarge: 4413,
  /** Too many messages per second on this connection. */
  RateLimited: 4429,
  /** The pad had to be reloaded on the server (e.g. storage failed); reconnect and resync. */
  Reload: 4500,
  /** Storage could not durably write the pad; reconnect later. */
  StorageUnavailable: 4503,
  /** Client stopped reading; its send buffer passed the bound. */
  SlowConsumer: 4508,
} as const;

export type CloseCodeName = keyof typeof CloseCode;

/** Codes after which a client should not retry blindly (its input is at fault). */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.InvalidPad,
  CloseCode.PadTooLarge,
  CloseCode.PasswordRequired,
  CloseCode.ReadOnly,
  CloseCode.LinkRevoked,
  CloseCode.PadDeleted,
]);
