/** The compactor thread (compactor.ts): folds one pad's stored state per message. */
import { parentPort } from 'node:worker_threads';
import { fold } from './fold.js';

const port = parentPort!;
port.on('message', (job: { id: number; snapshot: Uint8Array | null; updates: Uint8Array[] }) => {
  try {
    const out = fold(job.snapshot, job.updates);
    port.postMessage({ id: job.id, ok: true, out }, [out.state.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ id: job.id, ok: false, message: (err as Error).message });
  }
});
