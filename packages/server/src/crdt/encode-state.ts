import * as Y from 'yjs';

/** A Yjs update that changes nothing (no structs, no deletes). */
export const EMPTY_UPDATE = new Uint8Array([0, 0]);

/**
 * `Y.encodeStateAsUpdate`, safe for a doc that holds pending structs. Yjs merges its pending
 * update into the result as it is, and that update can hold structs the doc has since
 * integrated from another update with the same ids (a replayed or forged id): Yjs keeps a
 * pending struct until the dependency it waits for arrives, not until its own clock is
 * reached. `Y.mergeUpdates` of the state with such a stale struct lost text: the structure
 * fuzzer (seed 1126001) found a compaction whose snapshot loaded 212 of the live doc's 223
 * characters (`test/fixtures/pending-merge.json`). So the state is encoded without the
 * pending parts, and only what neither the doc nor the target has of the pending structs is
 * merged in, as Yjs itself would skip the rest when it retries them. Without
 * `withPendingStructs`, none of them: what a client or a peer is sent (HI13: a pending insert
 * is checked only once this node places it, and one a client placed itself, ahead of the
 * node, would be refused each time the client sent it back).
 */
export function encodeState(doc: Y.Doc, targetStateVector?: Uint8Array, withPendingStructs = true): Uint8Array {
  const store = doc.store;
  const structs = withPendingStructs ? store.pendingStructs : null;
  const deletes = store.pendingDs;
  if (!store.pendingStructs && !deletes) return Y.encodeStateAsUpdate(doc, targetStateVector);
  const held = store.pendingStructs;
  store.pendingStructs = null;
  store.pendingDs = null;
  let state: Uint8Array;
  try {
    state = Y.encodeStateAsUpdate(doc, targetStateVector);
  } finally {
    store.pendingStructs = held;
    store.pendingDs = deletes;
  }
  const parts = [state];
  if (structs) {
    const have = Y.decodeStateVector(Y.encodeStateVector(doc));
    if (targetStateVector)
      for (const [client, clock] of Y.decodeStateVector(targetStateVector))
        have.set(client, Math.max(clock, have.get(client) ?? 0));
    parts.push(Y.diffUpdate(Y.convertUpdateFormatV2ToV1(structs.update), Y.encodeStateVector(have)));
  }
  if (deletes) parts.push(Y.convertUpdateFormatV2ToV1(deletes));
  return Y.mergeUpdates(parts);
}
