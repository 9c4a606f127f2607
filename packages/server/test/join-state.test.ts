import { decodeMessage } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { createLogger } from '../src/log.js';
import { inlineFolder } from '../src/persistence/compactor.js';
import type { Folder } from '../src/persistence/compactor.js';
import type { FoldOptions } from '../src/crdt/fold.js';
import { History } from '../src/history/versions.js';
import { ENCODE_AT_LOAD_MAX_STRUCTS, JoinState } from '../src/room/join-state.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { ManualClock } from '../testing/manual-clock.js';

const log = createLogger({ logLevel: 'silent', nodeId: 'test' });

/**
 * What a joiner with an empty doc ends with after applying the frames, in order. Unless the
 * pad itself holds an entry waiting for a dependency, nothing waits in the joiner either.
 */
function joined(frames: Uint8Array[], padHoldsPending = false): Y.Doc {
  const doc = new Y.Doc();
  frames.forEach((f, i) => {
    const m = decodeMessage(f);
    // Sync step 2 last: a client reading its doc the moment it is "synced" sees all of it.
    assert.equal(m.type, i === frames.length - 1 ? 'sync-step2' : 'update', `frame ${i}`);
    if (m.type === 'sync-step2' || m.type === 'update') Y.applyUpdate(doc, m.update);
    // Each frame's dependencies came before it: a client never holds one (HS3, HS5).
    if (padHoldsPending) return;
    assert.equal(doc.store.pendingStructs, null, `frame ${i} left structs waiting`);
    assert.equal(doc.store.pendingDs, null, `frame ${i} left deletes waiting`);
  });
  return doc;
}

function assertSameDoc(a: Y.Doc, b: Y.Doc): void {
  assert.deepEqual(Y.encodeStateVector(a), Y.encodeStateVector(b));
  assert.equal(a.getText('content').toString(), b.getText('content').toString());
  assert.deepEqual(Y.encodeStateAsUpdate(a), Y.encodeStateAsUpdate(b));
}

/** A pad's doc as the room holds it, feeding its updates to a JoinState as the room does. */
function padFrom(stored: { snapshot: Uint8Array | null; updates: Uint8Array[] }) {
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const u of stored.updates) Y.applyUpdate(doc, u);
  const join = new JoinState(stored, inlineFolder, log);
  doc.on('update', (u: Uint8Array) => join.push(u));
  return { doc, join };
}

describe('Join answers without encoding the pad (HS5)', () => {
  it('HS5 an empty pad answers one empty sync step 2', () => {
    const { doc, join } = padFrom({ snapshot: null, updates: [] });
    const frames = join.answer();
    assert.equal(frames.length, 1);
    assertSameDoc(joined(frames), doc);
  });

  it('HS5 a loaded pad answers its stored snapshot and log, then every later edit; the joiner ends equal to the doc', () => {
    const writer = new Y.Doc();
    writer.getText('content').insert(0, 'hello world');
    const snapshot = Y.encodeStateAsUpdate(writer);
    const log: Uint8Array[] = [];
    writer.on('update', (u: Uint8Array) => log.push(u));
    writer.getText('content').insert(5, ',');
    writer.getText('content').delete(0, 1);
    const { doc, join } = padFrom({ snapshot, updates: log });
    assert.ok(join.answer()[0]!.length > snapshot.length, 'the snapshot itself, framed, first');
    const other = new Y.Doc();
    other.clientID = 99;
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    other.on('update', (u: Uint8Array) => Y.applyUpdate(doc, u));
    other.getText('content').insert(0, 'H');
    other.getMap('m').set('k', 1);
    const frames = join.answer();
    assert.equal(
      frames.length,
      3,
      'the snapshot, the log and the later edits merged into one update, then sync step 2',
    );
    assertSameDoc(joined(frames), doc);
    assert.equal(doc.getText('content').toString(), 'Hello, world');
  });

  it('HS5 a join that finds more than 256 updates after the base has them folded into a new base (off the event loop with a compactor); answers stay equal to the doc', async () => {
    const { doc, join } = padFrom({ snapshot: null, updates: [] });
    const t = doc.getText('content');
    for (let i = 0; i < 300; i++) t.insert(i, 'x');
    assertSameDoc(joined(join.answer()), doc);
    await new Promise((r) => setImmediate(r));
    const frames = join.answer();
    assert.equal(frames.length, 1, 'all 300 folded into the base');
    assert.ok(frames[0]!.length > 300, 'the base holds the folded inserts');
    assertSameDoc(joined(frames), doc);
    t.delete(0, 10);
    assertSameDoc(joined(join.answer()), doc);
  });

  it('HS3 a paste applied in slices is answered slice by slice, unmerged, between merged runs of keystrokes: a join merges only small entries', () => {
    const { doc, join } = padFrom({ snapshot: null, updates: [] });
    const t = doc.getText('content');
    t.insert(0, 'start ');
    // Each insert is one update of ~5-6 KiB, as the room's slices of a big paste are.
    for (let i = 0; i < 8; i++) t.insert(t.length, `${i}`.repeat(5_000 + i));
    for (let i = 0; i < 20; i++) t.insert((i * 31) % t.length, 'k');
    const frames = join.answer();
    // No base yet (nothing folded): 'start ' alone, 8 slices, the keystrokes merged, sync step 2.
    assert.equal(frames.length, 1 + 8 + 1 + 1);
    assert.ok(
      frames.slice(1, 9).every((f) => f.length > 5_000),
      'each slice in a frame of its own',
    );
    assertSameDoc(joined(frames), doc);
  });

  it('HS5 past 4 MiB after the base, the updates are folded with no join', async () => {
    const folder = countingFolder();
    const { doc, join } = loaded({ snapshot: null, updates: [] }, folder);
    const t = doc.getText('content');
    t.insert(0, 'y'.repeat(3 * 1024 * 1024));
    await new Promise((r) => setImmediate(r));
    assert.equal(folder.folds, 0, 'not at 3 MiB');
    t.insert(0, 'z'.repeat(1024 * 1024));
    await new Promise((r) => setImmediate(r));
    assert.equal(folder.folds, 1);
    assert.equal(join.answer().length, 1);
    assertSameDoc(joined(join.answer()), doc);
  });

  it('HS5 a join merges at most 128 KiB of small entries on the event loop; the rest go as they are, in order', () => {
    const { doc, join } = padFrom({ snapshot: null, updates: [] });
    const sizes: number[] = [];
    doc.on('update', (u: Uint8Array) => sizes.push(u.length));
    const t = doc.getText('content');
    // 200 batches of 64 inserts at scattered places, ~1.7 KiB each, as a busy pad's turns are:
    // all small enough to merge; merging all 335 KiB took 18-36 ms once warm, the budget's 7.5.
    let s = 7;
    for (let b = 0; b < 200; b++)
      doc.transact(() => {
        for (let k = 0; k < 64; k++) {
          s = (s * 1103515245 + 12345) >>> 0;
          t.insert(s % (t.length + 1), `<${b}.${k}>w `);
        }
      });
    let fit = 0;
    for (let left = 128 * 1024; fit < sizes.length && sizes[fit]! <= left; fit++) left -= sizes[fit]!;
    assert.ok(fit > 50 && fit < 200, `${fit} entries fit the budget`);
    const frames = join.answer();
    // Those within the budget in one merged frame, every later one in a frame of its own, then sync step 2.
    assert.equal(frames.length, 1 + (sizes.length - fit) + 1);
    frames.slice(1, -1).forEach((f, i) => {
      const m = decodeMessage(f);
      assert.ok(m.type === 'update' && m.update.length === sizes[fit + i], `entry ${fit + i} as it was`);
    });
    assertSameDoc(joined(frames), doc);
  });

  it('HS5 past 2,048 small updates they are merged into one chunk with no join, so a later join never merges thousands', async () => {
    const folder = countingFolder();
    const { doc, join } = loaded({ snapshot: null, updates: [] }, folder);
    const t = doc.getText('content');
    for (let i = 0; i < 2_100; i++) t.insert((i * 7) % (t.length + 1), 'k');
    await new Promise((r) => setImmediate(r));
    assert.equal(folder.merges, 1);
    assert.equal(folder.merged, 2_048, 'the first 2,048 updates, without the base');
    assert.equal(folder.folds, 0);
    assertSameDoc(joined(join.answer()), doc);
  });

  it('HS5 a join that finds more than 4 merged chunks asks for a fold (joins come in storms; each would merge them all)', async () => {
    const folder = countingFolder();
    const { doc, join } = loaded({ snapshot: null, updates: [] }, folder);
    const t = doc.getText('content');
    for (let i = 0; i < 5 * 2_048 + 10; i++) {
      t.insert((i * 7) % (t.length + 1), 'k');
      if (i % 512 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setImmediate(r));
    assert.equal(folder.merges, 5);
    assert.equal(folder.folds, 0, 'no join yet: no fold');
    assertSameDoc(joined(join.answer()), doc);
    await new Promise((r) => setImmediate(r));
    assert.equal(folder.folds, 1);
    assert.equal(join.answer().length, 1, 'everything in the new base');
    assertSameDoc(joined(join.answer()), doc);
  });

  it('HS3 the state of a version comes folded from the join state (the folder, off the event loop), equal to the doc, and leaves answers as they were', async () => {
    const folder = countingFolder();
    const { doc, join } = loaded({ snapshot: null, updates: [] }, folder);
    const t = doc.getText('content');
    // Fewer than a join folds for (256), so the answer itself asks for no fold.
    for (let i = 0; i < 200; i++) t.insert((i * 13) % (t.length + 1), 'v');
    const before = join.answer();
    const history = new History(new MemoryStorage(), { maxVersions: 10 }, new ManualClock());
    const folds = folder.folds;
    const v = await history.record('p', doc, { name: null, authors: [], reason: 'request' }, () => join.state());
    assert.equal(folder.folds, folds + 1, 'the state was folded by the folder');
    const got = await history.get('p', v.id);
    assert.equal(got?.doc.getText('content').toString(), t.toString());
    assert.equal(v.size, t.length);
    assert.deepEqual(join.answer(), before, 'the answer is untouched');
  });

  it('HS5 on a big pad, typing is merged in chunks and the base is re-folded only after 16 of them (a fold re-applies the whole pad)', async () => {
    const big = new Y.Doc();
    const bt = big.getText('content');
    for (let i = 0; i < 20_000; i++) bt.insert((i * 7919) % (bt.length + 1), 'w');
    const folder = countingFolder();
    const { doc, join } = loaded({ snapshot: Y.encodeStateAsUpdate(big), updates: [] }, folder);
    const t = doc.getText('content');
    for (let i = 0; i < 16 * 2_048 + 100; i++) {
      t.insert((i * 104_729) % (t.length + 1), 'k');
      if (i % 512 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setImmediate(r));
    // Folding every 2,048 would have re-applied the 20,000-struct base 16 times.
    assert.equal(folder.merges, 16);
    assert.equal(folder.folds, 1, 'one fold, once 16 chunks were waiting');
    assertSameDoc(joined(join.answer()), doc);
  });

  /** A folder that counts its folds (the compactor thread's work a join answer would ask for). */
  function countingFolder(): Folder & { folds: number; merges: number; merged: number } {
    const f = {
      folds: 0,
      merges: 0,
      merged: 0,
      fold: (base: Uint8Array | null, updates: readonly Uint8Array[], opts?: FoldOptions) => {
        f.folds++;
        return inlineFolder.fold(base, updates, opts);
      },
      merge: (updates: readonly Uint8Array[]) => {
        f.merges++;
        f.merged += updates.length;
        return inlineFolder.merge(updates);
      },
    };
    return f;
  }

  /** A loaded pad as the loader builds it: the doc applied from storage, then `JoinState.afterLoad`. */
  function loaded(stored: { snapshot: Uint8Array | null; updates: Uint8Array[] }, folder: Folder) {
    const doc = new Y.Doc();
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const u of stored.updates) Y.applyUpdate(doc, u);
    const join = JoinState.afterLoad(doc, stored, folder, log);
    doc.on('update', (u: Uint8Array) => join.push(u));
    return { doc, join };
  }

  it('HS5 a loaded log of 5,000 keystrokes (few structs once applied) is encoded as the base at load: the first join merges and folds nothing', async () => {
    const writer = new Y.Doc();
    const updates: Uint8Array[] = [];
    writer.on('update', (u: Uint8Array) => updates.push(u));
    const t = writer.getText('content');
    for (let i = 0; i < 5_000; i++) t.insert(t.length, 'abc'[i % 3]!);
    t.delete(10, 5);
    const folder = countingFolder();
    const { doc, join } = loaded({ snapshot: null, updates }, folder);
    const frames = join.answer();
    assert.equal(frames.length, 1, 'one sync step 2: the encoded doc, nothing merged');
    assertSameDoc(joined(frames), doc);
    await new Promise((r) => setImmediate(r));
    assert.equal(folder.folds, 0, 'no fold asked for at load');
    doc.getText('content').insert(0, 'Z');
    assertSameDoc(joined(join.answer()), doc);
    assert.equal(join.answer().length, 3, 'a later edit rides after the base, before sync step 2');
  });

  it('HS5 a loaded doc of more than ENCODE_AT_LOAD_MAX_STRUCTS structs is not encoded at load: its stored log is folded on the compactor', async () => {
    const writer = new Y.Doc();
    const updates: Uint8Array[] = [];
    writer.on('update', (u: Uint8Array) => updates.push(u));
    const t = writer.getText('content');
    // Every insert at the front: each keystroke its own struct (none merge).
    for (let i = 0; i <= ENCODE_AT_LOAD_MAX_STRUCTS; i++) t.insert(0, 'q');
    const folder = countingFolder();
    const { doc, join } = loaded({ snapshot: null, updates }, folder);
    assert.equal(folder.folds, 1, 'the long stored log goes to the compactor as before');
    await new Promise((r) => setImmediate(r));
    assertSameDoc(joined(join.answer()), doc);
  });

  it('HS5 HI13 a loaded doc with a pending update answers nothing of it: the stored content is folded without it on the compactor first; once the dependency comes, joiners get both', async () => {
    const writer = new Y.Doc();
    const updates: Uint8Array[] = [];
    writer.on('update', (u: Uint8Array) => updates.push(u));
    writer.getText('content').insert(0, 'abc');
    writer.getText('content').insert(3, 'def');
    writer.getText('content').insert(0, '>');
    const folder = countingFolder();
    // The first entry not stored yet (its sender's answer still on its way): the second waits for it.
    const { doc, join } = loaded({ snapshot: null, updates: [updates[2]!, updates[1]!] }, folder);
    assert.ok(doc.store.pendingStructs, 'the entry is pending');
    assert.equal(join.ready, false, 'no answer from the stored content as it is');
    assert.throws(() => join.answer());
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(join.ready, true);
    assert.equal(folder.folds, 1, 'folded on the folder, not encoded on the event loop');
    const j = joined(join.answer());
    assert.equal(j.getText('content').toString(), '', 'the joiner holds none of what waits');
    assert.equal(j.store.pendingStructs, null);
    Y.applyUpdate(doc, updates[0]!);
    assertSameDoc(joined(join.answer()), doc);
    assert.equal(doc.getText('content').toString(), '>abcdef');
  });
});
