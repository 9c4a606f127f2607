import { presenceColor, presenceName } from '@padmesh/protocol';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import type { Clock, Timer } from '../clock.js';
import type { Author, History, VersionMeta } from './versions.js';
import type { Logger } from '../log.js';

/**
 * How soon after a new Yjs client's first edit its author is stored, without waiting for the
 * next version (up to `idleMs`): the editor's authorship colours name a writer who left or
 * reloaded from this record (AU3). One record per client id, written once.
 */
export const AUTHOR_REMEMBER_MS = 1_000;

export interface VersionTimings {
  /** A version after this long without edits. */
  idleMs: number;
  /** And at least this often while editing goes on. */
  maxIntervalMs: number;
}

/**
 * Decides when a pad's state becomes a version: after a pause in editing, every
 * `maxIntervalMs` of continuous editing, on request, on restore, and when the pad unloads
 * with unrecorded edits. Only edits made on this node count (bus updates don't), so in a
 * cluster the node the authors are on records the versions.
 */
export class VersionRecorder {
  private contributors = new Set<number>();
  /** Clients that edited here whose author is not stored yet (AU3); bounded by the pad's client ids. */
  private unremembered = new Set<number>();
  /** Client ids whose author this recorder stored (so each is written once, unless it changes). */
  private readonly remembered = new Set<number>();
  private rememberTimer: Timer | null = null;
  private readonly known = new Map<number, Author>();
  /** Armed once per pause, not once per edit: on firing it waits out what later edits added. */
  private idleTimer: Timer | null = null;
  private lastEdit = 0;
  private dirtySince: number | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  /** Told after each version is stored, whatever its reason, so the room can announce it (V7). */
  onRecorded: (v: VersionMeta) => void = () => {};

  constructor(
    private readonly pad: string,
    private readonly doc: Y.Doc,
    private readonly history: History,
    private readonly timings: VersionTimings,
    private readonly log: Logger,
    private readonly clock: Clock,
    /** The doc's state encoded off the event loop (the room's join state); encoded here when absent. */
    private readonly stateOf?: () => Promise<Uint8Array>,
  ) {}

  /** A local edit landed (from a client or the API). */
  edited(update: Uint8Array): void {
    for (const client of writers(update)) {
      if (!this.contributors.has(client) && !this.remembered.has(client)) this.unremembered.add(client);
      this.contributors.add(client);
    }
    this.rememberSoon();
    const now = (this.lastEdit = this.clock.now());
    this.dirtySince ??= now;
    if (!this.idleTimer) this.armIdle(this.timings.idleMs);
    if (now - this.dirtySince >= this.timings.maxIntervalMs) void this.record('interval');
  }

  /** A version once `idleMs` has passed since the last edit; one timer per pause, not one per keystroke. */
  private armIdle(ms: number): void {
    this.idleTimer = this.clock.after(ms, () => {
      const left = this.lastEdit + this.timings.idleMs - this.clock.now();
      if (left > 0) return this.armIdle(left);
      this.idleTimer = null;
      void this.record('idle');
    });
  }

  /**
   * Presence tells us who each Yjs client is. The room passes only states its presence guard
   * admitted (owned by the sending connection, PR8); the values are checked again here
   * because they are stored and shown in the history panel.
   */
  learn(clientId: number, user: Author): void {
    const name = presenceName(user.name);
    const color = presenceColor(user.color);
    if (!name || !color) return;
    const had = this.known.get(clientId);
    this.known.set(clientId, { name, color });
    // Renamed or recoloured after writing: the stored author follows.
    if (had && (had.name !== name || had.color !== color) && this.remembered.delete(clientId))
      this.unremembered.add(clientId);
    this.rememberSoon();
  }

  /** Stores the authors of new writers shortly, serialised with versions (AU3). */
  private rememberSoon(): void {
    if (this.rememberTimer || !this.anyUnrememberedKnown()) return;
    this.rememberTimer = this.clock.after(AUTHOR_REMEMBER_MS, () => {
      this.rememberTimer = null;
      const authors = new Map<number, Author>();
      for (const id of this.unremembered) {
        const a = this.known.get(id);
        if (!a) continue; // no presence yet: stored once it arrives
        authors.set(id, a);
        this.unremembered.delete(id);
        this.remembered.add(id);
      }
      this.chain = this.chain
        .then(() => this.history.rememberAuthors(this.pad, authors))
        .catch((err) => this.log.warn({ err, pad: this.pad }, 'remembering authors failed'));
    });
  }

  private anyUnrememberedKnown(): boolean {
    for (const id of this.unremembered) if (this.known.has(id)) return true;
    return false;
  }

  get dirty(): boolean {
    return this.dirtySince !== null;
  }

  /** Records now; serialised so versions never interleave. */
  record(reason: VersionMeta['reason'], name: string | null = null): Promise<VersionMeta> {
    this.idleTimer?.cancel();
    this.idleTimer = null;
    const contributors = this.contributors;
    this.contributors = new Set();
    this.dirtySince = null;
    const run = this.chain.then(async () => {
      const authors = new Map<number, Author>();
      for (const id of contributors) {
        const a = this.known.get(id);
        if (a) authors.set(id, a);
      }
      await this.history.rememberAuthors(this.pad, authors);
      const unique = [...new Map([...authors.values()].map((a) => [`${a.name}\u0000${a.color}`, a])).values()];
      const v = await this.history.record(this.pad, this.doc, { name, authors: unique, reason }, this.stateOf);
      this.onRecorded(v);
      return v;
    });
    this.chain = run.catch((err) => this.log.warn({ err, pad: this.pad }, 'recording a version failed'));
    return run;
  }

  destroy(): void {
    this.idleTimer?.cancel();
    this.rememberTimer?.cancel();
  }
}

/**
 * Client ids with structs in a v1 update: from its header when it holds one client's block
 * (every keystroke), else parsed (Y.parseUpdateMeta decodes every struct).
 */
function writers(update: Uint8Array): Iterable<number> {
  const d = decoding.createDecoder(update);
  if (decoding.readVarUint(d) === 1 && decoding.readVarUint(d) > 0) return [decoding.readVarUint(d)];
  return Y.parseUpdateMeta(update).from.keys();
}
