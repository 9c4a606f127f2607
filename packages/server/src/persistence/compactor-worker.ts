/** The compactor thread (compactor.ts): folds one pad's stored state, or merges a join answer's updates, per message. */
import { parentPort } from 'node:worker_threads';
import { fold, type FoldOptions } from '../crdt/fold.js';
import { mergeInGroups } from '../crdt/merge.js';
import { failed, type Reply } from '../worker-thread.js';

const port = parentPort!;
type Job =
  | { id: number; kind: 'fold'; snapshot: Uint8Array | null; updates: Uint8Array[]; opts: FoldOptions }
  | { id: number; kind: 'merge'; updates: Uint8Array[] };

port.on('message', (job: Job) => {
  try {
    if (job.kind === 'merge') {
      const merged = mergeInGroups(job.updates);
      port.postMessage({ id: job.id, ok: true, value: merged } satisfies Reply, [merged.buffer as ArrayBuffer]);
      return;
    }
    const out = fold(job.snapshot, job.updates, job.opts);
    port.postMessage({ id: job.id, ok: true, value: out } satisfies Reply, [out.state.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage(failed(job.id, err));
  }
});
