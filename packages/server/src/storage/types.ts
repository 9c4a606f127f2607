/** What a node reads back for one pad: the latest snapshot plus the log entries after it. */
export interface StoredPad {
  snapshot: Uint8Array | null;
  /** Log entries newer than the snapshot, in append order. */
  updates: Uint8Array[];
  /** Highest log position returned (or covered by the snapshot); 0 for an empty pad. */
  lastSeq: number;
}

export interface LogEntry {
  pad: string;
  update: Uint8Array;
  /**
   * Optional idempotency key, unique per writer (e.g. `${nodeId}:${counter}`). An entry
   * whose key is already in the pad's log is skipped, so retrying a batch whose commit
   * succeeded but whose acknowledgement was lost stores nothing twice.
   */
  id?: string;
}

/**
 * The persistence contract every backend implements (memory, SQLite, PostgreSQL, MongoDB).
 * See `contract.ts` for the executable version of these rules.
 */
export interface Storage {
  /** Snapshot + later log entries. An unknown pad loads as empty. */
  load(pad: string): Promise<StoredPad>;
  /**
   * Appends entries (possibly for several pads) atomically: all are durable when the
   * promise resolves, none are visible if it rejects (D1: ack only after this resolves).
   */
  append(entries: readonly LogEntry[]): Promise<void>;
  /**
   * Atomically stores `snapshot` as covering every log entry of `pad` with position
   * <= `throughSeq` and deletes those entries. Ignored if a newer snapshot exists.
   */
  compact(pad: string, snapshot: Uint8Array, throughSeq: number): Promise<void>;
  /** Every pad with stored state, in no particular order. */
  listPads(): Promise<string[]>;
  /** Throws if the backend is unreachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
