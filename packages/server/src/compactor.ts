import type { Worker } from 'node:worker_threads';
import { fold, type Folded } from './fold.js';
import { startWorker } from './worker-thread.js';

type Reply = { id: number; ok: true; out: Folded } | { id: number; ok: false; message: string };

/**
 * Runs compaction folds (fold.ts) on a worker thread, one at a time, in order. Folding a
 * large pad re-applies its whole history, which takes the event loop away from every other
 * pad for as long as it runs; on the worker, fan-out and acknowledgements go on meanwhile.
 * A worker that dies fails the folds in flight (the pad compacts next time) and is replaced.
 */
export class Compactor {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, { resolve: (f: Folded) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;

  fold(snapshot: Uint8Array | null, updates: readonly Uint8Array[]): Promise<Folded> {
    if (this.closed) return Promise.reject(new Error('compactor closed'));
    const worker = this.ensure();
    const id = this.nextId++;
    return new Promise<Folded>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, snapshot, updates });
    });
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(import.meta.url, 'compactor-worker', null);
    // An idle compactor must not keep a process alive (CLI, tests).
    worker.unref();
    worker.on('message', (r: Reply) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      if (r.ok) w.resolve(r.out);
      else w.reject(new Error(r.message));
    });
    const died = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`compactor thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
    for (const x of this.waiting.values()) x.reject(new Error('compactor closed'));
    this.waiting.clear();
  }
}

/** Folds on the calling thread (CLI tools, tests without a compactor). */
export const inlineFolder = { fold: async (snapshot: Uint8Array | null, updates: readonly Uint8Array[]) => fold(snapshot, updates) };
export type Folder = Pick<Compactor, 'fold'>;
