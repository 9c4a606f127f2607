import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { encodeState } from '../src/crdt/encode-state.js';
import { fold } from '../src/crdt/fold.js';

/** The fuzzer's pad (seed 1126001, epoch 226): a snapshot and 49 entries, some structs pending. */
function fixture(): { snapshot: Uint8Array | null; updates: Uint8Array[] } {
  const raw = JSON.parse(readFileSync(new URL('./fixtures/pending-merge.json', import.meta.url), 'utf8')) as {
    snapshot: string | null;
    updates: string[];
  };
  const bytes = (b: string) => new Uint8Array(Buffer.from(b, 'base64'));
  return { snapshot: raw.snapshot ? bytes(raw.snapshot) : null, updates: raw.updates.map(bytes) };
}

function live(): Y.Doc {
  const { snapshot, updates } = fixture();
  const doc = new Y.Doc();
  doc.transact(() => {
    if (snapshot) Y.applyUpdate(doc, snapshot);
    for (const u of updates) Y.applyUpdate(doc, u);
  });
  return doc;
}

const loaded = (state: Uint8Array) => {
  const d = new Y.Doc();
  Y.applyUpdate(d, state);
  return d;
};

describe('Encoding a doc that holds pending structs (HF5)', () => {
  it('HF5 Yjs merges stale pending structs into the state and loses text; encodeState does not', () => {
    const doc = live();
    assert.ok(doc.store.pendingStructs, 'the fixture holds pending structs');
    const yjs = loaded(Y.encodeStateAsUpdate(doc));
    // What compaction stored before: 11 characters short. If Yjs fixes this, drop the helper.
    assert.notEqual(yjs.getText('content').length, doc.getText('content').length, 'Yjs still loses text here');
    const ours = loaded(encodeState(doc));
    assert.equal(ours.getText('content').toString(), doc.getText('content').toString());
    assert.ok(Y.equalSnapshots(Y.snapshot(ours), Y.snapshot(doc)), 'same structs and deletes');
  });

  it('HF5 a compaction fold of the fixture loads as the live doc', () => {
    const { snapshot, updates } = fixture();
    const folded = loaded(fold(snapshot, updates).state);
    assert.ok(Y.equalSnapshots(Y.snapshot(folded), Y.snapshot(live())));
  });

  it('HF5 a diff for a client that has part of the pad, applied to it, gives the live doc', () => {
    const doc = live();
    const { snapshot } = fixture();
    const client = loaded(snapshot!);
    Y.applyUpdate(client, encodeState(doc, Y.encodeStateVector(client)));
    assert.equal(client.getText('content').toString(), doc.getText('content').toString());
  });
});
