import * as Y from 'yjs';
import { updateFrame, type Frame, type PadView } from './frames.js';
import type { Generator } from './generator.js';

/**
 * Valid updates (recently sent to the pad by anyone) changed the ways a network, a buggy
 * client or an attacker changes them: truncated, bytes flipped, spliced, sent in the wrong
 * format, duplicated, replayed out of order, merged. The framing stays valid, so the bytes
 * reach the update decoders rather than the message parser.
 */
export const mutations: Generator = {
  name: 'mutation',
  make(view: PadView): Frame[] {
    const { rand, recent } = view;
    if (recent.length === 0) return [];
    const u = rand.pick(recent);
    const other = rand.pick(recent);
    switch (rand.int(0, 7)) {
      case 0:
        return [updateFrame(u.slice(0, rand.int(0, u.length - 1)), 'mutated', 'truncated')];
      case 1: {
        const m = u.slice();
        for (let i = rand.int(1, 3); i > 0; i--) m[rand.int(0, m.length - 1)] = rand.int(0, 255);
        return [updateFrame(m, 'mutated', 'bytes flipped')];
      }
      case 2: {
        const m = new Uint8Array(u.length + other.length);
        m.set(u);
        m.set(other, u.length);
        return [updateFrame(m, 'mutated', 'two spliced')];
      }
      case 3:
        return [updateFrame(Y.convertUpdateFormatV1ToV2(u), 'mutated', 'v2 as v1')];
      case 4:
        // Duplicated: the second copy is a no-op for Yjs and must be acknowledged all the same.
        return [updateFrame(u, 'valid', 'duplicated'), updateFrame(u, 'valid', 'duplicate')];
      case 5:
        // Swapped: a later update before an earlier one.
        return [
          updateFrame(recent.at(-1)!, 'valid', 'swapped, later'),
          updateFrame(recent.at(-2) ?? u, 'valid', 'swapped, earlier'),
        ];
      case 6:
        return [updateFrame(Y.mergeUpdates(recent.slice(rand.int(0, recent.length - 1))), 'mutated', 'merged')];
      default:
        // Replayed on a new connection, long after.
        return [updateFrame(recent[0]!, 'valid', 'replayed')];
    }
  },
};
