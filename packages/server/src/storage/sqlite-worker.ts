/**
 * Runs a SqliteStorage on its own thread (see sqlite-threaded.ts): better-sqlite3 is
 * synchronous, and a commit with synchronous=FULL waits for fsync; here that wait stops
 * this thread only, not the event loop that fans edits out.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStorage } from './sqlite.js';
import { failed, type Reply } from '../worker-thread.js';
import type { PackedStream } from './packed-pad.js';
import type { Request } from './sqlite-threaded.js';

const port = parentPort!;
const storage = new SqliteStorage((workerData as { file: string }).file);
port.postMessage({ id: 0, ok: true, value: 'ready' } satisfies Reply);
port.on('message', async (req: Request) => {
  let reply: Reply;
  try {
    // `records.get` and friends go to the keyed store, everything else to the log store.
    const [target, name] = req.method.startsWith('records.')
      ? [storage.records, req.method.slice('records.'.length)]
      : [storage, req.method];
    if (req.method === 'load' || req.method === 'loadInBatches') {
      // One buffer moved, not 100k small arrays copied (100k entries: 719 -> 535 ms), and
      // filled straight from the rows. Streamed, each batch's buffer goes as soon as it is
      // read, so the main thread applies it while this thread reads the next.
      const id = req.id;
      const stream: PackedStream | undefined =
        req.method === 'load'
          ? undefined
          : {
              snapshot: (s) =>
                port.postMessage({ id, part: { snapshot: s } } satisfies Reply, [s.buffer as ArrayBuffer]),
              chunk: (c) =>
                port.postMessage({ id, part: { chunk: c } } satisfies Reply, [c.bytes.buffer as ArrayBuffer]),
            };
      const packed = storage.loadPacked(req.args[0] as string, stream);
      reply = { id, ok: true, value: packed };
      port.postMessage(reply, [packed.bytes.buffer as ArrayBuffer]);
      return;
    }
    const fn = (target as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name]!;
    const value = await fn.apply(target, req.args);
    reply = { id: req.id, ok: true, value };
  } catch (err) {
    reply = failed(req.id, err);
  }
  port.postMessage(reply);
  if (req.method === 'close') port.close();
});
