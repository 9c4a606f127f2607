import * as Y from 'yjs';

/**
 * Whether the doc holds a pending struct that Yjs will not retry by itself (HF5). Yjs retries
 * its pending update only when a dependency on its `missing` list arrives; a struct waiting for
 * a client nobody has keeps the whole update there, and a later struct in it whose own
 * dependencies arrived since (by other updates with the same client's clocks) stays pending
 * in the live doc, while a reload from storage integrates it. This finds such a struct by the
 * first clock of each client in the pending update (decoded once per pending update), and
 * only after that client's state advanced past what the last retry saw, so a struct that
 * still cannot integrate is not retried again until something changes for it.
 *
 * A retry leaves no struct whose clock the doc has, but one can come back without any
 * client's state advancing: a replayed update pends again and is merged into the pending
 * update, or Yjs retries a pending update it merged one into when a dependency arrives. Then
 * it blocks its client's later structs again, even those whose dependencies are all in the doc
 * by now, while a compaction (which keeps only what the doc lacks, `encode-state.ts`) drops it,
 * and a reload integrates them (what fits seed 1126005's HF5 failure in the long round: a
 * struct inserted and then deleted, so the texts were equal and the reloaded doc's state not).
 * So a pending update that changed since the last retry and holds such a struct is due too.
 */
export class PendingRetry {
  private seen: Uint8Array | null = null;
  private first = new Map<number, number>();
  /** Per client, its state when the pending update was last retried (or first seen). */
  private retriedAt = new Map<number, number>();
  /** The pending update the last retry left (a struct of a clock the doc has in any other came back). */
  private left: Uint8Array | null = null;
  /** Retry until a retry integrates nothing, whatever the clocks say (`force`). */
  private forced = false;

  /**
   * An update was applied in slices over pending structs (HS2): which of them Yjs retried
   * depended on where the slices were cut, so the pending update is retried until a retry
   * integrates nothing. Then the doc is what one whole update and the same retries leave
   * (update-split.test.ts).
   */
  force(): void {
    this.forced = true;
  }

  /**
   * True when a retry may integrate something: some client in the pending update reached its
   * first pending clock since the last retry, or the pending update changed since the last
   * retry and holds a struct of a clock the doc already has.
   */
  due(doc: Y.Doc): boolean {
    const pending = doc.store.pendingStructs;
    if (!pending) return false;
    if (this.forced) return true;
    if (pending.update !== this.seen) this.read(pending.update);
    const changed = pending.update !== this.left;
    for (const [client, clock] of this.first) {
      const state = Y.getState(doc.store, client);
      if (state >= clock && state > (this.retriedAt.get(client) ?? -1)) return true;
      if (changed && state > clock) return true;
    }
    return false;
  }

  /**
   * Applies the pending update again without what the doc already has: Yjs checks a struct's
   * dependencies before it skips a clock it has, so a struct whose clock the doc already holds
   * but whose origin is missing would block the rest again. What still cannot integrate pends.
   */
  retry(doc: Y.Doc, origin: unknown): void {
    const store = doc.store;
    const pending = store.pendingStructs;
    if (!pending) return;
    for (const client of this.first.keys()) this.retriedAt.set(client, Y.getState(store, client));
    const before = Y.encodeStateVector(doc);
    const rest = Y.diffUpdateV2(pending.update, before);
    store.pendingStructs = null;
    doc.transact(() => Y.applyUpdateV2(doc, rest), origin);
    // `doc.store`, not `store`: TypeScript takes `store.pendingStructs` for the null set above.
    this.left = doc.store.pendingStructs?.update ?? null;
    if (this.forced) this.forced = this.left !== null && !Buffer.from(before).equals(Y.encodeStateVector(doc));
  }

  private read(update: Uint8Array): void {
    this.seen = update;
    this.first = new Map();
    for (const s of Y.decodeUpdateV2(update).structs) {
      if (s instanceof Y.Skip) continue;
      const had = this.first.get(s.id.client);
      if (had === undefined || s.id.clock < had) this.first.set(s.id.client, s.id.clock);
    }
  }
}
