import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { applyStoredInTurns } from '../src/persistence/load-in-turns.js';
import { applyStored, type PadContent } from '../src/persistence/stored-doc.js';
import { baseText, deleteRanges, fragmentedText, mapKeys, scatteredInserts } from '../testing/big-updates.js';

/** Same state vector, same delete set, same text and map: the two docs are one pad. */
function assertSame(a: Y.Doc, b: Y.Doc): void {
  assert.deepEqual(Y.encodeStateVector(a), Y.encodeStateVector(b));
  assert.deepEqual(Y.encodeStateAsUpdate(a), Y.encodeStateAsUpdate(b));
  assert.equal(a.getText('content').toString(), b.getText('content').toString());
}

/** Loads `stored` in turns while counting the event-loop turns that ran in between. */
async function loadCountingTurns(stored: PadContent): Promise<{ doc: Y.Doc; turns: number }> {
  const doc = new Y.Doc();
  let turns = 0;
  let loading = true;
  const tick = () => {
    turns++;
    if (loading) setImmediate(tick);
  };
  setImmediate(tick);
  await applyStoredInTurns(doc, stored);
  loading = false;
  return { doc, turns };
}

describe('Pad loads in turns (HS4)', () => {
  it('HS4 a compacted snapshot of scattered inserts from 64 clients loads as applyStored does, over many turns', async () => {
    const base = baseText(10_000);
    const pad = new Y.Doc();
    Y.applyUpdate(pad, Y.encodeStateAsUpdate(base));
    Y.applyUpdate(pad, scatteredInserts(base, 60_000, 64, 3));
    pad.getText('content').delete(100, 5_000);
    const stored = { snapshot: Y.encodeStateAsUpdate(pad), updates: [] };
    const whole = new Y.Doc();
    applyStored(whole, stored);
    const { doc, turns } = await loadCountingTurns(stored);
    assertSame(doc, whole);
    assert.ok(turns >= 10, `other work ran in ${turns} turns during the load`);
  });

  it('HS4 a log of many small entries, big entries, map keys and deletes between loads as applyStored does', async () => {
    const writer = fragmentedText(3_000, 5);
    const updates: Uint8Array[] = [Y.encodeStateAsUpdate(writer)];
    const t = writer.getText('content');
    const keep = (u: Uint8Array) => updates.push(u);
    writer.on('update', keep);
    for (let i = 0; i < 20_000; i++) t.insert((i * 7919) % t.length, 'y');
    writer.off('update', keep);
    updates.push(mapKeys(30_000));
    updates.push(
      deleteRanges(
        5,
        Array.from({ length: 500 }, (_, i) => [3 * i, 1] as const),
      ),
    );
    const stored = { snapshot: null, updates };
    const whole = new Y.Doc();
    applyStored(whole, stored);
    const { doc, turns } = await loadCountingTurns(stored);
    assertSame(doc, whole);
    assert.equal(doc.getMap('m').size, 30_000);
    assert.ok(turns >= 2, `other work ran in ${turns} turns during the load`);
  });

  it('HS4 an entry whose dependency is missing stays pending exactly as in applyStored', async () => {
    const a = new Y.Doc();
    a.clientID = 11;
    const first: Uint8Array[] = [];
    a.on('update', (u: Uint8Array) => first.push(u));
    a.getText('content').insert(0, 'x'.repeat(10));
    a.getMap('m').set('k', 'v'.repeat(40_000));
    const stored = { snapshot: null, updates: [first[1]!] };
    const whole = new Y.Doc();
    applyStored(whole, stored);
    const { doc } = await loadCountingTurns(stored);
    assert.ok(doc.store.pendingStructs, 'held pending');
    assertSame(doc, whole);
  });

  it('R1 what does not decode is left out and named: a big snapshot, a small non-keystroke and a big update', async () => {
    const base = baseText(10_000);
    const snapshot = Y.encodeStateAsUpdate(base);
    const good: Uint8Array[] = [];
    const keep = (u: Uint8Array) => good.push(u);
    base.on('update', keep);
    base.getText('content').insert(0, 'start ');
    base.getMap('m').set('k', 1);
    base.getText('content').insert(3, 'y'.repeat(20_000));
    base.off('update', keep);
    const cut = (u: Uint8Array) => u.subarray(0, u.length - 3);
    const junkSmall = Uint8Array.of(1, 1, 5, 0, 0xff, 0xff);
    const junkBig = cut(mapKeys(5_000));
    const updates = [good[0]!, junkSmall, good[1]!, junkBig, good[2]!];
    const doc = new Y.Doc();
    const bad = await applyStoredInTurns(doc, { snapshot: cut(snapshot), updates });
    assert.deepEqual(bad, { snapshot: true, updates: [1, 3] });
    const expected = new Y.Doc();
    applyStored(expected, { snapshot: null, updates: good });
    assertSame(doc, expected);

    const whole = new Y.Doc();
    assert.deepEqual(await applyStoredInTurns(whole, { snapshot, updates: good }), { snapshot: false, updates: [] });
    assert.equal(whole.getText('content').length, base.getText('content').length);
  });
});
