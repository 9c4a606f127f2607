import { delay, systemClock, type Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { randomBytes } from 'node:crypto';
import type { LogEntry, Storage } from '../storage/types.js';

interface Pending {
  entry: LogEntry;
  resolve: () => void;
}

/** First retry after a failed commit; doubles up to RETRY_MAX_MS. */
const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 2_000;

/**
 * Group commit: entries queued while a commit is in flight (or within one event-loop turn)
 * go to storage together in one transaction. Each `append` resolves only after the commit
 * that holds its entry (D1). A failed commit is retried, in order, until it succeeds:
 * acknowledgements wait, nothing is dropped, and `healthy` reports false meanwhile.
 *
 * Commits start at most once per `intervalMs`: a lone edit after a pause commits at once, but
 * under a steady load entries gather for up to that long. On SQLite each commit is an fsync;
 * committing as soon as the last one ended made one commit per keystroke at the typing bench's
 * 960 updates/s, and the storage thread then took 27 % of the node's CPU (perf, issue 19).
 */
export class WriteBatcher {
  private queue: Pending[] = [];
  private inFlight = false;
  private scheduled = false;
  private retryMs = RETRY_MIN_MS;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  /** Idempotency keys: a retried batch whose first commit did land is not stored twice. */
  private readonly idPrefix = randomBytes(6).toString('base64url');
  private nextId = 0;
  private ok = true;
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly storage: Storage,
    private readonly opts: { maxBatch: number; intervalMs?: number; log: Logger; metrics: Metrics; clock?: Clock },
  ) {}

  append(entry: LogEntry): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('write batcher stopped'));
    return new Promise((resolve) => {
      this.queue.push({ entry: { ...entry, id: entry.id ?? `${this.idPrefix}:${this.nextId++}` }, resolve });
      this.schedule();
    });
  }

  /** False while commits are failing (readiness reports it). */
  get healthy(): boolean {
    return this.ok;
  }

  /** Resolves when everything appended so far is committed. */
  flushed(): Promise<void> {
    if (!this.inFlight && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Stops retrying; pending appends stay unacknowledged (a crash would lose nothing acked). */
  stop(): void {
    this.stopped = true;
  }

  private schedule(): void {
    if (this.inFlight || this.scheduled) return;
    this.scheduled = true;
    const clock = this.opts.clock ?? systemClock;
    const wait = Math.max(0, this.lastStart + (this.opts.intervalMs ?? 0) - clock.now());
    clock.after(wait, () => {
      this.scheduled = false;
      void this.commit();
    });
  }

  private async commit(): Promise<void> {
    if (this.inFlight || this.queue.length === 0 || this.stopped) return;
    this.inFlight = true;
    this.lastStart = (this.opts.clock ?? systemClock).now();
    const batch = this.queue.slice(0, this.opts.maxBatch);
    const end = this.opts.metrics.commitSeconds.startTimer();
    try {
      await this.storage.append(batch.map((p) => p.entry));
      end();
      this.opts.metrics.batchSize.observe(batch.length);
      this.queue.splice(0, batch.length);
      this.retryMs = RETRY_MIN_MS;
      if (!this.ok) this.opts.log.info('storage writes recovered');
      this.ok = true;
      for (const p of batch) p.resolve();
    } catch (err) {
      this.opts.metrics.storageErrors.inc();
      if (this.ok) this.opts.log.error({ err, entries: batch.length }, 'storage commit failed; retrying');
      this.ok = false;
      await delay(this.opts.clock ?? systemClock, this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    } finally {
      this.inFlight = false;
    }
    if (this.queue.length > 0) this.schedule();
    else for (const w of this.idleWaiters.splice(0)) w();
  }
}
