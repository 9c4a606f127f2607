import { encodeMessage } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { fold } from '../src/crdt/fold.js';
import { PendingRetry } from '../src/crdt/pending-retry.js';
import { PENDING_RETRY_MS } from '../src/room/room.js';
import { Sim } from '../testing/sim/sim.js';

/** What client 7 writes (by `write`) after a character of client 99 that nobody else has: it all pends. */
function afterGhost(write: (w: Y.Doc) => void): Uint8Array {
  const ghost = new Y.Doc();
  ghost.clientID = 99;
  ghost.getText('content').insert(0, 'G');
  const w = new Y.Doc();
  w.clientID = 7;
  Y.applyUpdate(w, Y.encodeStateAsUpdate(ghost));
  const sv = Y.encodeStateVector(w);
  write(w);
  return Y.encodeStateAsUpdate(w, sv);
}

/**
 * Client 7 writes "a" after 99's character, then sets a map key: both structs pend, the first
 * waiting for 99, the second behind it in 7's clocks. Then another update gives client 7's
 * first clock (a replayed or forged id) without that dependency: it integrates, and the key
 * could follow, but Yjs retries its pending update only when 99 arrives.
 */
function stuckDoc(): { doc: Y.Doc } {
  const waiting = afterGhost((w) => {
    w.getText('content').insert(1, 'a');
    w.getMap('m').set('k', 1);
  });
  const forger = new Y.Doc();
  forger.clientID = 7;
  forger.getText('content').insert(0, 'X');
  const doc = new Y.Doc();
  Y.applyUpdate(doc, waiting);
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(forger));
  return { doc };
}

/**
 * Client 7 writes "a" after 99's character (nobody has 99) and "b" after 150's, then deletes
 * "b"; a forger writes 7's first clock as "Z". Sent in `order`, then 150's character: once the
 * forged "Z" is in, a retry leaves "b" waiting for 150 alone, but the replay puts "a" (its
 * clock in the doc, its origin not) back in front of it, and when 150 arrives Yjs retries the
 * whole pending update, where "a" blocks "b" again. (What fits seed 1126005's HF5 failure in
 * the long round: texts equal, the reloaded pad's state vector not.)
 */
function replayedBlocker() {
  const one = (client: number, text: string) => {
    const d = new Y.Doc();
    d.clientID = client;
    d.getText('content').insert(0, text);
    return d;
  };
  const ghost = one(99, 'g');
  const dep = one(150, 'y');
  const w = new Y.Doc();
  w.clientID = 7;
  Y.applyUpdate(w, Y.encodeStateAsUpdate(ghost));
  Y.applyUpdate(w, Y.encodeStateAsUpdate(dep));
  const t = w.getText('content'); // "gy"
  const since = (f: () => void) => {
    const sv = Y.encodeStateVector(w);
    f();
    return Y.encodeStateAsUpdate(w, sv);
  };
  const writes = since(() => {
    t.insert(1, 'a');
    t.insert(t.length, 'b');
  });
  const deletes = since(() => t.delete(t.length - 1, 1));
  const forged = Y.encodeStateAsUpdate(one(7, 'Z'));
  return { writes, deletes, forged, replayed: writes, dependency: Y.encodeStateAsUpdate(dep) };
}

describe('Pending structs Yjs would not retry (HF5)', () => {
  it('HF5 a pending struct whose own dependencies arrived by another update integrates on retry, once', () => {
    const { doc } = stuckDoc();
    assert.ok(doc.store.pendingStructs, 'Yjs holds them pending');
    assert.equal(doc.getMap('m').get('k'), undefined, 'the key waits');
    const retry = new PendingRetry();
    assert.equal(retry.due(doc), true);
    retry.retry(doc, null);
    assert.equal(doc.getMap('m').get('k'), 1, 'the retry integrated it');
    assert.equal(retry.due(doc), false, 'nothing changed for it since: not due again');
  });

  it('HF5 a doc whose pending structs cannot integrate is retried once, then not again until its clients advance', () => {
    const doc = new Y.Doc();
    Y.applyUpdate(
      doc,
      afterGhost((w) => w.getText('content').insert(0, 'ab')),
    );
    assert.ok(doc.store.pendingStructs);
    const retry = new PendingRetry();
    assert.equal(retry.due(doc), true);
    retry.retry(doc, null);
    assert.ok(doc.store.pendingStructs, 'still waiting for 99');
    assert.equal(retry.due(doc), false);
  });

  it('HF5 a struct of a clock the doc has, pending again after a retry, is retried when the next one can integrate', () => {
    const u = replayedBlocker();
    const doc = new Y.Doc();
    const retry = new PendingRetry();
    for (const x of [u.writes, u.deletes, u.forged]) Y.applyUpdate(doc, x);
    assert.equal(retry.due(doc), true);
    retry.retry(doc, null);
    assert.equal(Y.getState(doc.store, 7), 1, '"b" waits for 150');
    Y.applyUpdate(doc, u.replayed);
    Y.applyUpdate(doc, u.dependency);
    assert.equal(Y.getState(doc.store, 7), 1, 'Yjs retried it behind "a" again');
    assert.equal(retry.due(doc), true, 'no client advanced, but the pending update holds a clock the doc has');
    retry.retry(doc, null);
    assert.equal(Y.getState(doc.store, 7), 2, '"b" integrated');
    assert.equal(doc.getText('content').toString(), 'Zy', 'and its held delete applied');
    assert.equal(retry.due(doc), false);
    // What a compaction of the first four leaves, then the dependency: the same pad.
    const compacted = new Y.Doc();
    Y.applyUpdate(compacted, fold(null, [u.writes, u.deletes, u.forged, u.replayed]).state);
    Y.applyUpdate(compacted, u.dependency);
    assert.ok(Y.equalSnapshots(Y.snapshot(compacted), Y.snapshot(doc)));
  });

  it('HF5 the room: a pad compacted between the replay and the dependency reloads as the live doc', async () => {
    const u = replayedBlocker();
    const sim = new Sim();
    // The four raw or applied entries before the dependency are folded into a snapshot.
    const node = sim.node({ settings: { compactEvery: 4 } });
    try {
      const c = await node.connect('reblocked');
      await sim.run();
      for (const x of [u.writes, u.deletes, u.forged, u.replayed, u.dependency]) {
        c.sendRaw(encodeMessage({ type: 'update', update: x }));
        await sim.advance(PENDING_RETRY_MS);
      }
      assert.equal(c.closeCode, null);
      const live = node.rooms.peek('reblocked')!.doc;
      assert.equal(Y.getState(live.store, 7), 2, 'the live doc integrated "b"');
      const s = await sim.storage.load('reblocked');
      assert.ok(s.snapshot, 'compacted on the way');
      const stored = new Y.Doc();
      stored.transact(() => [s.snapshot!, ...s.updates].forEach((x) => Y.applyUpdate(stored, x)));
      assert.equal(stored.getText('content').toString(), 'Zy');
      assert.ok(
        Y.equalSnapshots(Y.snapshot(stored), Y.snapshot(live)),
        'reloaded equals live (state vector and deletes)',
      );
    } finally {
      await sim.close();
    }
  });
});
