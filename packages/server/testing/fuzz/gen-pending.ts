import * as Y from 'yjs';
import { edit, fork, updateFrame, type Frame, type PadView } from './frames.js';
import type { Generator } from './generator.js';

/**
 * Chains of dependent updates from one client sent out of order, sometimes with a link held
 * back: what Yjs keeps pending until the link arrives (HI3). The held link goes to `owed`;
 * `owedLinks` sends it several messages later, or the epoch ends and it never comes.
 */
export const pendingChain: Generator = {
  name: 'pending-chain',
  make(view: PadView): Frame[] {
    const { rand } = view;
    const doc = rand.chance(0.5) ? fork(view.base(), rand.clientId()) : new Y.Doc();
    doc.clientID = rand.clientId();
    const text = doc.getText('content');
    const links: Uint8Array[] = [];
    for (let i = rand.int(2, 12); i > 0; i--) {
      links.push(
        edit(doc, () => {
          if (text.length > 0 && rand.chance(0.25)) text.delete(rand.int(0, text.length - 1), 1);
          else text.insert(rand.int(0, text.length), rand.text(rand.size(rand.chance(0.1) ? 5_000 : 20)));
        }),
      );
    }
    doc.destroy();
    const frames = links.map((u) => updateFrame(u, 'valid'));
    if (rand.chance(0.5)) view.owed.push(frames.splice(rand.chance(0.5) ? 0 : rand.int(0, frames.length - 1), 1)[0]!);
    return rand.chance(0.7) ? rand.shuffle(frames) : frames.reverse();
  },
};

/** A link a chain held back, sent now: the pending updates before it can integrate. */
export const owedLinks: Generator = {
  name: 'owed-link',
  make(view: PadView): Frame[] {
    if (view.owed.length === 0) return [];
    return view.owed.splice(view.rand.int(0, view.owed.length - 1), 1);
  },
};
