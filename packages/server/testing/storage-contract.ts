import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { docFromStored, type PadContent } from '../src/persistence/stored-doc.js';
import type { OpenStorageOptions } from '../src/storage/open.js';
import type { LogEntry, Storage } from '../src/storage/types.js';
import { deleteScenarios } from './storage-contract-delete.js';

/** How a child process opens the store under test (see test/fixtures/storage-writer.ts). */
export interface SharedStore {
  url: string;
  options?: OpenStorageOptions;
  /** Path of the writer fixture script. */
  fixture: string;
}

export interface ContractTarget {
  /** A fresh, empty store. */
  open(): Promise<Storage>;
  /** Reopens the same store (simulates a restart); optional for memory. */
  reopen?(old: Storage): Promise<Storage>;
  /** Skip every scenario with this reason (the backend is not available here). */
  skip?: string;
  /** How a child process opens the same store; the cross-process scenarios need it. */
  shared?: SharedStore;
  /** Restarts the database server under the store (S15). */
  restart?: () => Promise<void>;
  /** Why S15 does not apply when `restart` is absent. */
  restartSkip?: string;
  /** False where a batch is atomic per pad only (MongoDB without a replica set). */
  atomicAcrossPads?: (s: Storage) => boolean;
  /** Pads in S14 (default 100 000). */
  manyPads?: number;
  /** Flips a byte of a stored entry behind the adapter's back, as bit rot would (R1 scenarios). */
  corrupt?: (s: Storage, pad: string, kind: 'update' | 'snapshot', seq: number) => Promise<void>;
}

function textUpdate(doc: Y.Doc, text: string): Uint8Array {
  let captured: Uint8Array | null = null;
  const onUpdate = (u: Uint8Array) => (captured = u);
  doc.on('update', onUpdate);
  doc.getText('content').insert(doc.getText('content').length, text);
  doc.off('update', onUpdate);
  assert.ok(captured);
  return captured;
}

function textOf(stored: PadContent): string {
  return docFromStored(stored).getText('content').toString();
}

/** The storage contract: every backend runs exactly these scenarios. */
export function storageContract(name: string, target: ContractTarget): void {
  // Each scenario carries the skip (not the suite), so a report counts them as skipped.
  const opt = (skip: string | false = false) => ({ skip: target.skip ?? skip });
  describe(`Storage contract: ${name}`, () => {
    let s: Storage;
    let n = 0;
    const pad = () => `contract-${Date.now().toString(36)}-${++n}`;
    before(async () => {
      if (!target.skip) s = await target.open();
    });
    after(async () => {
      await s?.close();
    });

    it('S1 an unknown pad loads empty', opt(), async () => {
      const got = await s.load(pad());
      assert.equal(got.snapshot, null);
      assert.deepEqual(got.updates, []);
      assert.equal(got.lastSeq, 0);
    });

    it('S2 appended updates load back in order, byte for byte', opt(), async () => {
      const p = pad();
      const doc = new Y.Doc();
      const ups = ['a', 'b', 'c'].map((t) => textUpdate(doc, t));
      await s.append([{ pad: p, update: ups[0]! }]);
      await s.append([
        { pad: p, update: ups[1]! },
        { pad: p, update: ups[2]! },
      ]);
      const got = await s.load(p);
      assert.deepEqual(
        got.updates.map((u) => Buffer.from(u)),
        ups.map((u) => Buffer.from(u)),
      );
      assert.equal(textOf(got), 'abc');
      assert.ok(got.lastSeq > 0);
    });

    it('S3 one batch may span several pads and keeps them apart', opt(), async () => {
      const [p1, p2] = [pad(), pad()];
      const d1 = new Y.Doc();
      const d2 = new Y.Doc();
      await s.append([
        { pad: p1, update: textUpdate(d1, 'one') },
        { pad: p2, update: textUpdate(d2, 'two') },
      ]);
      assert.equal(textOf(await s.load(p1)), 'one');
      assert.equal(textOf(await s.load(p2)), 'two');
    });

    it('S4 compaction replaces covered log entries and keeps later ones', opt(), async () => {
      const p = pad();
      const doc = new Y.Doc();
      await s.append([{ pad: p, update: textUpdate(doc, 'hello ') }]);
      const mid = await s.load(p);
      await s.append([{ pad: p, update: textUpdate(doc, 'world') }]);
      const snapDoc = new Y.Doc();
      for (const u of mid.updates) Y.applyUpdate(snapDoc, u);
      await s.compact(p, Y.encodeStateAsUpdate(snapDoc), mid.lastSeq);
      const got = await s.load(p);
      assert.ok(got.snapshot);
      assert.equal(got.updates.length, 1, 'only the entry after the snapshot remains');
      assert.equal(textOf(got), 'hello world');
    });

    it('S5 an older compaction never replaces a newer snapshot', opt(), async () => {
      const p = pad();
      const doc = new Y.Doc();
      await s.append([{ pad: p, update: textUpdate(doc, 'x') }]);
      const first = await s.load(p);
      await s.append([{ pad: p, update: textUpdate(doc, 'y') }]);
      const second = await s.load(p);
      await s.compact(p, Y.encodeStateAsUpdate(doc), second.lastSeq);
      const stale = new Y.Doc();
      Y.applyUpdate(stale, first.updates[0]!);
      await s.compact(p, Y.encodeStateAsUpdate(stale), first.lastSeq);
      assert.equal(textOf(await s.load(p)), 'xy');
    });

    it('S6 listPads includes every pad with state', opt(), async () => {
      const p = pad();
      await s.append([{ pad: p, update: textUpdate(new Y.Doc(), 'z') }]);
      assert.ok((await s.listPads()).includes(p));
    });

    it('S7 appends survive a reopen', opt(!target.reopen && 'store has no reopen'), async () => {
      const p = pad();
      await s.append([{ pad: p, update: textUpdate(new Y.Doc(), 'durable') }]);
      s = await target.reopen!(s);
      assert.equal(textOf(await s.load(p)), 'durable');
    });

    it('S8 ping succeeds on an open store', opt(), async () => {
      await s.ping();
    });

    it('S16 every load says where its entries live: seqs, snapshotSeq, corrupt', opt(), async () => {
      const p = pad();
      const empty = await s.load(p);
      assert.deepEqual(
        { snapshotSeq: empty.snapshotSeq, seqs: empty.seqs, corrupt: empty.corrupt },
        { snapshotSeq: null, seqs: [], corrupt: [] },
      );
      const doc = new Y.Doc();
      await s.append(['a', 'b', 'c'].map((t) => ({ pad: p, update: textUpdate(doc, t) })));
      const logged = await s.load(p);
      assert.equal(logged.snapshotSeq, null, 'no snapshot yet');
      assert.equal(logged.seqs.length, 3);
      assert.ok(
        logged.seqs.every((q, i) => i === 0 || q > logged.seqs[i - 1]!),
        `seqs ascend: ${logged.seqs.join(',')}`,
      );
      assert.equal(logged.seqs.at(-1), logged.lastSeq);
      assert.deepEqual(logged.corrupt, []);
      await s.compact(p, Y.encodeStateAsUpdate(doc), logged.seqs[1]!);
      const compacted = await s.load(p);
      assert.equal(compacted.snapshotSeq, logged.seqs[1], 'the snapshot covers through its seq');
      assert.deepEqual(compacted.seqs, [logged.seqs[2]], 'only the entry after the snapshot remains');
      assert.equal(compacted.lastSeq, logged.lastSeq);
      await s.compact(p, Y.encodeStateAsUpdate(doc), compacted.lastSeq);
      const folded = await s.load(p);
      assert.deepEqual(
        { snapshotSeq: folded.snapshotSeq, seqs: folded.seqs, lastSeq: folded.lastSeq },
        { snapshotSeq: logged.lastSeq, seqs: [], lastSeq: logged.lastSeq },
      );
    });

    it(
      'S17 loadInBatches hands over what load returns: the snapshot first, then the log in order, batch after batch',
      opt(),
      async (t) => {
        if (!s.loadInBatches) return t.skip('store does not stream its loads');
        const p = pad();
        const doc = new Y.Doc();
        await s.append([{ pad: p, update: textUpdate(doc, 'base ') }]);
        const first = await s.load(p);
        await s.compact(p, Y.encodeStateAsUpdate(doc), first.lastSeq);
        // More entries than one read batch (8,192 on SQLite and PostgreSQL).
        const text = doc.getText('content');
        const ups: Uint8Array[] = [];
        const keep = (u: Uint8Array) => ups.push(u);
        doc.on('update', keep);
        for (let i = 0; i < 20_000; i++) text.insert(text.length, 'abcdefghij'[i % 10]!);
        doc.off('update', keep);
        await s.append(ups.map((update) => ({ pad: p, update })));
        const seen: string[] = [];
        const batches: Uint8Array[][] = [];
        const got = await s.loadInBatches!(p, {
          snapshot: (snap) => seen.push(`snapshot ${snap.length}`),
          updates: (batch) => (seen.push(`batch ${batch.length}`), batches.push(batch)),
        });
        const whole = await s.load(p);
        assert.ok(whole.snapshot);
        assert.equal(seen[0], `snapshot ${whole.snapshot.length}`, 'the snapshot comes first');
        assert.ok(batches.length >= 2, `the log came in ${batches.length} batches`);
        assert.ok(
          batches.flat().every((u, i) => Buffer.from(u).equals(Buffer.from(ups[i]!))),
          'the batches end to end are the log in order',
        );
        assert.equal(batches.flat().length, ups.length);
        assert.deepEqual(
          { ...got, snapshot: Buffer.from(got.snapshot!), updates: got.updates.map((u) => Buffer.from(u)) },
          { ...whole, snapshot: Buffer.from(whole.snapshot), updates: whole.updates.map((u) => Buffer.from(u)) },
          'its result is what load returns',
        );
        assert.equal(textOf(got), text.toString());
      },
    );

    it('K1 records survive a reopen', opt(!target.reopen && 'store has no reopen'), async () => {
      const p = pad();
      await s.records.put(`k/${p}/kept`, bytes('kept'));
      await s.records.put(`k/${p}/gone`, bytes('gone'));
      await s.records.delete([`k/${p}/gone`]);
      s = await target.reopen!(s);
      assert.deepEqual(await listed(s, `k/${p}/`), [[`k/${p}/kept`, 'kept']]);
    });

    integrityScenarios(target, () => s, pad, opt);
    recordScenarios(target, () => s, pad, opt);
    stressScenarios(target, () => s, pad, opt);
    deleteScenarios(() => s, pad, opt);
  });
}

const bytes = (text: string) => new Uint8Array(Buffer.from(text));
const str = (value: Uint8Array | null) => (value === null ? null : Buffer.from(value).toString());
const listed = async (s: Storage, prefix: string) =>
  (await s.records.list(prefix)).map((r) => [r.key, str(r.value)] as const);

function recordScenarios(
  target: ContractTarget,
  store: () => Storage,
  pad: () => string,
  opt: (skip?: string | false) => { skip: string | false },
): void {
  it('K1 records: put, get, replace, list in key order, delete', opt(), async () => {
    const r = store().records;
    const p = `k/${pad()}/`;
    assert.equal(await r.get(`${p}a`), null, 'an absent key reads as null');
    await r.put(`${p}b`, bytes('two'));
    await r.put(`${p}a`, bytes('one'));
    await r.put(`${p}c`, new Uint8Array());
    assert.equal(str(await r.get(`${p}a`)), 'one');
    assert.deepEqual(await r.get(`${p}c`), new Uint8Array(), 'an empty value is a value, not absence');
    await r.put(`${p}a`, bytes('uno'));
    assert.deepEqual(await listed(store(), p), [
      [`${p}a`, 'uno'],
      [`${p}b`, 'two'],
      [`${p}c`, ''],
    ]);
    const got = (await r.get(`${p}b`))!;
    got.fill(0);
    assert.equal(str(await r.get(`${p}b`)), 'two', 'a returned value is a copy');
    await r.delete([`${p}a`, `${p}c`, `${p}never`]);
    assert.deepEqual(await listed(store(), p), [[`${p}b`, 'two']]);
    const big = new Uint8Array(1 << 20).map((_, i) => i % 251);
    await r.put(`${p}big`, big);
    assert.deepEqual(await r.get(`${p}big`), big, 'a 1 MiB value round-trips byte for byte');
  });

  it('K1 records: a prefix selects exactly its keys, for list and deletePrefix', opt(), async () => {
    const r = store().records;
    const root = `k/${pad()}`;
    const keys = [`${root}/a/x`, `${root}/a/y`, `${root}/ab/x`, `${root}/a`, `${root}/b/x`];
    for (const k of keys) await r.put(k, bytes(k));
    assert.deepEqual(
      (await r.list(`${root}/a/`)).map((x) => x.key),
      [`${root}/a/x`, `${root}/a/y`],
    );
    assert.equal(await r.deletePrefix(`${root}/a/`), 2);
    assert.deepEqual(
      (await r.list(`${root}/`)).map((x) => x.key),
      [`${root}/a`, `${root}/ab/x`, `${root}/b/x`],
      'neighbours that share characters but not the prefix stay',
    );
    assert.equal(await r.deletePrefix(`${root}/a/`), 0);
    assert.ok(
      (await r.list('')).some((x) => x.key === `${root}/b/x`),
      'the empty prefix lists everything',
    );
    await assert.rejects(r.deletePrefix(''), /invalid record key/, 'an empty prefix never deletes everything');
  });

  it('K1 records: malformed keys are refused', opt(), async () => {
    const r = store().records;
    for (const bad of ['', 'has space', 'ünïcode', 'x'.repeat(513), 'tab\there'])
      await assert.rejects(r.put(bad, bytes('v')), /invalid record key/, JSON.stringify(bad));
    await assert.rejects(r.get(''), /invalid record key/);
  });

  it('K2 records: concurrent writers under one prefix lose nothing', opt(), async () => {
    const r = store().records;
    const p = `k/${pad()}/`;
    const n = 60;
    await Promise.all(
      ['a', 'b', 'c'].map(async (w) => {
        for (let i = 0; i < n; i++) await r.put(`${p}${w}/${String(i).padStart(3, '0')}`, bytes(`${w}${i}`));
      }),
    );
    assert.equal((await r.list(p)).length, 3 * n);
  });

  it(
    'K2 records: two writer processes under one prefix lose nothing',
    opt(!target.shared && 'the store lives inside one process'),
    async () => {
      const p = `k/${pad()}/`;
      const perWriter = 150;
      await Promise.all(
        ['A', 'B'].map((w) =>
          runChild(target.shared!, { mode: 'records', writer: w, pads: [p], entries: perWriter, batch: 1 }),
        ),
      );
      const got = await store().records.list(p);
      assert.equal(got.length, 2 * perWriter, 'every record present');
      for (const { key, value } of got) assert.equal(str(value), key.slice(p.length), `${key} holds its own value`);
    },
  );
}

function integrityScenarios(
  target: ContractTarget,
  store: () => Storage,
  pad: () => string,
  opt: (skip?: string | false) => { skip: string | false },
): void {
  const noCorrupt = !target.corrupt && 'no way to corrupt this store at rest';

  it(
    'R1 a log entry whose bytes changed at rest is reported with its position and left out',
    opt(noCorrupt),
    async () => {
      const s = store();
      const p = pad();
      const doc = new Y.Doc();
      await s.append(['a', 'b', 'c'].map((t) => ({ pad: p, update: textUpdate(doc, t) })));
      const clean = await s.load(p);
      assert.deepEqual(clean.corrupt, []);
      const bad = clean.seqs[1]!;
      await target.corrupt!(s, p, 'update', bad);
      const got = await s.load(p);
      assert.deepEqual(got.corrupt, [{ pad: p, kind: 'update', seq: bad, reason: 'checksum' }]);
      assert.equal(got.updates.length, 2);
      assert.deepEqual(got.seqs, [clean.seqs[0], clean.seqs[2]]);
      assert.equal(got.lastSeq, clean.lastSeq, 'lastSeq still covers the bad entry');
    },
  );

  it('R2 quarantine moves a bad entry aside with its bytes; it is never silently deleted', opt(noCorrupt), async () => {
    const s = store();
    const p = pad();
    const doc = new Y.Doc();
    await s.append(['x', 'y'].map((t) => ({ pad: p, update: textUpdate(doc, t) })));
    const clean = await s.load(p);
    const bad = clean.seqs[0]!;
    await target.corrupt!(s, p, 'update', bad);
    const got = await s.load(p);
    await s.quarantine(got.corrupt);
    await s.quarantine(got.corrupt); // a second (racing) call finds nothing left to move
    const after = await s.load(p);
    assert.deepEqual(after.corrupt, []);
    assert.equal(after.updates.length, 1);
    const q = await s.quarantined(p);
    assert.equal(q.length, 1);
    assert.equal(q[0]!.seq, bad);
    assert.equal(q[0]!.kind, 'update');
    assert.equal(q[0]!.reason, 'checksum');
    assert.equal(q[0]!.data.length, clean.updates[0]!.length, 'the original bytes are kept');
  });

  it('R2 HI13 an entry refused as misplaced is quarantined with that reason, its bytes kept', opt(), async () => {
    const s = store();
    const p = pad();
    const doc = new Y.Doc();
    await s.append(['x', 'y'].map((t) => ({ pad: p, update: textUpdate(doc, t) })));
    const { seqs, updates } = await s.load(p);
    await s.quarantine([{ pad: p, kind: 'update', seq: seqs[1]!, reason: 'misplaced' }]);
    assert.equal((await s.load(p)).updates.length, 1);
    const q = await s.quarantined(p);
    assert.deepEqual(
      q.map((e) => [e.seq, e.reason, e.data.length]),
      [[seqs[1], 'misplaced', updates[1]!.length]],
    );
  });

  it(
    'R1 a snapshot whose bytes changed at rest is reported, quarantined, and a new one can replace it',
    opt(noCorrupt),
    async () => {
      const s = store();
      const p = pad();
      const doc = new Y.Doc();
      await s.append([{ pad: p, update: textUpdate(doc, 'snap') }]);
      const first = await s.load(p);
      await s.compact(p, Y.encodeStateAsUpdate(doc), first.lastSeq);
      await target.corrupt!(s, p, 'snapshot', first.lastSeq);
      const got = await s.load(p);
      assert.deepEqual(got.corrupt, [{ pad: p, kind: 'snapshot', seq: first.lastSeq, reason: 'checksum' }]);
      assert.equal(got.snapshot, null);
      assert.equal(got.snapshotSeq, first.lastSeq, 'a corrupt snapshot keeps its position');
      await s.quarantine(got.corrupt);
      assert.deepEqual(
        (await s.quarantined(p)).map((q) => q.kind),
        ['snapshot'],
      );
      await s.append([{ pad: p, update: textUpdate(doc, '!') }]);
      const later = await s.load(p);
      await s.compact(p, Y.encodeStateAsUpdate(doc), later.lastSeq);
      const final = await s.load(p);
      assert.deepEqual(final.corrupt, []);
      assert.equal(textOf(final), 'snap!');
    },
  );

  it('R4 backlog lists pads with at least N unsnapshotted entries', opt(), async () => {
    const s = store();
    const p = pad();
    const doc = new Y.Doc();
    await s.append(Array.from({ length: 5 }, (_, i) => ({ pad: p, update: textUpdate(doc, String(i)) })));
    assert.deepEqual(
      (await s.backlog(5)).filter((b) => b.pad === p),
      [{ pad: p, entries: 5 }],
    );
    const got = await s.load(p);
    await s.compact(p, Y.encodeStateAsUpdate(doc), got.lastSeq);
    assert.deepEqual(
      (await s.backlog(1)).filter((b) => b.pad === p),
      [],
    );
  });
}

// ---------------------------------------------------------------------------------------
// Stress scenarios. Their entries are opaque "probes" (a JSON header, a newline, padding),
// so a test can tell which writer, batch and position every stored entry came from; the
// storage never interprets update bytes, so this exercises exactly what Yjs updates would.

export interface Probe {
  /** Writer name. */
  w: string;
  /** Batch number within the writer. */
  b: number;
  /** Position within the batch. */
  k: number;
  /** Entries in the batch (all pads together). */
  n: number;
}

export function probe(h: Probe, padding = 0): Uint8Array {
  const head = Buffer.from(`${JSON.stringify(h)}\n`);
  const out = Buffer.alloc(head.length + padding, 0x2e);
  head.copy(out);
  return out;
}

export function decodeProbe(u: Uint8Array): Probe {
  const nl = u.indexOf(0x0a);
  return JSON.parse(Buffer.from(u.subarray(0, nl)).toString()) as Probe;
}

/** Every wait in these scenarios fails loudly after this. */
const CHILD_TIMEOUT_MS = 60_000;
const RESTART_TIMEOUT_MS = 90_000;

function childArgs(shared: SharedStore, job: object): string[] {
  return [
    '--conditions=source',
    '--import',
    import.meta.resolve('tsx'),
    shared.fixture,
    JSON.stringify({ ...job, url: shared.url, options: shared.options ?? {} }),
  ];
}

/** Runs a writer child to completion; rejects with its stderr on failure or timeout. */
function runChild(shared: SharedStore, job: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, childArgs(shared, job), { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`writer child exited with ${code ?? sig}:\n${err}`));
    });
  });
}

/** Starts a crash-mode child, kills it with SIGKILL once it has acknowledged `acks` batches plus `delayMs`; returns the acked batch numbers. */
function crashChild(shared: SharedStore, job: object, acks: number, delayMs: number): Promise<Set<number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, childArgs(shared, job), { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Set<number>();
    let out = '';
    let err = '';
    let killing = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`crash child acknowledged only ${acked.size} batches in ${CHILD_TIMEOUT_MS} ms:\n${err}`));
    }, CHILD_TIMEOUT_MS);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const m = /^acked (\d+)$/.exec(out.slice(0, nl));
        out = out.slice(nl + 1);
        if (m) acked.add(Number(m[1]));
      }
      if (!killing && acked.size >= acks) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      // Lines read after the kill still count: they were acknowledged before it.
      if (sig === 'SIGKILL' && killing) resolve(acked);
      else reject(new Error(`crash child ended on its own (${code ?? sig}):\n${err}`));
    });
  });
}

/** Loads pads and counts probes per writer/batch/pad. */
async function census(s: Storage, pads: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const p of pads) {
    for (const u of (await s.load(p)).updates) {
      const h = decodeProbe(u);
      const key = `${h.w}/${h.b}/${h.k}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

function stressScenarios(
  target: ContractTarget,
  store: () => Storage,
  pad: () => string,
  opt: (skip?: string | false) => { skip: string | false },
): void {
  const noShared = !target.shared && 'the store lives inside one process';

  it('S9 a retried batch (same idempotency keys) stores nothing twice', opt(), async () => {
    const s = store();
    const p = pad();
    const e = (k: number): LogEntry => ({ pad: p, update: probe({ w: 'retry', b: 0, k, n: 3 }), id: `retry-${k}` });
    await s.append([e(0), e(1)]);
    await s.append([e(0), e(1), e(2)]); // the first commit's ack was "lost"
    assert.deepEqual(
      (await s.load(p)).updates.map((u) => decodeProbe(u).k),
      [0, 1, 2],
    );
  });

  it('S10 compaction while two writers append keeps every update', opt(), async () => {
    const s = store();
    const p = pad();
    const docs = [new Y.Doc(), new Y.Doc()];
    let writing = true;
    let compactions = 0;
    const compactor = (async () => {
      while (writing) {
        const got = await s.load(p);
        await s.compact(p, Y.encodeStateAsUpdate(docFromStored(got)), got.lastSeq);
        compactions++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    await Promise.all(
      docs.map(async (doc, w) => {
        for (let i = 0; i < 120; i++) {
          const batch = Array.from({ length: 1 + (i % 3) }, (_, j) => ({
            pad: p,
            update: textUpdate(doc, `${w}.${i}.${j} `),
          }));
          await s.append(batch);
          if (i % 10 === 0) await new Promise((r) => setImmediate(r));
        }
      }),
    );
    writing = false;
    await compactor;
    const expected = new Y.Doc();
    for (const d of docs) Y.applyUpdate(expected, Y.encodeStateAsUpdate(d));
    assert.ok(compactions >= 2, `compactions ran concurrently (${compactions})`);
    assert.equal(textOf(await s.load(p)), expected.getText('content').toString());
  });

  it('S11 two writer processes on one pad: every entry stored exactly once', opt(noShared), async (t) => {
    const s = store();
    const shared = pad();
    const own = [pad(), pad()];
    const perWriter = 400;
    const started = Date.now();
    await Promise.all(
      ['A', 'B'].map((w, i) =>
        runChild(target.shared!, { mode: 'writers', writer: w, pads: [shared, own[i]], entries: perWriter, batch: 8 }),
      ),
    );
    t.diagnostic(`two processes wrote ${2 * perWriter} entries in ${Date.now() - started} ms (with start-up)`);
    const counts = await census(s, [shared, ...own]);
    assert.equal(counts.size, 2 * perWriter, 'every entry present');
    for (const [key, c] of counts) assert.equal(c, 1, `entry ${key} stored ${c} times`);
  });

  it('S12 kill -9 of a writer mid-batch: each batch is all there or not at all', opt(noShared), async (t) => {
    const s = store();
    const pads = [pad(), pad()];
    const batch = 64;
    const delayMs = Math.floor(Math.random() * 40);
    t.diagnostic(`kill delay ${delayMs} ms after the 3rd ack`);
    const acked = await crashChild(
      target.shared!,
      { mode: 'crash', writer: 'C', pads, batch, padding: 8192 },
      3,
      delayMs,
    );
    const perPad = !(target.atomicAcrossPads?.(s) ?? true);
    const byBatch = new Map<string, number>();
    for (const p of pads) {
      for (const u of (await s.load(p)).updates) {
        const h = decodeProbe(u);
        const key = perPad ? `${h.b}@${p}` : `${h.b}`;
        byBatch.set(key, (byBatch.get(key) ?? 0) + 1);
      }
    }
    for (const p of pads)
      assert.deepEqual((await s.load(p)).corrupt, [], 'no entry fails its checksum after the kill (R1)');
    const full = perPad ? batch / pads.length : batch;
    for (const [key, c] of byBatch) assert.equal(c, full, `batch ${key} is partial: ${c} of ${full} entries`);
    for (const b of acked)
      assert.ok(byBatch.has(perPad ? `${b}@${pads[0]}` : `${b}`), `acknowledged batch ${b} is missing`);
    t.diagnostic(`acked ${acked.size} batches, stored ${byBatch.size} (${perPad ? 'per pad' : 'across pads'})`);
  });

  it('S13 a very large pad (10 MB of text) loads and compacts', opt(), async (t) => {
    const s = store();
    const p = pad();
    const doc = new Y.Doc();
    const piece = 64 * 1024;
    const total = 10 * 1024 * 1024;
    const started = Date.now();
    for (let off = 0; off < total; off += piece * 16) {
      const batch: LogEntry[] = [];
      for (let i = 0; i < 16 && off + i * piece < total; i++) {
        const text = String.fromCharCode(97 + ((off / piece + i) % 26)).repeat(piece);
        batch.push({ pad: p, update: textUpdate(doc, text) });
      }
      await s.append(batch);
    }
    const wrote = Date.now();
    const expected = doc.getText('content').toString();
    assert.equal(textOf(await s.load(p)), expected);
    const loaded = Date.now();
    const got = await s.load(p);
    await s.compact(p, Y.encodeStateAsUpdate(doc), got.lastSeq);
    const after = await s.load(p);
    assert.equal(after.updates.length, 0);
    assert.equal(textOf(after), expected);
    t.diagnostic(
      `append ${wrote - started} ms, load+check ${loaded - wrote} ms, compact+reload ${Date.now() - loaded} ms`,
    );
  });

  it('S14 many small pads (batched appends) list and load', opt(), async (t) => {
    const s = store();
    const count = target.manyPads ?? 100_000;
    const prefix = pad();
    const batchSize = 1000;
    const started = Date.now();
    for (let i = 0; i < count; i += batchSize) {
      const batch: LogEntry[] = [];
      for (let j = i; j < Math.min(count, i + batchSize); j++)
        batch.push({ pad: `${prefix}-${j}`, update: probe({ w: 'many', b: j, k: 0, n: 1 }) });
      await s.append(batch);
    }
    const wrote = Date.now();
    const listed = (await s.listPads()).filter((p) => p.startsWith(`${prefix}-`));
    assert.equal(listed.length, count);
    const listedAt = Date.now();
    for (let i = 0; i < 200; i++) {
      const j = Math.floor(Math.random() * count);
      const got = await s.load(`${prefix}-${j}`);
      assert.equal(got.updates.length, 1);
      assert.equal(decodeProbe(got.updates[0]!).b, j);
    }
    t.diagnostic(
      `${count} pads: append ${wrote - started} ms (${Math.round(count / ((wrote - started) / 1000))}/s), listPads ${listedAt - wrote} ms, 200 loads ${Date.now() - listedAt} ms`,
    );
  });

  it(
    'S15 database restarted while writing: every acknowledged append survives',
    opt(!target.restart && (target.restartSkip ?? 'no way to restart this backend')),
    async (t) => {
      const s = store();
      const p = pad();
      const acked: number[] = [];
      let failures = 0;
      let restarted = false;
      let restartError: unknown;
      let restarting: Promise<void> | undefined;
      const deadline = Date.now() + RESTART_TIMEOUT_MS;
      for (let i = 0; !restarted || acked.length < 60; i++) {
        assert.ok(
          Date.now() < deadline,
          `writer still not done after ${RESTART_TIMEOUT_MS} ms (${acked.length} acked, ${failures} failures)`,
        );
        if (i === 20) {
          restarting = target.restart!()
            .catch((err: unknown) => {
              restartError = err;
            })
            .finally(() => {
              restarted = true;
            });
        }
        // The write batcher's behaviour: retry the same entry (same key) until it commits.
        for (;;) {
          try {
            await s.append([{ pad: p, update: probe({ w: 'restart', b: i, k: 0, n: 1 }), id: `restart-${i}` }]);
            acked.push(i);
            break;
          } catch {
            failures++;
            assert.ok(Date.now() < deadline, `append ${i} still failing after the restart`);
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }
      await restarting;
      if (restartError) throw restartError;
      const counts = await census(s, [p]);
      for (const i of acked)
        assert.equal(counts.get(`restart/${i}/0`), 1, `acknowledged append ${i} present exactly once`);
      t.diagnostic(`${acked.length} appends acknowledged, ${failures} failed attempts retried during the restart`);
    },
  );
}
