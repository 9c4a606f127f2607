import * as Y from 'yjs';
import { edit, fork, updateFrame, type Frame, type PadView } from './frames.js';
import type { Generator } from './generator.js';

/** Inserts at scattered positions from up to 90 client ids in one update (cap: MAX_UPDATE_CLIENTS, 64). */
export const manyClients: Generator = {
  name: 'many-clients',
  make(view: PadView): Frame[] {
    const { rand } = view;
    const n = rand.size(90);
    const doc = fork(view.base(), rand.clientId());
    const text = doc.getText('content');
    const before = Y.encodeStateVector(doc);
    // One doc writing as each id in turn: a real Yjs update with n client blocks.
    for (let i = 0; i < n; i++) {
      doc.clientID = rand.clientId();
      text.insert(rand.int(0, text.length), rand.text(rand.int(1, 3)));
    }
    const update = Y.encodeStateAsUpdate(doc, before);
    doc.destroy();
    return [updateFrame(update, n > view.limits.maxUpdateClients ? 'over' : 'valid')];
  },
};

/**
 * Concurrent inserts at one spot: an anchor item, then items from `clients` forks each
 * naming it as origin (Yjs orders those by scanning every sibling). Past 256 items from two
 * or more clients, or past 64 clients: 4415.
 */
export const samePosition: Generator = {
  name: 'same-position',
  make(view: PadView): Frame[] {
    const { rand } = view;
    const clients = rand.size(80);
    const each = rand.size(8);
    const anchorDoc = new Y.Doc();
    anchorDoc.clientID = rand.clientId();
    // At the start of the text with no neighbours: placing it walks the pad's whole text (scan budget).
    const anchor = edit(anchorDoc, () => anchorDoc.getText('content').insert(0, '^'));
    const parts = [anchor];
    for (let c = 0; c < clients; c++) {
      const d = new Y.Doc();
      d.clientID = rand.clientId();
      Y.applyUpdate(d, anchor);
      // Each insert right after the anchor: every item names the anchor as its origin.
      parts.push(
        edit(d, () => {
          for (let i = 0; i < each; i++) d.getText('content').insert(1, rand.text(1));
        }),
      );
      d.destroy();
    }
    anchorDoc.destroy();
    const over = clients + 1 > view.limits.maxUpdateClients || (clients > 1 && clients * each > 256);
    return [updateFrame(Y.mergeUpdates(parts), over ? 'over' : 'valid')];
  },
};

/**
 * One insert per message at the very start of the text from a fresh client id with no
 * neighbours: each walks every item already there (the crowded-spot attack; scan budget).
 */
export const crowd: Generator = {
  name: 'crowd',
  make(view: PadView): Frame[] {
    const { rand } = view;
    const frames: Frame[] = [];
    for (let i = rand.int(1, 6); i > 0; i--) {
      const d = new Y.Doc();
      d.clientID = rand.clientId();
      frames.push(
        updateFrame(
          edit(d, () => d.getText('content').insert(0, rand.text(1))),
          'valid',
        ),
      );
      d.destroy();
    }
    return frames;
  },
};
