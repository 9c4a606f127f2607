import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { checkUpdate } from '../src/crdt/update-check.js';
import { prng } from '../testing/wait.js';

describe('Update validation', () => {
  it('P10 every mutated update that passes checkUpdate applies without throwing (seeds 1-3 pinned)', () => {
    const src = new Y.Doc();
    const updates: Uint8Array[] = [];
    src.on('update', (u: Uint8Array) => updates.push(u));
    const t = src.getText('content');
    t.insert(0, 'fuzz seed text');
    t.delete(2, 3);
    src.getMap('other').set('k', 42);
    t.insert(4, 'more');
    t.delete(0, 2);
    updates.push(Y.encodeStateAsUpdate(src));
    let accepted = 0;
    let rejected = 0;
    for (const seed of [1, 2, 3]) {
      const rand = prng(seed);
      for (let i = 0; i < 5_000; i++) {
        const m = updates[Math.floor(rand() * updates.length)]!.slice();
        for (let j = 0; j < 1 + rand() * 3; j++) m[Math.floor(rand() * m.length)] = Math.floor(rand() * 256);
        try {
          checkUpdate(m);
        } catch {
          rejected++;
          continue;
        }
        accepted++;
        const doc = new Y.Doc();
        doc.getText('content').insert(0, 'precious text');
        if (rand() < 0.5) Y.applyUpdate(doc, updates[0]!);
        doc.on('update', () => {});
        assert.doesNotThrow(() => Y.applyUpdate(doc, m), `seed ${seed} iteration ${i}`);
      }
    }
    assert.ok(accepted > 100 && rejected > 100, `both paths exercised (${accepted} accepted, ${rejected} rejected)`);
  });

  it('P11 a valid insert reports the characters it adds; an empty update passes', () => {
    const doc = new Y.Doc();
    let u: Uint8Array | null = null;
    doc.on('update', (x: Uint8Array) => (u = x));
    doc.getText('content').insert(0, 'ab');
    assert.ok(u);
    assert.equal(checkUpdate(u).insertedChars, 2);
    const bogusDs = Y.mergeUpdates([]);
    assert.doesNotThrow(() => checkUpdate(bogusDs), 'an empty update is fine');
  });

  it('E2 text inserted and deleted within one update does not count as inserted (an undone paste)', () => {
    const doc = new Y.Doc({ gc: false });
    const t = doc.getText('content');
    t.insert(0, 'keep ');
    t.insert(5, 'p'.repeat(1_000));
    t.delete(5, 600);
    t.insert(t.length, '!');
    const { insertedChars } = checkUpdate(Y.encodeStateAsUpdate(doc));
    assert.equal(insertedChars, t.length, 'only what survives counts');
  });
});
