import * as Y from 'yjs';
import { Misplaced, PlacedCheck } from './placed-check.js';

/**
 * Inserts a pad may hold unchecked past their batch, waiting in Yjs for a dependency (HI13).
 * Each is re-read in every later transaction of the pad until it is placed (~40 ns when still
 * waiting): at most ~0.2 ms a transaction. An honest client's insert waits only while what it
 * follows is on its way (an edit typed before the client's sync answer, another node's relay):
 * a few at a time.
 */
export const MAX_UNPLACED_ANCHORS = 4096;

/** An insert that waited in Yjs for a dependency landed between non-neighbours; `from` sent it, if known. */
export class UnplacedRefused<From> extends Error {
  constructor(
    readonly from: From,
    readonly refusal: Misplaced,
  ) {
    super(refusal.message);
  }
}

/**
 * One doc's inserts whose HI13 check waits until Yjs places them, each with who sent it
 * (`From`). The room keeps what clients' updates left pending past their batch and what a load
 * left pending (stored as received, HI3), and checks them in whichever transaction places
 * them, whatever brought the dependency (a client, a peer node, a retry of the pending
 * update), before that transaction's update is stored or sent. A fold checks what its log
 * leaves pending the same way (fold-refusing.ts).
 */
export class Unplaced<From> {
  private checks: { check: PlacedCheck; from: From }[] = [];
  private anchors = 0;

  /** Anchors still waiting. */
  get count(): number {
    return this.anchors;
  }

  add(check: PlacedCheck, from: From): void {
    if (check.waiting === 0) return;
    this.checks.push({ check, from });
    this.anchors += check.waiting;
  }

  /** What a load left pending in Yjs, checked as a client's leftovers are; false if it could not be read. */
  addPendingOf(doc: Y.Doc, from: From): boolean {
    const pending = doc.store.pendingStructs;
    if (!pending) return true;
    try {
      this.add(PlacedCheck.ofUpdate(Y.convertUpdateFormatV2ToV1(pending.update), doc), from);
      return true;
    } catch {
      // Yjs wrote it, so this should not happen; a pad that cannot load would be worse than an unchecked insert.
      return false;
    }
  }

  /** Checks the anchors now placed; throws UnplacedRefused for one placed between non-neighbours. */
  check(doc: Y.Doc): void {
    if (this.checks.length === 0) return;
    let n = 0;
    for (let k = this.checks.length - 1; k >= 0; k--) {
      const c = this.checks[k]!;
      try {
        if (c.check.check(doc)) this.checks.splice(k, 1);
        else n += c.check.waiting;
      } catch (err) {
        if (err instanceof Misplaced) throw new UnplacedRefused(c.from, err);
        throw err;
      }
    }
    this.anchors = n;
  }
}
