import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import { systemClock, type Clock } from '../clock.js';
import { encodeState } from '../crdt/encode-state.js';
import { docFromStored } from '../persistence/stored-doc.js';
import { authorKey, authorPrefix, versionKey, versionPrefix, versionStateKey } from '../persistence/side-data-keys.js';
import type { Storage } from '../storage/types.js';
import type { Author, Span, VersionMeta } from '@padmesh/protocol';
import { dropLegacyState, readLegacyIndex, readLegacyState } from './legacy-layout.js';

// The version shapes are part of the HTTP API, so they live with the other wire types.
export type { Author, Span, VersionMeta };

export interface RetentionPolicy {
  /** Versions kept per pad at most; the oldest beyond it are dropped (named ones last). */
  maxVersions: number;
  /**
   * Bytes of stored states kept per pad at most (at least one version is kept): a count
   * alone lets 200 full copies of a large pad pile up. Unbounded when omitted.
   */
  maxBytes?: number;
}

export const VERSION_ID = /^[0-9a-f]{16}$/;

const json = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value)));
const parse = <T>(value: Uint8Array) => JSON.parse(Buffer.from(value).toString('utf8')) as T;

/** A version's stored state size; versions recorded before sizes were kept count their characters. */
const stateBytes = (v: VersionMeta) => v.bytes ?? v.size;

export function versionIdOf(doc: Y.Doc): string {
  return createHash('sha256')
    .update(Y.encodeSnapshot(Y.snapshot(doc)))
    .digest('hex')
    .slice(0, 16);
}

/** Spans of the text by author, walking the text's items (deleted ones skipped). */
export function authorship(doc: Y.Doc, authors: ReadonlyMap<number, Author>): Span[] {
  const spans: Span[] = [];
  let pos = 0;
  for (let item = doc.getText('content')._start; item; item = item.right) {
    if (item.deleted || !(item.content instanceof Y.ContentString)) continue;
    const len = item.content.str.length;
    const author = authors.get(item.id.client) ?? null;
    const last = spans.at(-1);
    if (last && last.author?.name === author?.name && last.author?.color === author?.color) last.to += len;
    else spans.push({ from: pos, to: pos + len, author });
    pos += len;
  }
  return spans;
}

/**
 * Versions live in `Storage.records` (side-data-keys.ts): one record per version holding its
 * metadata, one holding its full Yjs state (V2: rebuilt exactly by applying it), one per
 * author. Two nodes recording versions of one pad write different keys, so neither loses
 * the other's (K2); ids hash the state, so two nodes recording the same state write one
 * version (V4). Pads recorded before records existed are read from the legacy pseudo-pads
 * underneath (legacy-layout.ts, K3).
 */
export class History {
  private lastCreatedAt = 0;

  constructor(
    private readonly storage: Storage,
    private readonly policy: RetentionPolicy,
    private readonly clock: Clock = systemClock,
  ) {}

  async list(pad: string): Promise<VersionMeta[]> {
    return (await this.read(pad)).versions;
  }

  /** Live versions, newest first, and the ids the legacy layout holds. */
  private async read(pad: string): Promise<{ versions: VersionMeta[]; legacy: Set<string> }> {
    const [records, legacy] = await Promise.all([
      this.storage.records.list(versionPrefix(pad)),
      readLegacyIndex(this.storage, pad),
    ]);
    const seen = new Set<string>();
    const out: VersionMeta[] = [];
    for (const r of records) {
      seen.add(r.key.slice(versionPrefix(pad).length));
      if (r.value.length > 0) out.push(parse<VersionMeta>(r.value)); // empty: a dropped legacy version
    }
    // Legacy: newest entry per id wins (naming an existing state added a named entry for
    // it, and two nodes that recorded the same state show once); a record of the id wins
    // over all of them.
    for (const v of legacy.versions.reverse()) {
      if (seen.has(v.id)) continue;
      seen.add(v.id);
      out.push(v);
    }
    // Every id the legacy index knows, record or not: removing such a version must mask
    // the legacy entry (an empty record), and its state may live in the legacy layout.
    const legacyIds = new Set(legacy.versions.map((v) => v.id));
    return { versions: out.sort((a, b) => b.createdAt - a.createdAt), legacy: legacyIds };
  }

  async authors(pad: string): Promise<Map<number, Author>> {
    const [records, legacy] = await Promise.all([
      this.storage.records.list(authorPrefix(pad)),
      readLegacyIndex(this.storage, pad),
    ]);
    const map = legacy.authors;
    for (const r of records) map.set(Number(r.key.slice(authorPrefix(pad).length)), parse<Author>(r.value));
    return map;
  }

  /** Remembers who a Yjs client is, so authorship survives the client leaving. */
  async rememberAuthors(pad: string, authors: ReadonlyMap<number, Author>): Promise<void> {
    if (authors.size === 0) return;
    const known = await this.authors(pad);
    const changed = [...authors].filter(([id, a]) => {
      const cur = known.get(id);
      return !cur || cur.name !== a.name || cur.color !== a.color;
    });
    // One record per client id: concurrent nodes remembering other clients never collide.
    await Promise.all(
      changed.map(([id, a]) => this.storage.records.put(authorKey(pad, id), json({ name: a.name, color: a.color }))),
    );
  }

  /** Records `doc`'s current state as a version (or returns the existing one for the same state). */
  async record(
    pad: string,
    doc: Y.Doc,
    meta: Omit<VersionMeta, 'id' | 'createdAt' | 'size'>,
    stateOf?: () => Promise<Uint8Array>,
  ): Promise<VersionMeta> {
    const id = versionIdOf(doc);
    const size = doc.getText('content').length;
    // Asked for in the same turn as the id, so the state is the one the id names.
    const folded = stateOf?.();
    folded?.catch(() => {});
    const existing = (await this.list(pad)).find((v) => v.id === id);
    if (existing && !(meta.reason === 'request' && meta.name)) return existing;
    // Strictly increasing per node, so versions recorded within one millisecond (a request
    // right after an idle save) still list, and are pruned, in the order they were made.
    const createdAt = (this.lastCreatedAt = Math.max(this.clock.now(), this.lastCreatedAt + 1));
    // Naming an existing state adds metadata only: the state it has (in the records or the
    // legacy layout) stays, never a second full copy.
    const state = existing ? null : folded ? await folded : encodeState(doc);
    const bytes = state?.length ?? existing?.bytes;
    const version: VersionMeta = {
      ...meta,
      id,
      createdAt,
      size,
      ...(bytes === undefined ? {} : { bytes }),
    };
    // State before metadata: a listed version always has its state.
    if (state) await this.storage.records.put(versionStateKey(pad, id), state);
    await this.storage.records.put(versionKey(pad, id), json(version));
    await this.prune(pad);
    return version;
  }

  async get(pad: string, id: string): Promise<{ meta: VersionMeta; doc: Y.Doc } | null> {
    if (!VERSION_ID.test(id)) return null;
    const { versions, legacy } = await this.read(pad);
    const meta = versions.find((v) => v.id === id);
    if (!meta) return null;
    const state = await this.storage.records.get(versionStateKey(pad, id));
    if (state) return { meta, doc: docFromStored({ snapshot: state, updates: [] }) };
    // A version dropped by a concurrent prune between the listing and here has no state left.
    return legacy.has(id) ? { meta, doc: await readLegacyState(this.storage, pad, id) } : null;
  }

  /**
   * Keeps at most `maxVersions` and `maxBytes` of states: drops the oldest unnamed versions
   * first, then the oldest named; at least one is kept.
   */
  private async prune(pad: string): Promise<void> {
    const { versions: all, legacy } = await this.read(pad);
    const maxBytes = this.policy.maxBytes ?? Infinity;
    let count = all.length;
    let bytes = all.reduce((n, v) => n + stateBytes(v), 0);
    if (count <= this.policy.maxVersions && bytes <= maxBytes) return;
    const byAge = [...all].sort((a, b) => a.createdAt - b.createdAt);
    const victims: VersionMeta[] = [];
    for (const v of [...byAge.filter((v) => !v.name), ...byAge.filter((v) => v.name)]) {
      // One version is always kept, however large (a pad's state is bounded by MAX_PAD_BYTES).
      if (count <= 1 || (count <= this.policy.maxVersions && bytes <= maxBytes)) break;
      victims.push(v);
      count--;
      bytes -= stateBytes(v);
    }
    for (const { id } of victims) {
      // Unlist first, then free the state, so no listed version points at a missing state.
      if (legacy.has(id)) {
        await this.storage.records.put(versionKey(pad, id), new Uint8Array()); // hides the legacy entry
        await dropLegacyState(this.storage, pad, id);
      } else await this.storage.records.delete([versionKey(pad, id)]);
      await this.storage.records.delete([versionStateKey(pad, id)]);
    }
  }
}
