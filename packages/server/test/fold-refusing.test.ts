import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { encodeState } from '../src/crdt/encode-state.js';
import { fold } from '../src/crdt/fold.js';
import { compactPad } from '../src/persistence/compaction.js';
import { MemoryStorage } from '../src/storage/memory.js';

/** A text typed by one client, entry by entry, as a pad's log holds it. */
function typed(client: number, texts: string[]): Uint8Array[] {
  const doc = new Y.Doc();
  doc.clientID = client;
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  for (const t of texts) doc.getText('content').insert(doc.getText('content').length, t);
  return out;
}

const text = (state: Uint8Array) => {
  const d = new Y.Doc();
  Y.applyUpdate(d, state);
  return d.getText('content').toString();
};

describe('Folding without refused inserts (HI13)', () => {
  const [hello, bang] = typed(1, ['hello', '!!']);
  // Client 2's "Z" after client 1's "!!", which waits in Yjs until "!!" comes.
  const after = new Y.Doc();
  after.clientID = 2;
  Y.applyUpdate(after, hello!);
  Y.applyUpdate(after, bang!);
  const sv = Y.encodeStateVector(after);
  after.getText('content').insert(7, 'Z');
  const z = Y.encodeStateAsUpdate(after, sv);
  const zIds = [2, 0, 1];

  it('leaves out the entry that carries a named struct, and folds the rest', () => {
    const out = fold(null, [hello!, z, bang!], { refuseIds: zIds });
    assert.deepEqual(out.refused, [1]);
    assert.equal(text(out.state), 'hello!!');
    assert.deepEqual(fold(null, [hello!, z, bang!], { refuseIds: [3, 0, 1] }).refused, [], 'no entry of client 3');
  });

  it("drops a snapshot's pending structs when they carry one, and keeps them otherwise", () => {
    const d = new Y.Doc();
    Y.applyUpdate(d, hello!);
    Y.applyUpdate(d, z);
    assert.ok(d.store.pendingStructs);
    const snapshot = encodeState(d);
    const dropped = fold(snapshot, [bang!], { refuseIds: zIds });
    assert.equal(dropped.droppedSnapshotPending, true);
    assert.equal(text(dropped.state), 'hello!!');
    const kept = fold(snapshot, [bang!], { refuseIds: [3, 0, 1] });
    assert.equal(kept.droppedSnapshotPending, false);
    assert.equal(text(kept.state), 'hello!!Z');
  });

  it('without pending structs: the state a joiner is sent holds nothing that waits', () => {
    const out = fold(null, [hello!, z], { withPendingStructs: false });
    const d = new Y.Doc();
    Y.applyUpdate(d, out.state);
    assert.equal(d.store.pendingStructs, null);
    Y.applyUpdate(d, bang!);
    assert.equal(d.getText('content').toString(), 'hello!!');
  });

  it('compactPad quarantines what it refused, even from a pad that is only a snapshot', async () => {
    const storage = new MemoryStorage();
    await storage.append([hello!, z].map((update) => ({ pad: 'p', update })));
    await compactPad(storage, 'p');
    const before = await storage.load('p');
    assert.equal(before.updates.length, 0, 'folded: the insert is among the pending structs of the snapshot');
    await storage.append([{ pad: 'p', update: bang! }]);
    const done = await compactPad(storage, 'p', { refuseIds: zIds });
    assert.equal(done.refused, 0, 'no log entry held it');
    const after = await storage.load('p');
    assert.equal(text(after.snapshot!), 'hello!!');
    await storage.append([
      { pad: 'q', update: hello! },
      { pad: 'q', update: z },
    ]);
    assert.equal((await compactPad(storage, 'q', { refuseIds: zIds })).refused, 1);
    assert.deepEqual(
      (await storage.quarantined('q')).map((e) => e.reason),
      ['misplaced'],
    );
  });

  // Client 3's "Z" after client 1's second "!", claiming "h" as its right origin: never
  // neighbours. It waits in Yjs until "!!" comes, and only then can it be checked.
  const zBad = (() => {
    const e = encoding.createEncoder();
    for (const x of [1, 1, 3, 0]) encoding.writeVarUint(e, x);
    encoding.writeUint8(e, 0x80 | 0x40 | 4);
    for (const x of [1, 6, 1, 0]) encoding.writeVarUint(e, x);
    encoding.writeVarString(e, 'Z');
    encoding.writeVarUint(e, 0);
    return encoding.toUint8Array(e);
  })();

  it('finds an insert that waited and lands between non-neighbours in the fold itself, and folds again without it', () => {
    // As a cluster can store it: the room that held it never saw the dependency before another node compacted.
    const out = fold(null, [hello!, zBad, bang!]);
    assert.deepEqual(out.refused, [1]);
    assert.equal(text(out.state), 'hello!!');
    const placedWhole = new Y.Doc();
    for (const u of [hello!, zBad, bang!]) Y.applyUpdate(placedWhole, u);
    assert.ok(placedWhole.getText('content').toString().includes('Z'), 'Yjs alone places it');
    // Waiting inside a snapshot's pending structs, placed by a later entry: the snapshot's pending part goes.
    const d = new Y.Doc();
    Y.applyUpdate(d, hello!);
    Y.applyUpdate(d, zBad);
    const fromSnapshot = fold(encodeState(d), [bang!]);
    assert.equal(fromSnapshot.droppedSnapshotPending, true);
    assert.equal(text(fromSnapshot.state), 'hello!!');
    // Well placed ones that waited are kept.
    assert.equal(text(fold(null, [hello!, z, bang!]).state), 'hello!!Z');
    // Behind a well placed one that waits for the same thing: Yjs adds to its pending structs in place.
    const both = fold(null, [hello!, z, zBad, bang!]);
    assert.deepEqual(both.refused, [2]);
    assert.equal(text(both.state), 'hello!!Z');
  });

  it('compactPad quarantines an entry the fold found misplaced, unasked', async () => {
    const storage = new MemoryStorage();
    await storage.append([hello!, zBad, bang!].map((update) => ({ pad: 'r', update })));
    assert.equal((await compactPad(storage, 'r')).refused, 1);
    assert.equal(text((await storage.load('r')).snapshot!), 'hello!!');
    assert.deepEqual(
      (await storage.quarantined('r')).map((e) => e.reason),
      ['misplaced'],
    );
  });
});
