import {
  PRESENCE_DEFAULT_COLOR,
  presenceColor,
  presenceName,
  presenceTint,
  type PresenceUser,
} from '@padmesh/protocol';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A device id (E9): random and URL-safe, so it can only ever be compared, never rendered as markup. */
const DEVICE_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** Thrown for a state that is JSON but not an object; the guard turns it into a refusal. */
export class NotAnObject extends Error {}

/**
 * The presence state the server relays, built from what a client sent (PR4, PR5): `user` is
 * rebuilt from checked fields only, so nothing but a bounded name and `#rrggbb` colours can
 * reach another person's page, and `viewer` is the server's word, never the client's.
 * A colour that is not `#rrggbb` is replaced by a neutral one rather than refused: the person
 * stays visible, and an old or foreign client is not cut off for a cosmetic field.
 * Other fields (the editor's cursor) pass unchanged; the guard has bounded their size.
 */
export function normaliseState(raw: unknown, viewer: boolean): Record<string, unknown> {
  if (!isRecord(raw)) throw new NotAnObject('presence state is not an object');
  const state: Record<string, unknown> = { ...raw };
  if (!('user' in raw) && !viewer) return state;
  const u = isRecord(raw.user) ? raw.user : {};
  const user: PresenceUser = {
    name: presenceName(u.name) ?? (viewer ? 'Viewer' : 'Anonymous'),
    color: presenceColor(u.color) ?? PRESENCE_DEFAULT_COLOR,
  };
  const tint = presenceTint(u.colorLight);
  if (tint) user.colorLight = tint;
  if (typeof u.id === 'string' && DEVICE_ID.test(u.id)) user.id = u.id;
  if (viewer) user.viewer = true;
  state.user = user;
  return state;
}

/** The `user` of a relayed state, when it names an editor (not a viewer): what history may learn (PR8). */
export function editorOf(state: unknown): { name: string; color: string } | null {
  const u = isRecord(state) && isRecord(state.user) ? state.user : null;
  if (!u || u.viewer === true) return null;
  const name = presenceName(u.name);
  const color = presenceColor(u.color);
  return name && color ? { name, color } : null;
}
