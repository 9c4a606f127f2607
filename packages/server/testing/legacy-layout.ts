import * as Y from 'yjs';
import type { Storage } from '../src/storage/types.js';

/**
 * Writes side data the way nodes did before `Storage.records` (K3): Yjs docs in pseudo-pads
 * of the pad log. Tests use it to prove that data in the old layout is still served.
 */
async function change(storage: Storage, key: string, fn: (doc: Y.Doc) => void): Promise<void> {
  const stored = await storage.load(key);
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const u of stored.updates) Y.applyUpdate(doc, u);
  let update: Uint8Array | null = null;
  doc.on('update', (u: Uint8Array) => (update = u));
  doc.transact(() => fn(doc));
  if (update) await storage.append([{ pad: key, update }]);
  doc.destroy();
}

/** `:meta:<pad>`: password hash and read-only id, as `PadAccess` wrote them. */
export async function writeLegacyAccess(
  storage: Storage,
  pad: string,
  values: { passwordHash?: string | null; readOnlyId?: string },
): Promise<void> {
  await change(storage, `:meta:${pad}`, (d) => {
    for (const [k, v] of Object.entries(values)) d.getMap('meta').set(k, v);
  });
  if (values.readOnlyId) await change(storage, `:ro:${values.readOnlyId}`, (d) => d.getMap('meta').set('pad', pad));
}

export interface LegacyVersion {
  id: string;
  createdAt: number;
  name: string | null;
  authors: { name: string; color: string }[];
  size: number;
  reason: 'idle' | 'interval' | 'request' | 'restore' | 'close';
}

/** `:v:<pad>:<id>` state and an entry in the `:vi:<pad>` index, as `History.record` wrote them. */
export async function writeLegacyVersion(
  storage: Storage,
  pad: string,
  doc: Y.Doc,
  meta: LegacyVersion,
): Promise<void> {
  await storage.append([{ pad: `:v:${pad}:${meta.id}`, update: Y.encodeStateAsUpdate(doc) }]);
  await change(storage, `:vi:${pad}`, (d) => d.getArray('versions').push([meta]));
}

/** Authors in the `:vi:<pad>` index, as `History.rememberAuthors` wrote them. */
export async function writeLegacyAuthors(
  storage: Storage,
  pad: string,
  authors: ReadonlyMap<number, { name: string; color: string }>,
): Promise<void> {
  await change(storage, `:vi:${pad}`, (d) => {
    for (const [id, a] of authors) d.getMap('authors').set(String(id), a);
  });
}
