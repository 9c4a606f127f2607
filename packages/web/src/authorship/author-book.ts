import { presenceColor, presenceName, type Author, type AuthorList } from '@padmesh/protocol';
import type { Awareness } from 'y-protocols/awareness';

/** A client id nobody could name is asked about again at most this often (the server learns authors as versions are recorded). */
export const REFETCH_MS = 15_000;

/** A presence `user` or a stored author as the colours may use it: checked name and `#rrggbb`, else nothing (PR5). */
function checked(raw: unknown): Author | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { name, color } = raw as Record<string, unknown>;
  const n = presenceName(name);
  const c = presenceColor(color);
  return n && c ? { name: n, color: c } : null;
}

/**
 * Who each Yjs client id of the pad is (AU1): people online now from awareness (validated
 * by the server, PR5, and checked again here), people seen online earlier in this visit (a
 * collaborator who reloaded has a new client id, and their old one is only in our memory or
 * the server's), and the server's record of who wrote (`/api/pads/<pad>/authors`, the same
 * data as History's "By author"). A person's colour is their identity's colour, so text from
 * all their sessions shares it.
 */
export class AuthorBook {
  private readonly seen = new Map<number, Author>();
  private stored = new Map<number, Author>();
  private lastFetch = -Infinity;
  private fetching = false;
  private destroyed = false;

  constructor(
    private readonly awareness: Awareness,
    /** The pad's id for the server's map; null on a read-only link (no pad API there): awareness only. */
    private readonly pad: string | null,
    private readonly changed: () => void,
  ) {
    awareness.on('change', this.onAwareness);
    this.remember([...awareness.getStates().keys()]);
    void this.fetch();
  }

  authorOf(client: number): Author | undefined {
    const live = checked(this.awareness.getStates().get(client)?.user);
    return live ?? this.seen.get(client) ?? this.stored.get(client);
  }

  /** Text by a client nobody could name is on screen: ask the server again (rate-limited). */
  unknownSeen(): void {
    if (performance.now() - this.lastFetch >= REFETCH_MS) void this.fetch();
  }

  destroy(): void {
    this.destroyed = true;
    this.awareness.off('change', this.onAwareness);
  }

  private onAwareness = ({ added, updated }: { added: number[]; updated: number[] }) => {
    if (this.remember([...added, ...updated])) this.changed();
  };

  /** Keeps who the given ids are; true if anyone is new or changed name or colour. */
  private remember(ids: number[]): boolean {
    let news = false;
    for (const id of ids) {
      const a = checked(this.awareness.getStates().get(id)?.user);
      const had = this.seen.get(id);
      if (!a || (had && had.name === a.name && had.color === a.color)) continue;
      this.seen.set(id, a);
      news = true;
    }
    return news;
  }

  private async fetch(): Promise<void> {
    if (!this.pad || this.fetching) return;
    this.fetching = true;
    this.lastFetch = performance.now();
    try {
      const res = await fetch(`/api/pads/${encodeURIComponent(this.pad)}/authors`, { credentials: 'same-origin' });
      if (!res.ok || this.destroyed) return; // locked or offline: live awareness still colours
      const body = (await res.json()) as Partial<AuthorList>;
      const map = new Map<number, Author>();
      for (const entry of Array.isArray(body.authors) ? body.authors : []) {
        const a = checked(entry);
        if (a && Number.isSafeInteger(entry.client)) map.set(entry.client, a);
      }
      this.stored = map;
      this.changed();
    } catch {
      // Offline: colours come from awareness and memory until the next try.
    } finally {
      this.fetching = false;
    }
  }
}
