import type * as Y from 'yjs';
import { checkUpdate } from '../crdt/update-check.js';
import { ShapeError, readUpdateShape, type ShapeLimits } from '../crdt/update-shape.js';
import { TokenBucket } from '../limits.js';
import { SCAN_STEPS_BURST, SCAN_STEPS_PER_SEC } from '../transport/session.js';
import { PadShape, type PadShapeLimits } from './pad-shape.js';
import { padGrowthProblem, type PadSizeLimits } from './pad-size.js';
import { TEXT_NAME } from '@padmesh/protocol';

export interface OfflineWriteLimits extends PadSizeLimits, PadShapeLimits {
  /** Per-update limits (HI1). */
  update: ShapeLimits;
}

/**
 * Why `update`, written to a pad outside any node (`padmesh import --format yjs`), is
 * refused, or null. The same checks, in the same order, as a WebSocket update (design §5):
 * its shape read from the bytes before Yjs decodes it (HI1), then the pad's size (L5) and
 * shape (HI2, HI3) with it, counting from `doc` as loaded and `storedBytes` as stored.
 */
export function offlineUpdateProblem(
  doc: Y.Doc,
  storedBytes: number,
  update: Uint8Array,
  limits: OfflineWriteLimits,
): string | null {
  try {
    const shape = readUpdateShape(update, limits.update);
    const { insertedChars } = checkUpdate(update);
    const size = padGrowthProblem(limits, {
      storedBytes,
      chars: doc.getText(TEXT_NAME).length,
      addBytes: update.length,
      addChars: insertedChars,
    });
    if (size) return size;
    // One import is one connection's worth of scanning budget.
    new PadShape(doc, limits).admit(shape, update.length, new TokenBucket(SCAN_STEPS_PER_SEC, SCAN_STEPS_BURST));
    return null;
  } catch (err) {
    if (err instanceof ShapeError) return err.message;
    return `not a Yjs update: ${(err as Error).message}`;
  }
}
