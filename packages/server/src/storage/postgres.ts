import pg from 'pg';
import { POSTGRES_MIGRATIONS, type Migration } from './migrations/postgres.js';
import { checksum, checksumMatches } from './checksum.js';
import { padFootprint } from '../persistence/pad-footprint.js';
import { readLog } from './postgres-log-read.js';
import { PostgresRecords } from './postgres-records.js';
import { prefixEnd } from './record-keys.js';
import type { CorruptEntry, LoadSink, LogEntry, QuarantinedEntry, Storage, StoredPad } from './types.js';

export interface PostgresOptions {
  /** `postgres://user@host:port/db` */
  url: string;
  /** Connections in the pool (STORAGE_POOL_SIZE). */
  poolSize?: number;
  /**
   * Schema holding the tables; created if missing. Tests give each run its own; production
   * normally leaves it unset (the server's default search_path, usually `public`).
   */
  schema?: string;
  /** Told about connection errors the pool recovers from (they must never crash the node). */
  onError?: (err: Error) => void;
}

/** First argument of every two-key advisory lock we take, so ours never meet another app's. */
const LOCK_CLASS = 0x70616430; // 'pad0'
const MIGRATION_LOCK = 1;
/** A connection attempt that hangs (server restarting) fails after this, so callers retry. */
const CONNECT_TIMEOUT_MS = 5_000;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * PostgreSQL adapter for clusters: every node shares one database.
 *
 * Ordering (why compaction cannot lose an update, D1): `bigserial` values are handed out
 * when a row is inserted, not when it commits, so two transactions can commit out of seq
 * order. If a load saw seq 11 but not 10 (still in flight), a compaction through 11 would
 * hide 10 behind the snapshot. To rule that out, `append` takes a transaction-scoped
 * advisory lock per pad *before* drawing seqs; a pad's rows therefore commit in seq order,
 * and any load that sees seq N also sees every earlier row of that pad. The `lastSeq` a load
 * returns thus covers exactly the rows it loaded, and `compact` may delete `seq <= throughSeq`.
 * (The alternative, passing the loaded row ids to `compact`, would widen the Storage
 * interface and break when the load ran on another node.) Appends to different pads do not
 * wait for each other; two nodes writing one pad queue on the lock, one commit at a time.
 *
 * Idempotency: an entry with an `id` is inserted at most once per pad (unique index, ON
 * CONFLICT DO NOTHING), so a retried batch whose first attempt committed but whose ack was
 * lost adds nothing. The key lives on the log row: once a compaction has folded that row
 * into a snapshot, a very late retry would append it again (harmless for Yjs content,
 * which is idempotent; the write batcher retries within seconds, compaction runs later).
 */
export class PostgresStorage implements Storage {
  readonly records: PostgresRecords;

  private constructor(private readonly pool: pg.Pool) {
    this.records = new PostgresRecords(pool);
  }

  /** Connects, then creates or migrates the schema under an advisory lock. */
  static async open(opts: PostgresOptions): Promise<PostgresStorage> {
    if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) {
      throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(opts.schema)}`);
    }
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    // An idle connection dropped by a server restart emits 'error' on the pool; without a
    // listener that would crash the process. The pool discards the client and opens a
    // fresh one on the next query, so we only report it.
    pool.on('error', (err) => opts.onError?.(err));
    guardClients(pool, (err) => opts.onError?.(err));
    const store = new PostgresStorage(pool);
    try {
      await store.migrate(opts.schema);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return store;
  }

  /** Applies missing migrations in one transaction; concurrent starters queue on the lock. */
  private async migrate(schema: string | undefined, steps: readonly Migration[] = POSTGRES_MIGRATIONS): Promise<void> {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, MIGRATION_LOCK]);
      if (schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = new Set(
        (await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
      );
      for (const m of steps) {
        if (done.has(m.version)) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
    });
  }

  load(pad: string): Promise<StoredPad> {
    return this.read(pad);
  }

  loadInBatches(pad: string, sink: LoadSink): Promise<StoredPad> {
    return this.read(pad, sink);
  }

  private async read(pad: string, sink?: LoadSink): Promise<StoredPad> {
    // Both reads in one REPEATABLE READ transaction, so one MVCC snapshot: a compaction
    // committing between reading the snapshot and reading the log cannot make us miss the
    // rows it deleted. (They were one statement, a UNION ALL whose ORDER BY sorted the whole
    // log again instead of reading it in index order: for 100,000 entries the server spent
    // 82 ms, the sort spilling to disk, against 28 ms now.)
    return this.tx(async (c) => {
      const snap = (
        await c.query<{ seq: string; data: Buffer; crc: string | null }>(
          'SELECT seq, data, crc FROM snapshots WHERE pad = $1',
          [pad],
        )
      ).rows[0];
      const snapshotSeq = snap ? Number(snap.seq) : null;
      let snapshot: Uint8Array | null = null;
      const corrupt: CorruptEntry[] = [];
      if (snap && snapshotSeq !== null) {
        const data = new Uint8Array(snap.data.buffer, snap.data.byteOffset, snap.data.byteLength);
        // R1: bytes that no longer match their checksum are reported, not served.
        if (checksumMatches(data, snap.crc)) snapshot = data;
        else corrupt.push({ pad, kind: 'snapshot', seq: snapshotSeq, reason: 'checksum' });
      }
      if (snapshot) sink?.snapshot(snapshot);
      const log = await readLog(c, pad, snapshotSeq ?? 0, sink && ((b) => sink.updates(b)));
      corrupt.push(...log.corrupt);
      const { updates, seqs, lastSeq } = log;
      return { snapshot, snapshotSeq, updates, seqs, lastSeq, corrupt };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async append(entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.tx(async (c) => {
      // Per-pad locks in ascending key order (no deadlock between two multi-pad batches);
      // they make seq order equal commit order per pad, see the class comment.
      await c.query(
        `SELECT pg_advisory_xact_lock($1, k)
           FROM (SELECT DISTINCT hashtext(p) AS k FROM unnest($2::text[]) AS p ORDER BY k) AS keys`,
        [LOCK_CLASS, [...new Set(entries.map((e) => e.pad))]],
      );
      await c.query(
        `INSERT INTO updates (pad, data, id, crc)
         SELECT p, d, i, c FROM unnest($1::text[], $2::bytea[], $3::text[], $4::bigint[]) WITH ORDINALITY AS t(p, d, i, c, n)
          ORDER BY n
         ON CONFLICT (pad, id) WHERE id IS NOT NULL DO NOTHING`,
        [
          entries.map((e) => e.pad),
          entries.map((e) => e.update),
          entries.map((e) => e.id ?? null),
          entries.map((e) => checksum(e.update)),
        ],
      );
      await c.query(
        `INSERT INTO pad_activity (pad, at) SELECT DISTINCT p, now() FROM unnest($1::text[]) AS p
         ON CONFLICT (pad) DO UPDATE SET at = excluded.at`,
        [[...new Set(entries.map((e) => e.pad))]],
      );
    });
  }

  async compact(pad: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    // One statement, so the snapshot swap and the log trim commit together. The DELETE only
    // runs if our snapshot won (a newer one is never replaced); rows <= throughSeq are all
    // committed and were all visible to the load that produced `throughSeq` (class comment).
    await this.pool.query(
      `WITH up AS (
         INSERT INTO snapshots (pad, seq, data, crc) VALUES ($1, $2, $3, $4)
         ON CONFLICT (pad) DO UPDATE SET seq = excluded.seq, data = excluded.data, crc = excluded.crc
          WHERE snapshots.seq < excluded.seq
         RETURNING 1
       )
       DELETE FROM updates WHERE pad = $1 AND seq <= $2 AND EXISTS (SELECT 1 FROM up)`,
      [pad, throughSeq, snapshot, checksum(snapshot)],
    );
  }

  async quarantine(entries: readonly CorruptEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // Copy then delete in one transaction: the bytes are never gone from both places (R2).
    await this.tx(async (c) => {
      for (const e of entries) {
        const table = e.kind === 'snapshot' ? 'snapshots' : 'updates';
        await c.query(
          `WITH gone AS (DELETE FROM ${table} WHERE pad = $1 AND seq = $2 RETURNING pad, seq, data)
           INSERT INTO quarantine (pad, kind, seq, reason, data) SELECT pad, $3, seq, $4, data FROM gone`,
          [e.pad, e.seq, e.kind, e.reason],
        );
      }
    });
  }

  async quarantined(pad?: string): Promise<QuarantinedEntry[]> {
    const { rows } = await this.pool.query<{
      pad: string;
      kind: string;
      seq: string;
      reason: string;
      data: Buffer;
      at: Date;
    }>('SELECT pad, kind, seq, reason, data, at FROM quarantine WHERE $1::text IS NULL OR pad = $1 ORDER BY id', [
      pad ?? null,
    ]);
    return rows.map((r) => ({
      pad: r.pad,
      kind: r.kind === 'snapshot' ? 'snapshot' : 'update',
      seq: Number(r.seq),
      reason: r.reason === 'checksum' || r.reason === 'misplaced' ? r.reason : 'undecodable',
      data: new Uint8Array(r.data),
      at: r.at,
    }));
  }

  async backlog(minEntries: number): Promise<{ pad: string; entries: number }[]> {
    const { rows } = await this.pool.query<{ pad: string; entries: string }>(
      'SELECT pad, count(*) AS entries FROM updates GROUP BY pad HAVING count(*) >= $1',
      [minEntries],
    );
    return rows.map((r) => ({ pad: r.pad, entries: Number(r.entries) }));
  }

  async deletePad(pad: string): Promise<void> {
    const f = await padFootprint(this, pad);
    await this.tx(async (c) => {
      // Same per-pad lock as append, so no batch of this pad commits half-way through.
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, pad]);
      // left() rather than LIKE: pad ids may hold '_', a LIKE wildcard; rather than a range: the column's collation may not be bytewise.
      for (const table of ['updates', 'snapshots', 'quarantine', 'pad_activity'])
        await c.query(`DELETE FROM ${table} WHERE pad = ANY($1::text[]) OR left(pad, length($2)) = $2`, [
          f.logs,
          f.logPrefix,
        ]);
      await c.query('DELETE FROM records WHERE key = ANY($1::text[]) OR (key >= $2 AND key < $3)', [
        f.recordKeys,
        f.recordPrefix,
        prefixEnd(f.recordPrefix),
      ]);
    });
  }

  async idlePads(before: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ pad: string }>(
      "SELECT pad FROM pad_activity WHERE at < to_timestamp($1 / 1000.0) AND left(pad, 1) <> ':'",
      [before],
    );
    return rows.map((r) => r.pad);
  }

  async listPads(): Promise<string[]> {
    const { rows } = await this.pool.query<{ pad: string }>(
      'SELECT pad FROM snapshots UNION SELECT DISTINCT pad FROM updates',
    );
    return rows.map((r) => r.pad);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const c = await this.pool.connect();
    // A checked-out client has no pool listener: a server restart mid-transaction would
    // emit an unhandled 'error' and crash the node. Catch it; the query itself rejects.
    let broken: Error | undefined;
    const onError = (err: Error) => (broken = err);
    c.on('error', onError);
    try {
      await c.query(begin);
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      broken ??= err instanceof Error ? err : new Error(String(err));
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.off('error', onError);
      // Destroy rather than reuse a client whose transaction failed: its connection may be dead.
      c.release(broken);
    }
  }
}

/**
 * Gives every client the pool opens an 'error' listener for good. The pool listens only while a
 * client is idle, and `pool.query` with `once`; a connection the server terminates can emit
 * 'error' twice (the FATAL message, then the dropped socket), and the second, with no listener,
 * ended a node during a PostgreSQL restart (the endurance soak). Queries still reject and the
 * pool still discards the client.
 */
export function guardClients(pool: pg.Pool, onError: (err: Error) => void): void {
  pool.on('connect', (client) => client.on('error', onError));
}
