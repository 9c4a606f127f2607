import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../src/log.js';
import { Metrics } from '../src/metrics.js';
import { WriteBatcher } from '../src/persistence/write-batcher.js';
import { MemoryStorage } from '../src/storage/memory.js';
import type { LogEntry } from '../src/storage/types.js';
import { ManualClock } from '../testing/manual-clock.js';

const log = createLogger({ logLevel: 'silent', nodeId: 'test' });

/** A storage whose commits are counted and whose entries can be checked afterwards. */
function countingStorage(): MemoryStorage & { commits: number } {
  const storage = new MemoryStorage() as MemoryStorage & { commits: number };
  storage.commits = 0;
  const append = storage.append.bind(storage);
  storage.append = async (entries: readonly LogEntry[]) => {
    storage.commits++;
    return append(entries);
  };
  return storage;
}

const update = (i: number) => ({ pad: 'p', update: new Uint8Array([0, 0, i & 0xff]) });

test('commit interval: a lone entry commits at once; a steady stream shares one commit per interval', async () => {
  const clock = new ManualClock();
  const storage = countingStorage();
  const batcher = new WriteBatcher(storage, { maxBatch: 512, intervalMs: 10, log, metrics: new Metrics(), clock });
  let acked = 0;
  // Idle batcher: the first entry must not wait for the interval (a lone keystroke's "Saved").
  void batcher.append(update(0)).then(() => acked++);
  await clock.flush();
  assert.equal(storage.commits, 1);
  assert.equal(acked, 1);
  // 100 entries, one per millisecond: without the interval each would commit on its own.
  for (let i = 1; i <= 100; i++) {
    void batcher.append(update(i)).then(() => acked++);
    await clock.flush();
    await clock.advance(1);
  }
  await clock.advance(20);
  await batcher.flushed();
  assert.equal(acked, 101, 'every entry is acknowledged');
  assert.ok(storage.commits <= 12, `${storage.commits} commits for 101 entries over 100 ms`);
  assert.equal((await storage.load('p')).updates.length, 101, 'every entry is stored');
});

test('commit interval 0: each entry commits as soon as the last commit ended', async () => {
  const clock = new ManualClock();
  const storage = countingStorage();
  const batcher = new WriteBatcher(storage, { maxBatch: 512, intervalMs: 0, log, metrics: new Metrics(), clock });
  for (let i = 0; i < 20; i++) {
    void batcher.append(update(i));
    await clock.flush();
    await clock.advance(1);
  }
  await batcher.flushed();
  assert.equal(storage.commits, 20);
});
