/** What a node reads back for one pad: the latest snapshot plus the log entries after it. */
export interface StoredPad {
  snapshot: Uint8Array | null;
  /** Log entries newer than the snapshot, in append order. */
  updates: Uint8Array[];
  /** Highest log position returned (or covered by the snapshot); 0 for an empty pad. */
  lastSeq: number;
  /**
   * Position the stored snapshot covers through; null when no snapshot is stored. A snapshot
   * left out of `snapshot` as corrupt still has its position here, so it can be quarantined.
   */
  snapshotSeq: number | null;
  /** Log position of each entry of `updates` (same order, ascending), so a bad one can be quarantined. */
  seqs: number[];
  /**
   * Entries whose bytes no longer match their stored checksum (R1). They are left out of
   * `snapshot`/`updates` and stay stored until someone calls `quarantine` on them.
   */
  corrupt: CorruptEntry[];
}

/** Where `loadInBatches` hands a pad's content as it reads it (verified by checksum, R1). */
export interface LoadSink {
  snapshot(snapshot: Uint8Array): void;
  updates(batch: Uint8Array[]): void;
}

/** A stored entry that failed verification: which pad, where, and why. */
export interface CorruptEntry {
  pad: string;
  /** `update`: the log entry at `seq`; `snapshot`: the snapshot covering through `seq`. */
  kind: 'update' | 'snapshot';
  seq: number;
  /** `misplaced`: not corrupt, but a client's insert between non-neighbours, refused (HI13). */
  reason: 'checksum' | 'undecodable' | 'misplaced';
}

/** An entry moved aside by `quarantine`, with its original bytes (never deleted). */
export interface QuarantinedEntry extends CorruptEntry {
  data: Uint8Array;
  at: Date;
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

/** One keyed record (side data: access settings, history). */
export interface StoredRecord {
  key: string;
  value: Uint8Array;
}

/**
 * Small keyed values beside the pad logs (K1): access settings and history, which must be
 * removable (pad deletion) and must not ride the append-only log. Keys are 1-512 printable
 * ASCII characters (no spaces) and sort by their bytes on every backend, so a prefix is a
 * key range; `persistence/side-data-keys.ts` says how keys are laid out. Each call is atomic and durable when it
 * resolves. There is no read-modify-write: writers that may race (several nodes recording
 * versions of one pad) each write their own keys, so none can lose another's (K2).
 */
export interface Records {
  /** The value stored at `key`, or null. */
  get(key: string): Promise<Uint8Array | null>;
  /** Stores `value` at `key`, replacing what was there. */
  put(key: string, value: Uint8Array): Promise<void>;
  /** Every record whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<StoredRecord[]>;
  /** Removes the named records (absent ones are skipped). */
  delete(keys: readonly string[]): Promise<void>;
  /** Removes every record whose key starts with `prefix` (non-empty); resolves to how many. */
  deletePrefix(prefix: string): Promise<number>;
}

/**
 * The persistence contract every backend implements (memory, SQLite, PostgreSQL, MongoDB).
 * See `contract.ts` for the executable version of these rules.
 */
export interface Storage {
  /** Keyed side data beside the logs (K1). */
  readonly records: Records;
  /** Snapshot + later log entries. An unknown pad loads as empty. */
  load(pad: string): Promise<StoredPad>;
  /**
   * `load`, handing the content to `sink` as it is read: the snapshot (when one verifies)
   * first, then the log entries in order, in batches; the result is what `load` returns, its
   * `updates` being the batches end to end. A room applies a batch while the next is read, so
   * a cold load's read and apply overlap (issue 19). Optional: without it, callers `load`.
   */
  loadInBatches?(pad: string, sink: LoadSink): Promise<StoredPad>;
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
  /**
   * Moves the named entries out of the live log / snapshot into quarantine, atomically per
   * call, keeping their bytes (R2: never silently deleted). Entries already gone are skipped.
   */
  quarantine(entries: readonly CorruptEntry[]): Promise<void>;
  /** Quarantined entries, of one pad or of all. */
  quarantined(pad?: string): Promise<QuarantinedEntry[]>;
  /** Pads with at least `minEntries` log entries not folded into a snapshot (R4, start-up recovery). */
  backlog(minEntries: number): Promise<{ pad: string; entries: number }[]>;
  /**
   * Removes a pad entirely (OW10): its log, snapshot and quarantined entries, its records
   * (K2: `pad/<pad>/…`, its read-only link, its expiry), and its legacy pseudo-pads (K3).
   * Other pads are untouched; an unknown pad is a no-op; a later append starts afresh.
   * Not one transaction on every backend, but repeatable: a failed delete is finished by
   * running it again.
   */
  deletePad(pad: string): Promise<void>;
  /**
   * Pads (not legacy pseudo-pads) whose last append was before `before` (ms since epoch),
   * for the idle-expiry sweep (PAD_EXPIRE_DAYS). Pads stored before last-write times were
   * kept count from the moment the backend first kept them.
   */
  idlePads(before: number): Promise<string[]>;
  /** Every pad with stored state, in no particular order. */
  listPads(): Promise<string[]>;
  /** Throws if the backend is unreachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
