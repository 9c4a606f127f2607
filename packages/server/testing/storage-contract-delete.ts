import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as Y from 'yjs';
import { docFromStored } from '../src/persistence/stored-doc.js';
import { expiryKey, padPrefix, readOnlyIdKey, readOnlyLinkKey, versionKey } from '../src/persistence/side-data-keys.js';
import type { Storage } from '../src/storage/types.js';
import { writeLegacyAccess, writeLegacyVersion } from './legacy-layout.js';

type Opt = (skip?: string | false) => { skip: string | false };

const put = (s: Storage, key: string, text: string) => s.records.put(key, new Uint8Array(Buffer.from(text)));
function edit(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('content').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}
const textOf = async (s: Storage, pad: string) => {
  const doc = docFromStored(await s.load(pad));
  const t = doc.getText('content').toString();
  doc.destroy();
  return t;
};

/** Storage.deletePad and Storage.idlePads (OW10, OW11) on every backend. */
export function deleteScenarios(get: () => Storage, pad: () => string, opt: Opt): void {
  it(
    'OW10 deletePad removes the log, snapshot, quarantine, records, read-only link and legacy pseudo-pads; other pads are untouched',
    opt(),
    async () => {
      const s = get();
      const [p, other] = [pad(), pad()];
      await s.append([
        { pad: p, update: edit('one') },
        { pad: other, update: edit('other') },
      ]);
      const stored = await s.load(p);
      await s.compact(p, Y.encodeStateAsUpdate(docFromStored(stored)), stored.lastSeq);
      await s.append([{ pad: p, update: edit('two') }]);
      await s.quarantine([{ pad: p, kind: 'update', seq: (await s.load(p)).lastSeq, reason: 'checksum' }]);
      const link = `L${p}`.replace(/[^A-Za-z0-9]/g, 'x').padEnd(24, 'x');
      await put(s, readOnlyIdKey(p), link);
      await put(s, readOnlyLinkKey(link), p);
      await put(s, versionKey(p, '0123456789abcdef'), '{}');
      await put(s, expiryKey(p), '1');
      await put(s, readOnlyIdKey(other), 'kept');
      const legacyLink = `M${p}`.replace(/[^A-Za-z0-9]/g, 'y').padEnd(24, 'y');
      await writeLegacyAccess(s, p, { passwordHash: 'x', readOnlyId: legacyLink });
      await writeLegacyVersion(s, p, new Y.Doc(), {
        id: 'fedcba9876543210',
        createdAt: 1,
        name: null,
        authors: [],
        size: 0,
        reason: 'idle',
      });

      await s.deletePad(p);
      for (const name of [p, `:meta:${p}`, `:ro:${legacyLink}`, `:vi:${p}`, `:v:${p}:fedcba9876543210`])
        assert.equal((await s.load(name)).lastSeq, 0, `${name} is gone`);
      assert.deepEqual(await s.quarantined(p), []);
      assert.deepEqual(await s.records.list(padPrefix(p)), []);
      assert.equal(await s.records.get(readOnlyLinkKey(link)), null);
      assert.equal(await s.records.get(expiryKey(p)), null);
      assert.ok(!(await s.listPads()).some((n) => n === p || n.includes(`:${p}`)));
      assert.equal(await textOf(s, other), 'other', 'the other pad keeps its log');
      assert.notEqual(await s.records.get(readOnlyIdKey(other)), null, 'and its records');
    },
  );

  it('OW10 an append after deletePad starts afresh; deleting an unknown pad is a no-op', opt(), async () => {
    const s = get();
    const p = pad();
    await s.append([{ pad: p, update: edit('old') }]);
    await s.deletePad(p);
    await s.append([{ pad: p, update: edit('new') }]);
    assert.equal(await textOf(s, p), 'new');
    await s.deletePad(pad());
  });

  it(
    'OW11 idlePads finds pads whose last append is older than the cut-off, and forgets deleted ones',
    opt(),
    async () => {
      const s = get();
      const p = pad();
      await s.append([{ pad: p, update: edit('x') }]);
      assert.ok((await s.idlePads(Date.now() + 60_000)).includes(p), 'untouched since before the cut-off');
      assert.ok(!(await s.idlePads(Date.now() - 60_000)).includes(p), 'written after the cut-off');
      assert.ok(!(await s.idlePads(Date.now() + 60_000)).some((n) => n.startsWith(':')), 'no pseudo-pads');
      await s.deletePad(p);
      assert.ok(!(await s.idlePads(Date.now() + 60_000)).includes(p));
    },
  );
}
