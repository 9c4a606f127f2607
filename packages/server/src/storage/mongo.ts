import {
  Binary,
  MongoClient,
  MongoServerError,
  ObjectId,
  type ClientSession,
  type Collection,
  type Db,
  type WriteConcernSettings,
} from 'mongodb';
import { checksum, checksumMatches } from './checksum.js';
import { padFootprint } from '../persistence/pad-footprint.js';
import { MongoRecords, type RecordDoc } from './mongo-records.js';
import type { CorruptEntry, LogEntry, QuarantinedEntry, Storage, StoredPad } from './types.js';

export interface MongoOptions {
  /** `mongodb://host:port/db?replicaSet=rs0` */
  url: string;
  /** Overrides the URL's database (tests use one per run); default: the URL's, else `padmesh`. */
  database?: string;
  poolSize?: number;
  onError?: (err: Error) => void;
}

/** A pad's head: seq counter, a version that moves with every visibility change, pending commits. */
interface PadDoc {
  _id: string;
  seq: number;
  v: number;
  /** Last append (idle expiry); set on every pad by `init` for pads stored before it was kept. */
  at?: Date;
  /** Standalone mode only: committed chunks whose `first` is not yet written onto the chunk. */
  commits?: { b: ObjectId; first: number }[];
}
/** Consecutive log entries of one pad; `first`/`last` are unset until committed (standalone). */
interface ChunkDoc {
  _id: ObjectId;
  pad: string;
  n: number;
  first?: number;
  last?: number;
  updates: Binary[];
  /** Idempotency keys of entries that have one (unique per pad). */
  keys?: string[];
  /** CRC32 of each entry of `updates` (R1); absent on chunks written before checksums. */
  sums?: number[];
  /** Indexes into `updates` that were quarantined (R2): copied to `quarantine`, skipped on load. */
  bad?: number[];
}
interface SnapshotDoc {
  _id: string;
  seq: number;
  data: Binary;
  sum?: number;
}
interface QuarantineDoc {
  pad: string;
  kind: 'update' | 'snapshot';
  seq: number;
  reason: CorruptEntry['reason'];
  data: Binary;
  at: Date;
}

/** Keep chunks well under the 16 MiB BSON document limit. */
const CHUNK_BYTES = 8 * 1024 * 1024;
const SNAPSHOT_MAX_BYTES = 15 * 1024 * 1024;
/** Standalone: an uncommitted chunk older than this belongs to a dead writer. */
const ORPHAN_MS = 60 * 60 * 1000;
const SERVER_SELECTION_MS = 5_000;
const LOAD_ATTEMPTS = 20;
const DUPLICATE_KEY = 11000;

/**
 * MongoDB adapter. Two modes, picked at start-up from `hello`:
 *
 * Replica set (or mongos): multi-document transactions with majority write concern. A
 * batch's chunks and the per-pad counter increments commit together (all-or-nothing across
 * pads, D1). The counter increment makes concurrent appends to one pad conflict, so the
 * driver retries one of them: seq order equals commit order per pad, and a load (snapshot
 * read) that sees seq N sees every earlier entry of that pad; `compact` may then delete
 * `last <= throughSeq` (same argument as in postgres.ts).
 *
 * Standalone server (no transactions): ordered single-document steps, each atomic:
 *   1. insert the pad's chunks without a seq (invisible),
 *   2. commit: one update of the pad document takes the seq range and records
 *      {chunk id, first} in `commits` (the only visibility switch, so all of a pad's part of
 *      a batch appears at once; seqs are handed out in commit order),
 *   3. seal: write `first`/`last` onto the chunks, then drop the commit records.
 * A crash after 1 leaves orphans that nothing shows and `open` removes later; a crash
 * after 2 is finished by the next `open`. Loads read the pad document before and after the
 * chunks and retry if its version moved. What standalone cannot give: atomicity *across*
 * pads (each pad's part of a batch is atomic; a crash may store one pad's part and not
 * another's). Run a replica set (one node is enough) for the full contract.
 */
export class MongoStorage implements Storage {
  private readonly pads: Collection<PadDoc>;
  private readonly log: Collection<ChunkDoc>;
  private readonly snapshots: Collection<SnapshotDoc>;
  private readonly jail: Collection<QuarantineDoc>;
  private readonly wc: WriteConcernSettings;
  readonly records: MongoRecords;

  private constructor(
    private readonly client: MongoClient,
    db: Db,
    /** True on a replica set / sharded cluster: transactions available. */
    readonly transactions: boolean,
  ) {
    this.wc = transactions ? { w: 'majority', journal: true } : { w: 1, journal: true };
    this.pads = db.collection<PadDoc>('pads', { writeConcern: this.wc });
    this.log = db.collection<ChunkDoc>('log', { writeConcern: this.wc });
    this.snapshots = db.collection<SnapshotDoc>('snapshots', { writeConcern: this.wc });
    this.jail = db.collection<QuarantineDoc>('quarantine', { writeConcern: this.wc });
    this.records = new MongoRecords(db.collection<RecordDoc>('records', { writeConcern: this.wc }));
  }

  static async open(opts: MongoOptions): Promise<MongoStorage> {
    const client = new MongoClient(opts.url, {
      maxPoolSize: opts.poolSize ?? 10,
      serverSelectionTimeoutMS: SERVER_SELECTION_MS,
      promoteBuffers: false,
    });
    client.on('error', (err) => opts.onError?.(err));
    try {
      await client.connect();
      const db = client.db(opts.database ?? dbNameFromUrl(opts.url) ?? 'padmesh');
      const hello = await db.admin().command({ hello: 1 });
      const transactions =
        (typeof hello.setName === 'string' && hello.isWritablePrimary === true) || hello.msg === 'isdbgrid';
      const store = new MongoStorage(client, db, transactions);
      await store.init();
      return store;
    } catch (err) {
      await client.close().catch(() => {});
      throw err;
    }
  }

  private async init(): Promise<void> {
    await this.log.createIndexes([
      // Loads scan by _id, a key that never changes, so a chunk sealed mid-scan is not missed.
      { key: { pad: 1, _id: 1 }, name: 'pad_id' },
      { key: { pad: 1, last: 1 }, name: 'pad_last' },
      {
        key: { pad: 1, keys: 1 },
        name: 'pad_keys',
        unique: true,
        partialFilterExpression: { keys: { $exists: true } },
      },
    ]);
    await this.pads.updateMany({ at: { $exists: false } }, { $set: { at: new Date() } });
    if (!this.transactions) await this.recover();
  }

  /** Standalone: finish interrupted commits, then drop chunks of writers that died before committing. */
  private async recover(): Promise<void> {
    for await (const p of this.pads.find({ 'commits.0': { $exists: true } })) await this.seal(p._id, p.commits ?? []);
    const cutoff = ObjectId.createFromTime(Math.floor((Date.now() - ORPHAN_MS) / 1000));
    await this.log.deleteMany({ first: { $exists: false }, _id: { $lt: cutoff } });
  }

  async load(pad: string): Promise<StoredPad> {
    if (this.transactions) {
      return this.withTx((session) => this.read(pad, session), 'snapshot');
    }
    for (let i = 0; i < LOAD_ATTEMPTS; i++) {
      const before = await this.pads.findOne({ _id: pad });
      const got = await this.read(pad, undefined, before?.commits ?? []);
      const after = await this.pads.findOne({ _id: pad });
      if ((before?.v ?? 0) === (after?.v ?? 0)) return got;
    }
    throw new Error(`pad ${pad} kept changing while loading; try again`);
  }

  /** Chunks first, snapshot second: a compaction in between yields a superset, never a gap. */
  private async read(pad: string, session?: ClientSession, commits: PadDoc['commits'] = []): Promise<StoredPad> {
    const committed = new Map(commits.map((c) => [c.b.toHexString(), c.first]));
    const chunks = await this.log.find({ pad }, { session, hint: 'pad_id' }).toArray();
    const snap = await this.snapshots.findOne({ _id: pad }, { session });
    const snapSeq = snap?.seq ?? 0;
    const visible = chunks
      .map((c) => ({ c, first: c.first ?? committed.get(c._id.toHexString()) }))
      .filter((x): x is { c: ChunkDoc; first: number } => x.first !== undefined)
      .sort((a, b) => a.first - b.first);
    const updates: Uint8Array[] = [];
    const seqs: number[] = [];
    const corrupt: CorruptEntry[] = [];
    let lastSeq = snapSeq;
    for (const { c, first } of visible) {
      c.updates.forEach((u, k) => {
        if (first + k <= snapSeq) return; // covered by the snapshot (leftover of a crashed compaction)
        lastSeq = first + k;
        if (c.bad?.includes(k)) return; // quarantined (R2)
        const data = bytes(u);
        if (!checksumMatches(data, c.sums?.[k]))
          return void corrupt.push({ pad, kind: 'update', seq: first + k, reason: 'checksum' });
        updates.push(data);
        seqs.push(first + k);
      });
    }
    let snapshot = snap ? bytes(snap.data) : null;
    if (snap && snapshot && !checksumMatches(snapshot, snap.sum)) {
      corrupt.push({ pad, kind: 'snapshot', seq: snap.seq, reason: 'checksum' });
      snapshot = null;
    }
    return { snapshot, snapshotSeq: snap ? snap.seq : null, updates, seqs, lastSeq, corrupt };
  }

  async append(entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const byPad = new Map<string, LogEntry[]>();
    for (const e of entries) byPad.set(e.pad, [...(byPad.get(e.pad) ?? []), e]);
    const pads = [...byPad.keys()].sort();
    if (this.transactions) {
      await this.withTx(async (session) => {
        for (const pad of pads) {
          const fresh = await this.unseen(pad, byPad.get(pad)!, session);
          if (fresh.length === 0) continue;
          const head = await this.pads.findOneAndUpdate(
            { _id: pad },
            { $inc: { seq: fresh.length, v: 1 }, $set: { at: new Date() } },
            { upsert: true, returnDocument: 'after', session },
          );
          let first = head!.seq - fresh.length + 1;
          for (const part of chunk(fresh)) {
            await this.log.insertOne(chunkDoc(pad, part, first), { session });
            first += part.length;
          }
        }
      });
      return;
    }
    for (const pad of pads) await this.appendStandalone(pad, byPad.get(pad)!);
  }

  private async appendStandalone(pad: string, entries: LogEntry[]): Promise<void> {
    const fresh = await this.unseen(pad, entries);
    if (fresh.length === 0) return;
    const docs = [...chunk(fresh)].map((part) => chunkDoc(pad, part));
    await this.log.insertMany(docs, { ordered: true }); // step 1: invisible
    // Step 2, the commit: one atomic pipeline update takes the seq range and records where
    // each chunk starts (stage one reads the old counter, stage two advances it).
    let offset = 1;
    const records = docs.map((d) => {
      const r = { b: d._id, first: { $add: [{ $ifNull: ['$seq', 0] }, offset] } };
      offset += d.n;
      return r;
    });
    const head = await this.pads.findOneAndUpdate(
      { _id: pad },
      [
        { $set: { commits: { $concatArrays: [{ $ifNull: ['$commits', []] }, records] } } },
        {
          $set: {
            seq: { $add: [{ $ifNull: ['$seq', 0] }, fresh.length] },
            v: { $add: [{ $ifNull: ['$v', 0] }, 1] },
            at: '$$NOW',
          },
        },
      ],
      { upsert: true, returnDocument: 'after' },
    );
    const ids = new Set(docs.map((d) => d._id.toHexString()));
    await this.seal(
      pad,
      (head?.commits ?? []).filter((c) => ids.has(c.b.toHexString())),
    );
  }

  /** Step 3 (standalone): copy committed positions onto chunks, then drop the records. */
  private async seal(pad: string, commits: { b: ObjectId; first: number }[]): Promise<void> {
    if (commits.length === 0) return;
    for (const c of commits) {
      const doc = await this.log.findOne({ _id: c.b }, { projection: { n: 1 } });
      if (!doc) continue; // an orphan removed by a retry; the record alone shows nothing
      await this.log.updateOne(
        { _id: c.b, first: { $exists: false } },
        { $set: { first: c.first, last: c.first + doc.n - 1 } },
      );
    }
    await this.pads.updateOne(
      { _id: pad },
      { $pull: { commits: { b: { $in: commits.map((c) => c.b) } } }, $inc: { v: 1 } },
    );
  }

  /**
   * Entries whose idempotency key is not yet stored for the pad. A key found on a chunk that
   * never became visible (standalone: the earlier attempt died before committing) is ours
   * to redo: drop that chunk and write the entries again.
   */
  private async unseen(pad: string, entries: LogEntry[], session?: ClientSession): Promise<LogEntry[]> {
    const seen = new Set<string>();
    const unique = entries.filter((e) => e.id === undefined || (!seen.has(e.id) && seen.add(e.id)));
    const keys = [...seen];
    if (keys.length === 0) return unique;
    const found = await this.log
      .find({ pad, keys: { $in: keys } }, { session, projection: { keys: 1, first: 1 } })
      .toArray();
    if (found.length === 0) return unique;
    const stored = new Set<string>();
    const head = session ? null : await this.pads.findOne({ _id: pad });
    const committed = new Set((head?.commits ?? []).map((c) => c.b.toHexString()));
    for (const c of found) {
      if (c.first !== undefined || committed.has(c._id.toHexString())) for (const k of c.keys ?? []) stored.add(k);
      else await this.log.deleteOne({ _id: c._id, first: { $exists: false } });
    }
    return unique.filter((e) => e.id === undefined || !stored.has(e.id));
  }

  async compact(pad: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    if (snapshot.byteLength > SNAPSHOT_MAX_BYTES) {
      // The log stays as it is: nothing is lost, the pad just loads from more entries.
      throw new Error(`snapshot of pad ${pad} is ${snapshot.byteLength} bytes, over MongoDB's document limit`);
    }
    const step = async (session?: ClientSession) => {
      const cur = await this.snapshots.findOne({ _id: pad }, { session, projection: { seq: 1 } });
      if (cur && cur.seq >= throughSeq) return;
      try {
        const r = await this.snapshots.updateOne(
          { _id: pad, seq: { $lt: throughSeq } },
          { $set: { seq: throughSeq, data: new Binary(snapshot), sum: checksum(snapshot) } },
          { upsert: true, session },
        );
        if (r.matchedCount === 0 && r.upsertedCount === 0) return;
      } catch (err) {
        // Lost an upsert race to a newer snapshot (standalone): leave the newer one.
        if (err instanceof MongoServerError && err.code === DUPLICATE_KEY && !session) return;
        throw err;
      }
      // Only committed chunks carry `last`; every entry <= throughSeq was visible to the load
      // that produced throughSeq (see the class comment), so nothing unseen is deleted.
      await this.log.deleteMany({ pad, last: { $lte: throughSeq } }, { session });
    };
    if (this.transactions) await this.withTx(step);
    else await step();
  }

  async quarantine(entries: readonly CorruptEntry[]): Promise<void> {
    // Copy first, then flag or remove: a crash in between leaves a duplicate, never a loss (R2).
    for (const e of entries) {
      if (e.kind === 'snapshot') {
        const snap = await this.snapshots.findOne({ _id: e.pad, seq: e.seq });
        if (!snap) continue;
        await this.jail.insertOne({
          pad: e.pad,
          kind: e.kind,
          seq: e.seq,
          reason: e.reason,
          data: snap.data,
          at: new Date(),
        });
        await this.snapshots.deleteOne({ _id: e.pad, seq: e.seq });
        continue;
      }
      const c = await this.log.findOne({ pad: e.pad, first: { $lte: e.seq }, last: { $gte: e.seq } });
      const k = c?.first === undefined ? -1 : e.seq - c.first;
      if (!c || k < 0 || c.bad?.includes(k)) continue;
      await this.jail.insertOne({
        pad: e.pad,
        kind: e.kind,
        seq: e.seq,
        reason: e.reason,
        data: c.updates[k]!,
        at: new Date(),
      });
      await this.log.updateOne({ _id: c._id }, { $addToSet: { bad: k } });
      await this.pads.updateOne({ _id: e.pad }, { $inc: { v: 1 } });
    }
  }

  async quarantined(pad?: string): Promise<QuarantinedEntry[]> {
    const docs = await this.jail
      .find(pad === undefined ? {} : { pad })
      .sort({ _id: 1 })
      .toArray();
    return docs.map((d) => ({ pad: d.pad, kind: d.kind, seq: d.seq, reason: d.reason, data: bytes(d.data), at: d.at }));
  }

  async backlog(minEntries: number): Promise<{ pad: string; entries: number }[]> {
    const rows = await this.log
      .aggregate<{ _id: string; entries: number }>([
        { $match: { last: { $exists: true } } },
        { $group: { _id: '$pad', entries: { $sum: '$n' } } },
        { $match: { entries: { $gte: minEntries } } },
      ])
      .toArray();
    return rows.map((r) => ({ pad: r._id, entries: r.entries }));
  }

  /** Log first, head last: a load racing the delete sees a shorter pad, never a head without its chunks. */
  async deletePad(pad: string): Promise<void> {
    const f = await padFootprint(this, pad);
    // Pad ids are [A-Za-z0-9_-], so the prefix needs no regex escaping.
    const names = { $in: f.logs };
    const prefixed = new RegExp(`^${f.logPrefix}`);
    await this.log.deleteMany({ $or: [{ pad: names }, { pad: prefixed }] });
    await this.snapshots.deleteMany({ $or: [{ _id: names }, { _id: prefixed }] });
    await this.jail.deleteMany({ $or: [{ pad: names }, { pad: prefixed }] });
    await this.pads.deleteMany({ $or: [{ _id: names }, { _id: prefixed }] });
    await this.records.delete(f.recordKeys);
    await this.records.deletePrefix(f.recordPrefix);
  }

  async idlePads(before: number): Promise<string[]> {
    const rows = await this.pads.find({ at: { $lt: new Date(before) }, _id: { $not: /^:/ } }).toArray();
    return rows.map((r) => r._id);
  }

  async listPads(): Promise<string[]> {
    const [a, b] = await Promise.all([this.pads.distinct('_id'), this.snapshots.distinct('_id')]);
    return [...new Set([...a, ...b])];
  }

  async ping(): Promise<void> {
    await this.client.db('admin').command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async withTx<T>(
    fn: (s: ClientSession) => Promise<T>,
    readConcern: 'snapshot' | 'majority' = 'snapshot',
  ): Promise<T> {
    const session = this.client.startSession();
    try {
      // withTransaction retries on TransientTransactionError (e.g. two appends to one pad).
      return await session.withTransaction(fn, {
        readConcern: { level: readConcern },
        writeConcern: this.wc,
        readPreference: 'primary',
      });
    } finally {
      await session.endSession();
    }
  }
}

function chunkDoc(pad: string, part: LogEntry[], first?: number): ChunkDoc {
  const keys = part.flatMap((e) => (e.id === undefined ? [] : [e.id]));
  return {
    _id: new ObjectId(),
    pad,
    n: part.length,
    ...(first === undefined ? {} : { first, last: first + part.length - 1 }),
    updates: part.map((e) => new Binary(e.update)),
    sums: part.map((e) => checksum(e.update)),
    ...(keys.length > 0 ? { keys } : {}),
  };
}

function* chunk(entries: LogEntry[]): Generator<LogEntry[]> {
  let part: LogEntry[] = [];
  let size = 0;
  for (const e of entries) {
    if (part.length > 0 && size + e.update.byteLength > CHUNK_BYTES) {
      yield part;
      part = [];
      size = 0;
    }
    part.push(e);
    size += e.update.byteLength;
  }
  if (part.length > 0) yield part;
}

function bytes(b: Binary | Uint8Array): Uint8Array {
  return b instanceof Binary ? b.buffer.subarray(0, b.position) : b;
}

function dbNameFromUrl(url: string): string | undefined {
  const path = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]*)/.exec(url)?.[1];
  return path ? decodeURIComponent(path) : undefined;
}
