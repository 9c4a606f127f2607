import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { continues, encodeRun, readKeystroke, type Keystroke } from '../src/crdt/keystroke-runs.js';
import { checkUpdate } from '../src/crdt/update-check.js';
import { applyStoredInTurns } from '../src/persistence/load-in-turns.js';
import { applyStored } from '../src/persistence/stored-doc.js';
import { prng } from '../testing/wait.js';

/** Every update `edit` makes on a fresh doc of client `id`, in order. */
function typed(id: number, edit: (t: Y.Text, doc: Y.Doc) => void, base?: Uint8Array): Uint8Array[] {
  const doc = new Y.Doc();
  doc.clientID = id;
  if (base) Y.applyUpdate(doc, base);
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  edit(doc.getText('content'), doc);
  return out;
}

function assertSame(a: Y.Doc, b: Y.Doc): void {
  assert.equal(a.getText('content').toString(), b.getText('content').toString());
  assert.deepEqual(Y.encodeStateVector(a), Y.encodeStateVector(b));
  assert.deepEqual(Y.encodeStateAsUpdate(a), Y.encodeStateAsUpdate(b));
}

/** Applies `updates` one by one (the reference) and through the load path (runs merged); both must agree. */
async function assertLoadsAsOneByOne(updates: Uint8Array[]): Promise<Y.Doc> {
  const reference = new Y.Doc();
  for (const u of updates) Y.applyUpdate(reference, u);
  const inOne = new Y.Doc();
  applyStored(inOne, { snapshot: null, updates });
  const loaded = new Y.Doc();
  await applyStoredInTurns(loaded, { snapshot: null, updates });
  assertSame(loaded, reference);
  assertSame(loaded, inOne);
  return loaded;
}

describe('Keystroke runs on the load path (HS4, R1)', () => {
  it('reads the keystrokes Yjs writes, with and without a right origin, ASCII or not; nothing else', () => {
    const ups = typed(7, (t) => {
      t.insert(0, 'a'); // no origin: parent written instead
      t.insert(1, 'b');
      t.insert(2, 'é');
      t.insert(3, '😀');
      t.insert(1, 'x'); // in the middle: origin and right origin
      t.delete(0, 1); // a delete set only
      t.insert(t.length, 'a much longer paste of text, past the byte-by-byte ASCII read of sixty-four bytes');
    });
    const read = ups.map(readKeystroke);
    assert.equal(read[0], null, 'no origin');
    assert.equal(read[1]?.text, 'b');
    assert.equal(read[2]?.text, 'é');
    assert.equal(read[3]?.text, '😀');
    assert.equal(read[4]?.text, 'x');
    assert.notEqual(read[4]!.rightClient, -1, 'right origin read');
    assert.equal(read[5], null, 'delete set');
    assert.match(read[6]!.text, /^a much longer paste/);
    assert.equal(readKeystroke(typed(1, (_, d) => d.getMap('m').set('k', 'v'))[0]!), null, 'map entry');
    const two = typed(3, (t, d) => d.transact(() => (t.insert(0, 'ab'), t.insert(0, 'c'))));
    assert.equal(readKeystroke(two[0]!), null, 'two structs');
  });

  it('a run is one update giving the doc the keystrokes give it; a break in the chain starts a new run', () => {
    const ups = typed(5, (t) => {
      for (let i = 0; i < 50; i++) t.insert(t.length, 'k');
      t.insert(10, 'M'); // breaks the chain: origin elsewhere
      t.insert(11, 'N');
    });
    const ks = ups.slice(1, 50).map((u) => readKeystroke(u)!);
    for (let i = 1; i < ks.length; i++) assert.ok(continues(ks[i - 1]!, 1, ks[i]!), `keystroke ${i} continues`);
    assert.ok(!continues(ks.at(-1)!, 1, readKeystroke(ups[50]!)!), 'an insert elsewhere does not');
    const run = encodeRun(
      ks[0]!,
      ks.map((k) => k.text),
    );
    assert.doesNotThrow(() => checkUpdate(run));
    const doc = new Y.Doc();
    Y.applyUpdate(doc, ups[0]!);
    Y.applyUpdate(doc, run);
    assert.equal(doc.getText('content').toString(), 'k'.repeat(50));
  });

  it('a run loads as its keystrokes do when another client typed inside it, when half of it is already there, and when it waits for a lost entry', async () => {
    const a = typed(10, (t) => {
      for (const ch of 'hello wörld, typed one key at a time 😀!') t.insert(t.length, ch);
    });
    // Client 3 (ordered before 10) and 20 (after) type at spots inside a's run, concurrently.
    const half = new Y.Doc();
    for (const u of a.slice(0, 6)) Y.applyUpdate(half, u);
    const base = Y.encodeStateAsUpdate(half);
    const b = typed(3, (t) => t.insert(3, 'B'), base);
    const c = typed(20, (t) => t.insert(3, 'C'), base);
    await assertLoadsAsOneByOne([...a, ...b, ...c]);
    await assertLoadsAsOneByOne([...b, ...c, ...a]);
    // The first half of the run is in the snapshot already (a replayed log, an overlap).
    const loaded = new Y.Doc();
    await applyStoredInTurns(loaded, { snapshot: base, updates: [...a.slice(3), ...b] });
    const reference = new Y.Doc();
    applyStored(reference, { snapshot: base, updates: [...a.slice(3), ...b] });
    assertSame(loaded, reference);
    // A lost keystroke (R3): the rest waits for it, as one by one; it heals when it comes.
    const lost = [...a.slice(0, 10), ...a.slice(11)];
    const partial = await assertLoadsAsOneByOne(lost);
    assert.equal(partial.getText('content').toString(), 'hello wörl');
    Y.applyUpdate(partial, a[10]!);
    assert.equal(partial.getText('content').toString(), 'hello wörld, typed one key at a time 😀!');
  });

  it('R1 whatever bytes a keystroke is mutated into, the fast reader accepts only what checkUpdate accepts, and loads it as Yjs does', async () => {
    const seed = 190_002;
    const rand = prng(seed);
    const ups = typed(123_456_789, (t) => {
      for (let i = 0; i < 40; i++) t.insert(i % 3 === 0 ? t.length : Math.floor(t.length / 2), 'aé😀'[i % 3]!);
    });
    let accepted = 0;
    for (let round = 0; round < 20_000; round++) {
      const src = ups[1 + Math.floor(rand() * (ups.length - 1))]!;
      const m = new Uint8Array(src);
      const flips = 1 + Math.floor(rand() * 3);
      for (let f = 0; f < flips; f++) m[Math.floor(rand() * m.length)] = Math.floor(rand() * 256);
      const k: Keystroke | null = readKeystroke(m);
      if (!k) continue;
      accepted++;
      let checked: unknown = null;
      try {
        checkUpdate(m);
      } catch (err) {
        checked = err;
      }
      assert.equal(checked, null, `seed ${seed} round ${round}: read as a keystroke but checkUpdate refuses it`);
      assert.equal(Y.decodeUpdate(m).structs[0]!.length, k.text.length, `seed ${seed} round ${round}: length`);
      // As a run of one it is the same update (Yjs reads the same struct; varints may be re-encoded shorter).
      const fields = (u: Uint8Array) => {
        const { structs, ds } = Y.decodeUpdate(u);
        const s = structs[0] as Y.Item;
        return [structs.length, s.id, s.origin, s.rightOrigin, (s.content as Y.ContentString).str, ds.clients.size];
      };
      assert.deepEqual(fields(encodeRun(k, [k.text])), fields(m), `seed ${seed} round ${round}: re-encoded`);
    }
    assert.ok(accepted > 1_000, `${accepted} mutants still read as keystrokes (the check ran)`);
  });
});
