import { WorkerCalls, startWorker } from '../worker-thread.js';
import { StreamedParts, unpackUpdates, type PackedPad } from './packed-pad.js';
import type { PackedChunk } from './sqlite-log-read.js';
import type { CorruptEntry, LoadSink, LogEntry, QuarantinedEntry, Records, Storage, StoredPad } from './types.js';

/** A Storage method, or a Records one (`records.get`, ...), as named in a message to the worker. */
export type Method = Exclude<keyof Storage, 'records'> | `records.${keyof Records}`;
export interface Request {
  id: number;
  method: Method;
  args: unknown[];
}

/** What the worker sends ahead of its answer to a `loadInBatches` call. */
export type LoadPart = { snapshot: Uint8Array } | { chunk: PackedChunk };

/**
 * The embedded default as the server uses it: the SQLite database lives on a worker thread
 * and every call is a message to it. Same files, same durability (WAL, synchronous=FULL,
 * D1); what changes is that an fsync no longer stalls fan-out and presence for every pad.
 * A worker that dies (it shouldn't) fails the calls in flight and is started again on the
 * next call; the write batcher retries, so acknowledged edits still mean committed.
 */
export class ThreadedSqliteStorage implements Storage {
  private calls: WorkerCalls | null = null;
  private closed = false;

  private constructor(private readonly file: string) {}

  /** Opens the database (creating or migrating it) before returning, so errors surface at start. */
  static async open(file: string): Promise<ThreadedSqliteStorage> {
    const s = new ThreadedSqliteStorage(file);
    await s.start();
    return s;
  }

  private async start(): Promise<WorkerCalls> {
    if (!this.calls) {
      const calls = new WorkerCalls(
        startWorker(import.meta.url, 'sqlite-worker', { file: this.file }),
        'SQLite',
        () => {
          if (this.calls === calls) this.calls = null;
        },
      );
      this.calls = calls;
    }
    const calls = this.calls;
    await calls.ready;
    return calls;
  }

  private async call<T>(method: Method, ...args: unknown[]): Promise<T> {
    return this.callWithParts<T>(method, args);
  }

  private async callWithParts<T>(method: Method, args: unknown[], onPart?: (part: unknown) => void): Promise<T> {
    if (this.closed) throw new Error('storage closed');
    return (await this.start()).call<T>({ method, args } satisfies Omit<Request, 'id'>, onPart);
  }

  readonly records: Records = {
    get: (key) => this.call('records.get', key),
    put: (key, value) => this.call('records.put', key, value),
    list: (prefix) => this.call('records.list', prefix),
    delete: (keys) => this.call('records.delete', keys),
    deletePrefix: (prefix) => this.call('records.deletePrefix', prefix),
  };

  async load(pad: string): Promise<StoredPad> {
    return unpackUpdates(await this.call<PackedPad>('load', pad));
  }
  async loadInBatches(pad: string, sink: LoadSink): Promise<StoredPad> {
    const parts = new StreamedParts(sink);
    const rest = await this.callWithParts<PackedPad>('loadInBatches', [pad], (p) => {
      const part = p as LoadPart;
      if ('snapshot' in part) parts.snapshot(part.snapshot);
      else parts.chunk(part.chunk);
    });
    return parts.whole(rest);
  }
  append(entries: readonly LogEntry[]): Promise<void> {
    return entries.length === 0 ? Promise.resolve() : this.call('append', entries);
  }
  compact(pad: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    return this.call('compact', pad, snapshot, throughSeq);
  }
  quarantine(entries: readonly CorruptEntry[]): Promise<void> {
    return this.call('quarantine', entries);
  }
  quarantined(pad?: string): Promise<QuarantinedEntry[]> {
    return this.call('quarantined', pad);
  }
  backlog(minEntries: number): Promise<{ pad: string; entries: number }[]> {
    return this.call('backlog', minEntries);
  }
  deletePad(pad: string): Promise<void> {
    return this.call('deletePad', pad);
  }
  idlePads(before: number): Promise<string[]> {
    return this.call('idlePads', before);
  }
  listPads(): Promise<string[]> {
    return this.call('listPads');
  }
  ping(): Promise<void> {
    return this.call('ping');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const calls = this.calls;
    if (calls) {
      const exited = new Promise((r) => calls.worker.once('exit', r));
      await this.call('close').catch(() => {});
      // From here no call may reach (or start) a worker: the database is closed.
      this.closed = true;
      await exited;
    }
    this.closed = true;
  }
}
