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
  /** What made it: a pause in editing, the interval during continuous editing, a request, a restore. */
  reason: VersionReason;
}

/** A run of a version's text written by one author (`null`: unknown). */
export interface Span {
  from: number;
  to: number;
  author: Author | null;
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

// `/api/pads/<pad>/access|unlock|password|read-only-link`

/** `GET /api/pads/<pad>/access` */
export interface AccessStatus {
  protected: boolean;
  unlocked: boolean;
}

/** `POST /api/pads/<pad>/unlock` */
export interface UnlockRequest {
  password: string;
}
export interface UnlockReply {
  unlocked: boolean;
}

/** `POST /api/pads/<pad>/password`; an empty password removes protection. */
export interface SetPasswordRequest {
  password: string;
  /** Needed when the pad already has a password. */
  currentPassword?: string;
}
export interface SetPasswordReply {
  protected: boolean;
}

/** `POST /api/pads/<pad>/read-only-link` */
export interface ReadOnlyLinkReply {
  id: string;
  /** `/ro/<id>` */
  url: string;
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
