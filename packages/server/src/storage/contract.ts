import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import type { Storage } from './types.js';

export interface ContractTarget {
  /** A fresh, empty store. */
  open(): Promise<Storage>;
  /** Reopens the same store (simulates a restart); optional for memory. */
  reopen?(old: Storage): Promise<Storage>;
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

function textOf(stored: { snapshot: Uint8Array | null; updates: Uint8Array[] }): string {
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const u of stored.updates) Y.applyUpdate(doc, u);
  return doc.getText('content').toString();
}

/** The storage contract: every backend runs exactly these scenarios. */
export function storageContract(name: string, target: ContractTarget): void {
  describe(`Storage contract: ${name}`, () => {
    let s: Storage;
    let n = 0;
    const pad = () => `contract-${Date.now().toString(36)}-${++n}`;
    before(async () => {
      s = await target.open();
    });
    after(async () => {
      await s.close();
    });

    it('S1 an unknown pad loads empty', async () => {
      const got = await s.load(pad());
      assert.equal(got.snapshot, null);
      assert.deepEqual(got.updates, []);
      assert.equal(got.lastSeq, 0);
    });

    it('S2 appended updates load back in order, byte for byte', async () => {
      const p = pad();
      const doc = new Y.Doc();
      const ups = ['a', 'b', 'c'].map((t) => textUpdate(doc, t));
      await s.append([{ pad: p, update: ups[0]! }]);
      await s.append([{ pad: p, update: ups[1]! }, { pad: p, update: ups[2]! }]);
      const got = await s.load(p);
      assert.deepEqual(got.updates.map((u) => Buffer.from(u)), ups.map((u) => Buffer.from(u)));
      assert.equal(textOf(got), 'abc');
      assert.ok(got.lastSeq > 0);
    });

    it('S3 one batch may span several pads and keeps them apart', async () => {
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

    it('S4 compaction replaces covered log entries and keeps later ones', async () => {
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

    it('S5 an older compaction never replaces a newer snapshot', async () => {
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

    it('S6 listPads includes every pad with state', async () => {
      const p = pad();
      await s.append([{ pad: p, update: textUpdate(new Y.Doc(), 'z') }]);
      assert.ok((await s.listPads()).includes(p));
    });

    it('S7 appends survive a reopen', { skip: !target.reopen && 'store has no reopen' }, async () => {
      const p = pad();
      await s.append([{ pad: p, update: textUpdate(new Y.Doc(), 'durable') }]);
      s = await target.reopen!(s);
      assert.equal(textOf(await s.load(p)), 'durable');
    });

    it('S8 ping succeeds on an open store', async () => {
      await s.ping();
    });
  });
}
