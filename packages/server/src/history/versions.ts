import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import type { Storage } from '../storage/types.js';
import type { Author, Span, VersionMeta } from '@padmesh/protocol';

// The version shapes are part of the HTTP API, so they live with the other wire types.
export type { Author, Span, VersionMeta };

export interface RetentionPolicy {
  /** Versions kept per pad at most; the oldest beyond it are dropped (named ones last). */
  maxVersions: number;
}

/**
 * Versions live in the pad log under keys no pad id can take (':'), like protection
 * settings: `:vi:<pad>` is a small Yjs doc indexing every version (metadata and the
 * clientID → author map), `:v:<pad>:<id>` holds one version's full Yjs state. So every
 * backend and every cluster node shares history with no schema of its own, and a version
 * is rebuilt exactly by applying its stored state (V1). Ids are a hash of the state, so two
 * nodes recording the same state write one version (V4).
 */
const indexKey = (pad: string) => `:vi:${pad}`;
const versionKey = (pad: string, id: string) => `:v:${pad}:${id}`;
export const VERSION_ID = /^[0-9a-f]{16}$/;

async function loadDoc(storage: Storage, key: string): Promise<Y.Doc> {
  const stored = await storage.load(key);
  const doc = new Y.Doc();
  doc.transact(() => {
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const u of stored.updates) Y.applyUpdate(doc, u);
  });
  return doc;
}

/** Applies `change` to the stored doc at `key` and appends the resulting update durably. */
async function change(storage: Storage, key: string, fn: (doc: Y.Doc) => void): Promise<void> {
  const doc = await loadDoc(storage, key);
  let update: Uint8Array | null = null;
  doc.on('update', (u: Uint8Array) => (update = u));
  doc.transact(() => fn(doc));
  if (update) await storage.append([{ pad: key, update }]);
  doc.destroy();
}

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

export class History {
  constructor(
    private readonly storage: Storage,
    private readonly policy: RetentionPolicy,
  ) {}

  async list(pad: string): Promise<VersionMeta[]> {
    const doc = await loadDoc(this.storage, indexKey(pad));
    const seen = new Set<string>();
    const out: VersionMeta[] = [];
    // Newest entry per id wins: naming an existing state adds a named entry for it, and two
    // nodes that recorded the same state show once.
    for (const v of doc.getArray<VersionMeta>('versions').toArray().reverse()) {
      if (seen.has(v.id)) continue;
      seen.add(v.id);
      out.push(v);
    }
    doc.destroy();
    return out.sort((a, b) => b.createdAt - a.createdAt);
  }

  async authors(pad: string): Promise<Map<number, Author>> {
    const doc = await loadDoc(this.storage, indexKey(pad));
    const map = new Map<number, Author>();
    for (const [k, v] of doc.getMap<Author>('authors')) map.set(Number(k), v);
    doc.destroy();
    return map;
  }

  /** Remembers who a Yjs client is, so authorship survives the client leaving. */
  async rememberAuthors(pad: string, authors: ReadonlyMap<number, Author>): Promise<void> {
    if (authors.size === 0) return;
    await change(this.storage, indexKey(pad), (doc) => {
      const m = doc.getMap<Author>('authors');
      for (const [id, a] of authors) {
        const cur = m.get(String(id));
        if (!cur || cur.name !== a.name || cur.color !== a.color) m.set(String(id), a);
      }
    });
  }

  /** Records `doc`'s current state as a version (or returns the existing one for the same state). */
  async record(pad: string, doc: Y.Doc, meta: Omit<VersionMeta, 'id' | 'createdAt' | 'size'>): Promise<VersionMeta> {
    const id = versionIdOf(doc);
    const existing = (await this.list(pad)).find((v) => v.id === id);
    if (existing && !(meta.reason === 'request' && meta.name)) return existing;
    const version: VersionMeta = { ...meta, id, createdAt: Date.now(), size: doc.getText('content').length };
    await this.storage.append([{ pad: versionKey(pad, id), update: Y.encodeStateAsUpdate(doc) }]);
    await change(this.storage, indexKey(pad), (d) => d.getArray<VersionMeta>('versions').push([version]));
    await this.prune(pad);
    return version;
  }

  async get(pad: string, id: string): Promise<{ meta: VersionMeta; doc: Y.Doc } | null> {
    if (!VERSION_ID.test(id)) return null;
    const meta = (await this.list(pad)).find((v) => v.id === id);
    if (!meta) return null;
    return { meta, doc: await loadDoc(this.storage, versionKey(pad, id)) };
  }

  /** Keeps at most `maxVersions`: drops the oldest unnamed versions first, then the oldest named. */
  private async prune(pad: string): Promise<void> {
    const all = await this.list(pad);
    if (all.length <= this.policy.maxVersions) return;
    const byAge = [...all].sort((a, b) => a.createdAt - b.createdAt);
    const victims = [...byAge.filter((v) => !v.name), ...byAge.filter((v) => v.name)].slice(
      0,
      all.length - this.policy.maxVersions,
    );
    const drop = new Set(victims.map((v) => v.id));
    await change(this.storage, indexKey(pad), (d) => {
      const arr = d.getArray<VersionMeta>('versions');
      for (let i = arr.length - 1; i >= 0; i--) if (drop.has(arr.get(i).id)) arr.delete(i, 1);
    });
    // The version's state is replaced by an empty snapshot covering its log entry.
    for (const id of drop) {
      const stored = await this.storage.load(versionKey(pad, id));
      await this.storage.compact(versionKey(pad, id), Y.encodeStateAsUpdate(new Y.Doc()), stored.lastSeq);
    }
  }
}
