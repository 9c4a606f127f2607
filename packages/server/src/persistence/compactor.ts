import { fold, type FoldOptions, type Folded } from '../crdt/fold.js';
import { mergeInGroups } from '../crdt/merge.js';
import { WorkerCalls, startWorker } from '../worker-thread.js';

/**
 * Runs compaction folds (fold.ts) on a worker thread, one at a time, in order. Folding a
 * large pad re-applies its whole history, which takes the event loop away from every other
 * pad for as long as it runs; on the worker, fan-out and acknowledgements go on meanwhile.
 * A worker that dies fails the folds in flight (the pad compacts next time) and is replaced.
 */
export class Compactor {
  private calls: WorkerCalls | null = null;
  private closed = false;

  fold(snapshot: Uint8Array | null, updates: readonly Uint8Array[], opts: FoldOptions = {}): Promise<Folded> {
    if (this.closed) return Promise.reject(new Error('compactor closed'));
    return this.thread().call<Folded>({ kind: 'fold', snapshot, updates, opts });
  }

  /** Merges updates a doc emitted into one (`crdt/merge.ts`): a join answer's chunk, without its base. */
  merge(updates: readonly Uint8Array[]): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new Error('compactor closed'));
    return this.thread().call<Uint8Array>({ kind: 'merge', updates });
  }

  private thread(): WorkerCalls {
    if (this.calls) return this.calls;
    const worker = startWorker(import.meta.url, 'compactor-worker', null);
    // An idle compactor must not keep a process alive (CLI, tests).
    worker.unref();
    const calls = new WorkerCalls(worker, 'compactor', () => {
      if (this.calls === calls) this.calls = null;
    });
    return (this.calls = calls);
  }

  async close(): Promise<void> {
    this.closed = true;
    const calls = this.calls;
    this.calls = null;
    // Folds in flight fail with the thread's exit; their pads compact next time they load.
    if (calls) await calls.worker.terminate();
  }
}

/** Folds on the calling thread (CLI tools, tests without a compactor). */
export const inlineFolder = {
  fold: async (snapshot: Uint8Array | null, updates: readonly Uint8Array[], opts: FoldOptions = {}) =>
    fold(snapshot, updates, opts),
  merge: async (updates: readonly Uint8Array[]) => mergeInGroups(updates),
};
export type Folder = Pick<Compactor, 'fold' | 'merge'>;
