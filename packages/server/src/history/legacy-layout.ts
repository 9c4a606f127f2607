import * as Y from 'yjs';
import { loadVerifiedDoc } from '../persistence/stored-doc.js';
import type { Storage } from '../storage/types.js';
import type { Author, VersionMeta } from './versions.js';

/**
 * Legacy layout (K3), read only. Before `Storage.records`, history rode the pad log as
 * pseudo-pads no pad id can name: `:vi:<pad>`, a Yjs doc with an array `versions` of
 * metadata and a map `authors` (client id → author), and `:v:<pad>:<id>`, one version's
 * state. They are never written again; history.ts lays the records over them (a record of
 * the same version id or client id wins), and a legacy version dropped by retention gets an
 * empty version record that hides it. Nothing is migrated: copying on first read could
 * overwrite a newer record written meanwhile by another node.
 */
const indexPad = (pad: string) => `:vi:${pad}`;
const statePad = (pad: string, id: string) => `:v:${pad}:${id}`;

export interface LegacyIndex {
  /** In recording order (oldest first); one id may appear more than once (a later naming). */
  versions: VersionMeta[];
  authors: Map<number, Author>;
}

export async function readLegacyIndex(storage: Storage, pad: string): Promise<LegacyIndex> {
  const { doc } = await loadVerifiedDoc(storage, indexPad(pad), { quarantine: false });
  try {
    const authors = new Map<number, Author>();
    for (const [k, v] of doc.getMap<Author>('authors')) authors.set(Number(k), v);
    return { versions: doc.getArray<VersionMeta>('versions').toArray(), authors };
  } finally {
    doc.destroy();
  }
}

/** A legacy version's state as a doc (empty if none is stored). */
export async function readLegacyState(storage: Storage, pad: string, id: string): Promise<Y.Doc> {
  return (await loadVerifiedDoc(storage, statePad(pad, id), { quarantine: false })).doc;
}

/** Frees a dropped legacy version's state: an empty snapshot covering its log, as retention always did. */
export async function dropLegacyState(storage: Storage, pad: string, id: string): Promise<void> {
  const stored = await storage.load(statePad(pad, id));
  if (stored.lastSeq === 0) return;
  await storage.compact(statePad(pad, id), Y.encodeStateAsUpdate(new Y.Doc()), stored.lastSeq);
}
