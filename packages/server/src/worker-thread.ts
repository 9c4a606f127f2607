import { Worker } from 'node:worker_threads';

/**
 * Starts `<name>.js` next to `base` (the caller's import.meta.url) on a worker thread. Built
 * code runs the .js directly. From sources (tests, bench) the worker loads tsx itself first:
 * on Node 20 a worker thread does not inherit the main thread's `--import tsx` loader hooks.
 */
export function startWorker(base: string, name: string, workerData: unknown): Worker {
  if (!base.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, base), { workerData });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL(`./${name}.ts`, base).href);
  return new Worker(`import(${tsx}).then((m) => { m.register(); return import(${entry}); })`, {
    eval: true,
    workerData,
  });
}

/**
 * A worker thread's answer to call `id`; id 0 says the worker is ready. A `part` comes ahead
 * of the answer, for a call that hands over what it reads as it goes (a streamed load).
 */
export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { message: string; code?: string; name: string } }
  | { id: number; part: unknown };

/** The reply that carries an error thrown on a worker back to its caller. */
export function failed(id: number, err: unknown): Reply {
  const e = err as Error & { code?: string };
  return { id, ok: false, error: { message: e.message, code: e.code, name: e.name } };
}

/**
 * Calls to one worker thread, each answered by the reply with its id. A worker that dies
 * fails every call in flight, and every later one, with why; its owner starts another.
 */
export class WorkerCalls {
  /** Settles when the worker says it is ready (id 0), or rejects if it dies first. */
  readonly ready: Promise<void>;
  private readonly waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; onPart?: (part: unknown) => void }
  >();
  private nextId = 1;
  private death: Error | null = null;

  constructor(
    readonly worker: Worker,
    what: string,
    onDeath: () => void,
  ) {
    let ready!: () => void;
    let notReady!: (e: Error) => void;
    this.ready = new Promise((resolve, reject) => ((ready = resolve), (notReady = reject)));
    // Owners that never wait for readiness must not see an unhandled rejection.
    this.ready.catch(() => {});
    worker.on('message', (r: Reply) => {
      if (r.id === 0) return ready();
      const w = this.waiting.get(r.id);
      if (!w) return;
      if ('part' in r) return w.onPart?.(r.part);
      this.waiting.delete(r.id);
      if (r.ok) w.resolve(r.value);
      else w.reject(Object.assign(new Error(r.error.message), { code: r.error.code, name: r.error.name }));
    });
    const died = (err: Error) => {
      if (this.death) return;
      this.death = err;
      notReady(err);
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
      onDeath();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`${what} thread exited (code ${code})`)));
  }

  /** `onPart` is told each part the worker sends ahead of its answer, in order. */
  call<T>(message: object, onPart?: (part: unknown) => void): Promise<T> {
    if (this.death) return Promise.reject(this.death);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, onPart });
      this.worker.postMessage({ ...message, id });
    });
  }
}
