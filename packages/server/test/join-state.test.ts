import { decodeMessage } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { createLogger } from '../src/log.js';
import { inlineFolder } from '../src/persistence/compactor.js';
import { JoinState } from '../src/room/join-state.js';

const log = createLogger({ logLevel: 'silent', nodeId: 'test' });

/** What a joiner with an empty doc ends with after applying the frames, in order. */
function joined(frames: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  frames.forEach((f, i) => {
    const m = decodeMessage(f);
    // Sync step 2 last: a client reading its doc the moment it is "synced" sees all of it.
    assert.equal(m.type, i === frames.length - 1 ? 'sync-step2' : 'update', `frame ${i}`);
    if (m.type === 'sync-step2' || m.type === 'update') Y.applyUpdate(doc, m.update);
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
    assert.ok(join.answer().at(-1)!.length > snapshot.length, 'the snapshot itself, framed');
    const other = new Y.Doc();
    other.clientID = 99;
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    other.on('update', (u: Uint8Array) => Y.applyUpdate(doc, u));
    other.getText('content').insert(0, 'H');
    other.getMap('m').set('k', 1);
    const frames = join.answer();
    assert.equal(frames.length, 2, 'the log and the later edits merged into one update, then the snapshot');
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

  it('HS5 past 1 MiB after the base, the updates are folded with no join', async () => {
    const { doc, join } = padFrom({ snapshot: null, updates: [] });
    doc.getText('content').insert(0, 'y'.repeat(1024 * 1024));
    await new Promise((r) => setImmediate(r));
    assert.equal(join.answer().length, 1);
    assertSameDoc(joined(join.answer()), doc);
  });

  it('HS5 past 2,048 small updates they are folded with no join, so a later join never merges thousands', async () => {
    const { doc, join } = padFrom({ snapshot: null, updates: [] });
    const t = doc.getText('content');
    for (let i = 0; i < 2_100; i++) t.insert((i * 7) % (t.length + 1), 'k');
    await new Promise((r) => setImmediate(r));
    const frames = join.answer();
    assert.equal(frames.length, 2, 'the base, and the few typed while the fold ran');
    assertSameDoc(joined(frames), doc);
  });
});
