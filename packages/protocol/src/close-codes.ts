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
  /** Pad id in the URL is not `[A-Za-z0-9_-]{1,64}`. */
  InvalidPad: 4404,
  /** The update would push the pad past its size limit. */
  PadTooLarge: 4413,
  /** The update would push the pad past its struct or client-id limits (HI2). */
  PadTooComplex: 4414,
  /** The update's shape passes a per-update limit: structs, client ids, nesting, deletes, concurrent inserts (HI1). */
  UpdateTooComplex: 4422,
  /** The update depends on edits the pad lacks, and the pad already holds its limit of such updates (HI3); resync. */
  MissingDependencies: 4424,
  /** Too many messages per second on this connection. */
  RateLimited: 4429,
  /** The pad had to be reloaded on the server (e.g. storage failed); reconnect and resync. */
  Reload: 4500,
  /** Storage could not durably write the pad; reconnect later. */
  StorageUnavailable: 4503,
  /** Client stopped reading; its send buffer (or the node's, HI5) passed the bound. */
  SlowConsumer: 4508,
  /** The node's loaded pads are near its heap limit; retry (another node may take it) (HI4). */
  NodeOverloaded: 4509,
} as const;

export type CloseCodeName = keyof typeof CloseCode;

/** Codes after which a client should not retry blindly (its input is at fault). */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.InvalidPad,
  CloseCode.PadTooLarge,
  CloseCode.PadTooComplex,
  CloseCode.UpdateTooComplex,
  CloseCode.PasswordRequired,
  CloseCode.ReadOnly,
]);
