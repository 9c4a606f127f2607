/** The compactor thread (compactor.ts): folds one pad's stored state per message. */
import { parentPort } from 'node:worker_threads';
import { fold } from '../crdt/fold.js';
import { failed, type Reply } from '../worker-thread.js';

const port = parentPort!;
port.on('message', (job: { id: number; snapshot: Uint8Array | null; updates: Uint8Array[] }) => {
  try {
    const out = fold(job.snapshot, job.updates);
    port.postMessage({ id: job.id, ok: true, value: out } satisfies Reply, [out.state.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage(failed(job.id, err));
  }
});
