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
  return new Worker(`import(${tsx}).then((m) => { m.register(); return import(${entry}); })`, { eval: true, workerData });
}
