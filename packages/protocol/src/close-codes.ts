/**
 * WebSocket close codes the server uses. 4xxx are application codes (RFC 6455 §7.4.2);
 * each close also carries a human-readable reason.
 *
 * The ranges follow the stock y-websocket client (3.x): 4400–4499 means "reconnecting
 * can't fix this" (it stops), 4500–4599 means "try again later" (it reconnects with
 * back-off). Every transient refusal must therefore be a 45xx code (SPEC E5).
 */
export const CloseCode = {
  /** Standard: server shutting down or draining; reconnect elsewhere. */
  GoingAway: 1001,
  /** Standard: frame larger than the frame limit (sized from the pad limit, SPEC E1). */
  MessageTooBig: 1009,
  /** Frame is not a valid protocol message. */
  MalformedMessage: 4400,
  /** Frame decodes but its Yjs update is invalid. */
  InvalidUpdate: 4401,
  /** The pad is password-protected and the connection carries no valid unlock token. */
  PasswordRequired: 4403,
  /** The connection came through a read-only link and tried to edit. */
  ReadOnly: 4405,
  /** A presence frame past its bounds: too many entries, a state too large, too many client ids (PR1, PR2). */
  PresenceRejected: 4422,
  /** The read-only link this connection came through was rotated or revoked by the pad's owner. */
  LinkRevoked: 4406,
  /** "This pad was deleted": by its owner, by expiry or by the operator; it never comes back. */
  PadDeleted: 4410,
  /** Pad id in the URL is not `[A-Za-z0-9_-]{1,64}`. */
  InvalidPad: 4404,
  /** The update would push the pad past its size limit. */
  PadTooLarge: 4413,
  /** The update would push the pad past its struct or client-id limits (HI2). */
  PadTooComplex: 4414,
  /** The update's shape passes a per-update limit: structs, client ids, nesting, deletes, concurrent inserts (HI1). */
  UpdateTooComplex: 4415,
  /** The pad had to be reloaded on the server (e.g. storage failed); reconnect and resync. */
  Reload: 4500,
  /** Storage could not durably write the pad; reconnect later. */
  StorageUnavailable: 4503,
  /** Client stopped reading; its send buffer (or the node's, HI5) passed the bound. */
  SlowConsumer: 4508,
  /**
   * A presence (awareness) client id that another connection introduced (PR3). In the
   * 45xx range because it can be transient: a client that reconnects before the server has
   * noticed its old socket die is refused its own id until the heartbeat reaps that socket.
   */
  PresenceNotOwned: 4509,
  /**
   * Too many requests: a sustained message flood (a fast client is slowed first, never cut),
   * too many connections from one address, or too many new pads from it per minute.
   * Was 4429, which stock clients took as permanent.
   */
  RateLimited: 4529,
  /** The node's loaded pads are near its heap limit; retry (another node may take it) (HI4). */
  NodeOverloaded: 4513,
  /**
   * The update depends on edits the pad lacks, and the pad already holds its limit of such
   * updates (HI3); reconnecting resyncs, which sends what was missing.
   */
  MissingDependencies: 4524,
} as const;

export type CloseCodeName = keyof typeof CloseCode;

/**
 * Codes after which a client should not retry blindly: its input or its access is at fault.
 * Derived from the 44xx range so a code added there is fatal without a second edit.
 */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set(
  Object.values(CloseCode).filter((c) => c >= 4400 && c < 4500),
);

/** The pad (or this one frame) is over the size limit: the client keeps its text and stops sending (SPEC E2). */
export const TOO_LARGE_CLOSE_CODES: ReadonlySet<number> = new Set([CloseCode.PadTooLarge, CloseCode.MessageTooBig]);
