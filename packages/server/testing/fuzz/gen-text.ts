import { fork, edit, updateFrame, type Frame, type PadView } from './frames.js';
import type { Generator } from './generator.js';

/** Big pastes at random places, up to past MAX_PAD_CHARS (then 4413 for the pad, not the update). */
export const bigString: Generator = {
  name: 'big-string',
  make(view: PadView): Frame[] {
    const { rand } = view;
    const doc = fork(view.base(), rand.clientId());
    const text = doc.getText('content');
    const paste = rand.text(rand.size(400_000));
    const update = edit(doc, () => text.insert(rand.int(0, text.length), paste));
    doc.destroy();
    return [updateFrame(update, 'valid')];
  },
};

/** An attacker that types like an honest client between attacks: small inserts and deletes on a synced fork. */
export const typing: Generator = {
  name: 'typing',
  make(view: PadView): Frame[] {
    const { rand } = view;
    const doc = fork(view.base(), rand.clientId());
    const text = doc.getText('content');
    const frames: Frame[] = [];
    for (let i = rand.int(1, 5); i > 0; i--) {
      const u = edit(doc, () => {
        if (text.length > 0 && rand.chance(0.3)) text.delete(rand.int(0, text.length - 1), 1);
        else text.insert(rand.int(0, text.length), rand.text(rand.int(1, 4)));
      });
      frames.push(updateFrame(u, 'valid'));
    }
    doc.destroy();
    return frames;
  },
};
