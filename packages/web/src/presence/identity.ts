import { PRESENCE_NAME_MAX, presenceColor, presenceTint, type PresenceUser } from '@padmesh/protocol';

/**
 * Who this browser is on every pad: a friendly random name and colour, kept in localStorage
 * and published as the presence `user` (with our tint always set).
 */
export interface Identity extends PresenceUser {
  colorLight: string;
}

const KEY = 'padmesh.identity';
const ADJECTIVES = [
  'Amber',
  'Brisk',
  'Calm',
  'Daring',
  'Eager',
  'Fuzzy',
  'Gentle',
  'Happy',
  'Indigo',
  'Jolly',
  'Keen',
  'Lucky',
  'Mellow',
  'Nimble',
  'Olive',
  'Plucky',
  'Quiet',
  'Rosy',
  'Sunny',
  'Tidy',
  'Witty',
  'Zesty',
];
const ANIMALS = [
  'Otter',
  'Badger',
  'Heron',
  'Lynx',
  'Panda',
  'Fox',
  'Koala',
  'Falcon',
  'Gecko',
  'Walrus',
  'Marten',
  'Ibis',
  'Yak',
  'Puffin',
  'Beaver',
  'Dingo',
  'Llama',
  'Seal',
  'Wren',
  'Tapir',
];
/** Distinct hues (no two blues or teals), white text readable on each, and a light tint for selections. */
const PALETTE: [string, string][] = [
  ['#d1495b', '#d1495b33'],
  ['#e07a1f', '#e07a1f33'],
  ['#2a9d8f', '#2a9d8f33'],
  ['#1f6feb', '#1f6feb33'],
  ['#8e44ad', '#8e44ad33'],
  ['#c2185b', '#c2185b33'],
  ['#3d8b37', '#3d8b3733'],
  ['#6d4c41', '#6d4c4133'],
  ['#a67c00', '#a67c0033'],
  ['#546e7a', '#546e7a33'],
];

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

export function randomIdentity(): Identity {
  const [color, colorLight] = pick(PALETTE);
  return { name: `${pick(ADJECTIVES)} ${pick(ANIMALS)}`, color, colorLight };
}

export function loadIdentity(): Identity {
  try {
    const raw = localStorage.getItem(KEY);
    if (raw) {
      const v = JSON.parse(raw) as Partial<Identity>;
      // Our own colour is published to others, so it must pass the server's check (PR5) unchanged.
      if (typeof v.name === 'string' && presenceColor(v.color) && presenceTint(v.colorLight)) return v as Identity;
    }
  } catch {
    // Storage may be disabled; a fresh identity per visit is the fallback.
  }
  const fresh = randomIdentity();
  saveIdentity(fresh);
  return fresh;
}

export function saveIdentity(id: Identity): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(id));
  } catch {
    // Not fatal: the name just won't be remembered.
  }
}

/** Names are user input: trim, collapse spaces, and bound the length. */
export function cleanName(raw: string): string {
  return raw.replace(/\s+/g, ' ').trim().slice(0, PRESENCE_NAME_MAX);
}

export function initials(name: string): string {
  const parts = name.split(' ').filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}
