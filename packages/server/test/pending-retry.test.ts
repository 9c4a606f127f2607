import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { PendingRetry } from '../src/crdt/pending-retry.js';

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
});
