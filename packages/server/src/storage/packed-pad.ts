import type { PackedChunk } from './sqlite-log-read.js';
import type { LoadSink, StoredPad } from './types.js';

/** A loaded pad with its log entries laid end to end in one transferable buffer (`SqliteStorage.loadPacked`). */
export interface PackedPad extends Omit<StoredPad, 'updates'>, PackedChunk {}

/** Where a streamed SQLite load hands what it reads: the snapshot, then each batch of the log packed. */
export interface PackedStream {
  snapshot(snapshot: Uint8Array): void;
  chunk(chunk: PackedChunk): void;
}

/** The entries of a packed chunk, as views into its one buffer. */
export function unpackChunk(c: PackedChunk): Uint8Array[] {
  let at = 0;
  return c.lengths.map((n) => c.bytes.subarray(at, (at += n)));
}

export function unpackUpdates(p: PackedPad): StoredPad {
  const { bytes, lengths, ...rest } = p;
  return { ...rest, updates: unpackChunk({ bytes, lengths }) };
}

/**
 * Passes a streamed load on to a `LoadSink` as entries, and keeps what it passed, so the load's
 * result (which then carries neither the snapshot nor the streamed entries) can be made whole.
 */
export class StreamedParts implements PackedStream {
  private snap: Uint8Array | null = null;
  private readonly updates: Uint8Array[] = [];

  constructor(private readonly sink: LoadSink) {}

  snapshot(snapshot: Uint8Array): void {
    this.snap = snapshot;
    this.sink.snapshot(snapshot);
  }

  chunk(chunk: PackedChunk): void {
    const batch = unpackChunk(chunk);
    for (const u of batch) this.updates.push(u);
    this.sink.updates(batch);
  }

  /** `rest` (the load's final answer) with the snapshot and every entry it streamed. */
  whole(rest: PackedPad): StoredPad {
    const tail = unpackChunk(rest);
    if (tail.length > 0) this.chunk({ bytes: rest.bytes, lengths: rest.lengths });
    const { bytes: _b, lengths: _l, ...meta } = rest;
    return { ...meta, snapshot: this.snap ?? rest.snapshot, updates: this.updates };
  }
}
