/**
 * JSON shapes of the HTTP API and of the presence `user` field, shared by the server (which
 * produces them) and the web app (which reads them), so one side cannot drift from the other.
 * Types only; the presence value checks both sides share are in `presence.ts`.
 */

/** Presence names are other people's input; the server keeps at most this many code points (PR5). */
export const PRESENCE_NAME_MAX = 40;
/** Colours are `#rrggbb` now (`presence.ts`, PR5); this bound only describes authors stored before that. */
export const PRESENCE_COLOR_MAX = 32;

/** The awareness state's `user` field as the web app publishes it. */
export interface PresenceUser {
  name: string;
  /** `#rrggbb` for carets and avatars; the server replaces anything else (PR5). */
  color: string;
  /** A light tint of `color` for selections; other clients may leave it out. */
  colorLight?: string;
  /** A stable random id per device (browser profile): one person's tabs share it, so lists show them once. */
  id?: string;
  /** Set by the server, never by a client: this person came through a read-only link (PR4). */
  viewer?: boolean;
}

/** Who wrote something, as history remembers them (presence without the cosmetic tint). */
export interface Author {
  name: string;
  color: string;
}

export type VersionReason = 'idle' | 'interval' | 'request' | 'restore' | 'close';

export interface VersionMeta {
  id: string;
  /** ms since epoch */
  createdAt: number;
  name: string | null;
  /** Who contributed since the previous version. */
  authors: Author[];
  /** Characters of text in this version. */
  size: number;
  /** Bytes of its stored Yjs state (retention is bounded in bytes, V5); absent on versions recorded before. */
  bytes?: number;
  /** What made it: a pause in editing, the interval during continuous editing, a request, a restore. */
  reason: VersionReason;
}

/** A run of a version's text written by one author (`null`: unknown). */
export interface Span {
  from: number;
  to: number;
  author: Author | null;
}

/** `GET /api/pads/<pad>/authors`: the author behind each Yjs client id (AU3). */
export interface AuthorList {
  pad: string;
  authors: (Author & { client: number })[];
  /** More were stored than one reply carries (`AUTHORS_REPLY_MAX`). */
  truncated: boolean;
}

/** Every error reply: a status and this body. */
export interface ErrorReply {
  error: string;
}

// `/api/pads/<pad>/text`

/** `PUT /api/pads/<pad>/text`, sent once the new text is durable. */
export interface TextReplaced {
  pad: string;
  length: number;
  saved: true;
}

// `/api/pads/<pad>/access|claim|unlock|password|read-only-link|expiry` and `DELETE /api/pads/<pad>`

/**
 * The header that proves ownership of a pad: the owner token from `claim`. Never a URL query;
 * the web app keeps the token in localStorage and shares it only as a fragment (`#owner=`).
 */
export const OWNER_HEADER = 'x-padmesh-owner';

/** `GET /api/pads/<pad>/access` */
export interface AccessStatus {
  /** The pad has a password. */
  protected: boolean;
  /** This request may read and write it (no password, or a valid unlock cookie). */
  unlocked: boolean;
  /** Someone has claimed the pad. */
  owned: boolean;
  /** This request carries the owner token. */
  owner: boolean;
  /** The read-only link; only shown to the owner, null when there is none. */
  readOnly: ReadOnlyLinkReply | null;
  /** When the pad will be deleted (ms since epoch), or null. */
  expiresAt: number | null;
}

/** `POST /api/pads/<pad>/claim`: empty for a new pad; the current password for a protected ownerless one. */
export interface ClaimRequest {
  password?: string;
}
export interface ClaimReply {
  /** 32 random bytes, base64url; the server keeps only its SHA-256. Send it as `x-padmesh-owner`. */
  ownerToken: string;
}

/** `POST /api/pads/<pad>/unlock` */
export interface UnlockRequest {
  password: string;
}
export interface UnlockReply {
  unlocked: boolean;
}

/** `POST /api/pads/<pad>/password` (owner only); an empty password removes protection. */
export interface SetPasswordRequest {
  password: string;
  /** Ignored: the owner token is the proof now (OW). Still accepted so older app builds keep working. */
  currentPassword?: string;
}
export interface SetPasswordReply {
  protected: boolean;
}

/** `POST /api/pads/<pad>/read-only-link` and `.../read-only-link/rotate` (owner only) */
export interface ReadOnlyLinkReply {
  id: string;
  /** `/ro/<id>` */
  url: string;
}
/** `DELETE /api/pads/<pad>/read-only-link` (owner only) */
export interface ReadOnlyLinkRevoked {
  revoked: true;
}

/** `PUT /api/pads/<pad>/expiry` (owner only): ms since epoch, in the future, at most 10 years ahead; null clears it. */
export interface SetExpiryRequest {
  expiresAt: number | null;
}
export interface SetExpiryReply {
  expiresAt: number | null;
}

/** `DELETE /api/pads/<pad>` (owner only) */
export interface PadDeletedReply {
  deleted: true;
}

// `/api/pads/<pad>/versions[/<id>[/restore]]`

/** `GET /api/pads/<pad>/versions`, newest first. */
export interface VersionList {
  pad: string;
  versions: VersionMeta[];
}

/** `POST /api/pads/<pad>/versions` (an empty body saves an unnamed version). */
export interface SaveVersionRequest {
  name?: string;
}
export interface VersionSaved {
  version: VersionMeta;
}

/** `GET /api/pads/<pad>/versions/<id>?format=json` (without it: the text alone). */
export interface VersionDetail {
  version: VersionMeta;
  text: string;
  spans: Span[];
}

/** `POST /api/pads/<pad>/versions/<id>/restore` */
export interface VersionRestored {
  restored: string;
  version: VersionMeta;
}
