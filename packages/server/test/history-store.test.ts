import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { History, versionIdOf, type Author, type VersionMeta } from '../src/history/versions.js';
import { padPrefix } from '../src/persistence/side-data-keys.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { writeLegacyAuthors, writeLegacyVersion } from '../testing/legacy-layout.js';
import { ManualClock } from '../testing/manual-clock.js';

const docWith = (text: string) => {
  const d = new Y.Doc();
  d.getText('content').insert(0, text);
  return d;
};
const textOf = (d: Y.Doc) => d.getText('content').toString();
const auto: Omit<VersionMeta, 'id' | 'createdAt' | 'size'> = { name: null, authors: [], reason: 'interval' };
const ann: Author = { name: 'Ann', color: '#d1495b' };
const bo: Author = { name: 'Bo', color: '#2e86ab' };

describe('History in Storage.records', () => {
  it('K2 two nodes recording versions and authors of one pad at once lose none of them', async () => {
    const storage = new MemoryStorage();
    const clock = new ManualClock();
    const nodes = [0, 1].map(() => new History(storage, { maxVersions: 50 }, clock));
    const docs = Array.from({ length: 10 }, (_, i) => docWith(`draft ${i}`));
    await Promise.all(docs.map((d, i) => nodes[i % 2]!.record('p', d, auto)));
    assert.deepEqual(
      (await nodes[0]!.list('p')).map((v) => v.id).sort(),
      docs.map(versionIdOf).sort(),
      'every version from both nodes is listed',
    );
    await Promise.all([
      nodes[0]!.rememberAuthors('p', new Map([[1, ann]])),
      nodes[1]!.rememberAuthors('p', new Map([[2, bo]])),
    ]);
    assert.deepEqual(
      [...(await nodes[1]!.authors('p'))].sort(([a], [b]) => a - b),
      [
        [1, ann],
        [2, bo],
      ],
    );
    const same = docWith('same state');
    await Promise.all(nodes.map((h) => h.record('p', same, auto)));
    assert.equal((await nodes[0]!.list('p')).length, 11, 'V4 the same state recorded on two nodes is one version');
  });

  it('V1 a version is stamped with the injected clock', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const history = new History(new MemoryStorage(), { maxVersions: 10 }, clock);
    const first = await history.record('p', docWith('one'), auto);
    await clock.advance(5_000);
    const second = await history.record('p', docWith('two'), auto);
    assert.equal(first.createdAt, 1_800_000_000_000);
    assert.equal(second.createdAt, 1_800_000_005_000);
  });

  it('K3 versions and authors in the legacy layout are listed, read, named, overridden and pruned', async () => {
    const storage = new MemoryStorage();
    const clock = new ManualClock(1_800_000_000_000);
    const old = docWith('old text');
    const kept = docWith('kept text');
    const legacyMeta = (d: Y.Doc, createdAt: number) => ({
      ...auto,
      id: versionIdOf(d),
      createdAt,
      size: textOf(d).length,
    });
    await writeLegacyVersion(storage, 'p', old, legacyMeta(old, 1_700_000_000_000));
    await writeLegacyVersion(storage, 'p', kept, { ...legacyMeta(kept, 1_700_000_001_000), name: 'keep' });
    await writeLegacyAuthors(storage, 'p', new Map([[1, ann]]));
    const history = new History(storage, { maxVersions: 3 }, clock);

    assert.deepEqual(
      (await history.list('p')).map((v) => v.id),
      [versionIdOf(kept), versionIdOf(old)],
    );
    assert.equal(textOf((await history.get('p', versionIdOf(old)))!.doc), 'old text');
    assert.deepEqual(await history.authors('p'), new Map([[1, ann]]));

    const renamed = await history.record('p', kept, { ...auto, reason: 'request', name: 'renamed' });
    assert.equal(renamed.id, versionIdOf(kept));
    const got = (await history.get('p', renamed.id))!;
    assert.equal(got.meta.name, 'renamed', 'the record wins over the legacy entry');
    assert.equal(textOf(got.doc), 'kept text', 'its state still comes from the legacy layout');
    await history.rememberAuthors('p', new Map([[1, bo]]));
    assert.deepEqual(await history.authors('p'), new Map([[1, bo]]));

    await history.record('p', docWith('new one'), auto);
    await clock.advance(1_000);
    await history.record('p', docWith('new two'), auto);
    const after = await new History(storage, { maxVersions: 3 }, clock).list('p');
    assert.equal(after.length, 3);
    assert.ok(!after.some((v) => v.id === versionIdOf(old)), 'the oldest unnamed (legacy) version was dropped');
    assert.equal(await history.get('p', versionIdOf(old)), null);
    const legacyState = await storage.load(`:v:p:${versionIdOf(old)}`);
    assert.deepEqual(legacyState.updates, [], 'the dropped legacy state is folded away');
    assert.equal(textOf((await history.get('p', versionIdOf(kept)))!.doc), 'kept text');
  });

  it("K2 removing a pad's prefix removes all its history and nothing of another pad", async () => {
    const storage = new MemoryStorage();
    const history = new History(storage, { maxVersions: 10 });
    for (const pad of ['p', 'p2']) {
      await history.record(pad, docWith(`text of ${pad}`), auto);
      await history.rememberAuthors(pad, new Map([[7, ann]]));
    }
    assert.ok((await storage.records.deletePrefix(padPrefix('p'))) >= 3);
    assert.deepEqual(await history.list('p'), []);
    assert.equal((await history.authors('p')).size, 0);
    assert.equal((await history.list('p2')).length, 1);
    assert.equal((await history.authors('p2')).size, 1);
  });
});
