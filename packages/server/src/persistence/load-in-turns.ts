import { setImmediate as nextTurn } from 'node:timers/promises';
import * as Y from 'yjs';
import { continues, encodeRun, readKeystroke, type Keystroke } from '../crdt/keystroke-runs.js';
import { checkUpdate } from '../crdt/update-check.js';
import { NO_SHAPE_LIMITS, shapeSteps, type UpdateShape } from '../crdt/update-shape.js';
import { SLICE_STRUCTS, UpdateSlicer } from '../crdt/update-split.js';
import type { LoadSink } from '../storage/types.js';
import type { PadContent } from './stored-doc.js';

/** Main-thread time one turn of a load may take before it lets other pads' work run. */
export const LOAD_TURN_MS = 10;
/** Keystrokes merged into a run between looks at the clock (~0.2 µs each). */
const RUN_CHECK_EVERY = 1024;
/** A stored entry this big is read for its shape and applied in slices (~2,000 structs and up). */
const SLICED_ENTRY_BYTES = 16 * 1024;

/** A stretch of main-thread work that gives the event loop back every LOAD_TURN_MS. */
export class Turns {
  private started = performance.now();

  get spent(): boolean {
    return performance.now() - this.started > LOAD_TURN_MS;
  }

  /** Lets other work run if this turn's share is used up. */
  async maybeYield(): Promise<void> {
    if (this.spent) await this.next();
  }

  async next(): Promise<void> {
    await nextTurn();
    this.started = performance.now();
  }
}

/** True for an entry read in steps and applied in slices rather than in one call. */
export function isBigEntry(entry: Uint8Array): boolean {
  return entry.length >= SLICED_ENTRY_BYTES;
}

/**
 * Reads a stored entry's shape in steps across turns, recording where its structs are; throws
 * where `checkUpdate` would (bytes that do not decode, P4), so it also verifies the entry (R1).
 */
export async function readShapeInTurns(entry: Uint8Array, turns: Turns): Promise<UpdateShape> {
  const steps = shapeSteps(entry, NO_SHAPE_LIMITS, true);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await turns.maybeYield();
  }
}

/** What a load left out because it does not decode (R1): the snapshot, and indexes into `updates`. */
export interface Undecodable {
  snapshot: boolean;
  updates: number[];
}

/**
 * Applies a loaded pad to a doc nobody observes yet, a bounded stretch per event-loop turn
 * (HS4), so loading a big pad does not hold other pads' edits and `/healthz`: runs of small
 * entries in one transaction each until LOAD_TURN_MS has passed, and each big entry read in
 * steps and applied in dependency-closed slices (`UpdateSlicer`, as for a client's big
 * update). The doc ends as `applyStored` leaves it. Consecutive keystrokes of one client
 * typing on (a long uncompacted log is mostly these) are applied as one update
 * (`keystroke-runs.ts`): 100,000 of them took 202 ms one by one.
 *
 * It is also the load's decode check (R1): an entry is applied only once it is known to
 * decode (a keystroke read, `checkUpdate`, or a big entry's shape read), and one that does not
 * is left out and returned, so the caller quarantines it. Checking in a pass of its own read
 * every entry twice (35-100 ms of a 100,000-entry cold load).
 */
export async function applyStoredInTurns(doc: Y.Doc, stored: PadContent, turns = new Turns()): Promise<Undecodable> {
  const applier = new StoredApplier(doc, turns);
  if (stored.snapshot) applier.snapshot(stored.snapshot);
  applier.updates(stored.updates);
  return applier.done();
}

/**
 * `applyStoredInTurns` for a pad handed over in parts as it is read (`Storage.loadInBatches`):
 * each part is applied in turn after the ones before, while the next is still being read.
 */
export class StoredApplier implements LoadSink {
  private tail: Promise<void> = Promise.resolve();
  private received = 0;
  private readonly bad: Undecodable = { snapshot: false, updates: [] };

  constructor(
    private readonly doc: Y.Doc,
    private readonly turns = new Turns(),
  ) {}

  snapshot(snapshot: Uint8Array): void {
    this.then(() => this.apply([snapshot], () => (this.bad.snapshot = true)));
  }

  updates(batch: Uint8Array[]): void {
    const first = this.received;
    this.received += batch.length;
    this.then(() => this.apply(batch, (i) => this.bad.updates.push(first + i)));
  }

  /** Settles once every part handed over is applied: with what did not decode, or with why applying failed. */
  async done(): Promise<Undecodable> {
    await this.tail;
    return this.bad;
  }

  private then(step: () => Promise<void>): void {
    this.tail = this.tail.then(step);
    // Seen by `done`; until then a failure must not count as unhandled.
    this.tail.catch(() => {});
  }

  private async apply(entries: readonly Uint8Array[], refuse: (i: number) => void): Promise<void> {
    const { doc, turns } = this;
    let i = 0;
    while (i < entries.length) {
      if (!isBigEntry(entries[i]!)) {
        doc.transact(() => {
          do i = applySmall(doc, entries, i, turns, refuse);
          while (i < entries.length && !isBigEntry(entries[i]!) && !turns.spent);
        });
      } else {
        if (!(await applyBig(doc, entries[i]!, turns))) refuse(i);
        i++;
      }
      await turns.maybeYield();
    }
  }
}

/**
 * Applies `entries[i]`, or the run of keystrokes that starts there as one update, and returns
 * the index after; an entry that does not decode goes to `refuse` instead.
 */
function applySmall(
  doc: Y.Doc,
  entries: readonly Uint8Array[],
  i: number,
  turns: Turns,
  refuse: (i: number) => void,
): number {
  const first = readKeystroke(entries[i]!);
  if (!first) {
    if (passesCheckUpdate(entries[i]!)) Y.applyUpdate(doc, entries[i]!);
    else refuse(i);
    return i + 1;
  }
  const texts = [first.text];
  let prev = first;
  let end = i + 1;
  while (end < entries.length && !isBigEntry(entries[end]!)) {
    if ((end - i) % RUN_CHECK_EVERY === 0 && turns.spent) break;
    const next = readKeystroke(entries[end]!);
    if (!next || !continues(prev, prev.text.length, next)) break;
    texts.push(next.text);
    prev = next;
    end++;
  }
  if (end === i + 1) Y.applyUpdate(doc, entries[i]!);
  else if (integratesNow(doc, first)) Y.applyUpdate(doc, encodeRun(first, texts));
  // It would wait for a missing dependency (R3): held one by one, as `applyStored` holds it.
  else for (let j = i; j < end; j++) Y.applyUpdate(doc, entries[j]!);
  return end;
}

/** True if `checkUpdate` accepts `entry` (~1.2 µs for a small one): the decode check (R1) past the keystroke reader. */
export function passesCheckUpdate(entry: Uint8Array): boolean {
  try {
    checkUpdate(entry);
    return true;
  } catch {
    return false;
  }
}

/** True when the doc has everything a run starting with `k` depends on, so Yjs integrates it at once. */
function integratesNow(doc: Y.Doc, k: Keystroke): boolean {
  const store = doc.store;
  return (
    Y.getState(store, k.client) >= k.clock &&
    Y.getState(store, k.originClient) > k.originClock &&
    (k.rightClient === -1 || Y.getState(store, k.rightClient) > k.rightClock)
  );
}

/** Applies a big entry in slices; false, and nothing applied, when its shape does not read (R1). */
async function applyBig(doc: Y.Doc, entry: Uint8Array, turns: Turns): Promise<boolean> {
  let shape: UpdateShape;
  try {
    shape = await readShapeInTurns(entry, turns);
  } catch {
    return false;
  }
  const slicer = shape.table && shape.structs > SLICE_STRUCTS ? new UpdateSlicer(entry, shape.table) : null;
  if (!slicer) {
    Y.applyUpdate(doc, entry);
    return true;
  }
  for (;;) {
    const started = performance.now();
    Y.applyUpdate(doc, slicer.next(doc));
    slicer.took(performance.now() - started);
    if (slicer.done) return true;
    await turns.next();
  }
}
