import { WorkerCalls, startWorker } from '../worker-thread.js';
import type { CorruptEntry, LogEntry, QuarantinedEntry, Records, Storage, StoredPad } from './types.js';

/** A Storage method, or a Records one (`records.get`, ...), as named in a message to the worker. */
export type Method = Exclude<keyof Storage, 'records'> | `records.${keyof Records}`;
export interface Request {
  id: number;
  method: Method;
  args: unknown[];
}

/** A loaded pad with its log entries laid end to end in one transferable buffer (`SqliteStorage.loadPacked`). */
export interface PackedPad extends Omit<StoredPad, 'updates'> {
  bytes: Uint8Array;
  lengths: number[];
}

export function unpackUpdates(p: PackedPad): StoredPad {
  const { bytes, lengths, ...rest } = p;
  let at = 0;
  return { ...rest, updates: lengths.map((n) => bytes.subarray(at, (at += n))) };
}

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
    if (this.closed) throw new Error('storage closed');
    return (await this.start()).call<T>({ method, args } satisfies Omit<Request, 'id'>);
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
