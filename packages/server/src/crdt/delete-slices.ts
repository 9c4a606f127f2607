import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/** What the room applies a turn at a time (HS2): `UpdateSlicer`, or `DeleteSlicer` below. */
export interface Slicer {
  readonly done: boolean;
  next(doc: Y.Doc): Uint8Array;
  /** Applying the slice `next` gave last took `ms` of wall time (the room's whole turn for it): sizes the next one. */
  took(ms: number): void;
}

/**
 * Structs Yjs may step over per slice of a delete set, counting a slot a split moves as an
 * eighth of one (scan-probe.ts: 512 visits and 4,096 slots per walk step). A visit is ~5.5 ns,
 * so ~5 ms a slice, about what an insert slice takes.
 */
export const DELETE_SLICE_VISITS = 1_000_000;
const SLOTS_PER_VISIT = 8;

/**
 * Applies an update whose delete set is dear in slices, one per turn: first its structs
 * (`structs`: one slice, or an `UpdateSlicer` whose last slice leaves the delete set out),
 * then its delete ranges, as many per slice as step over about DELETE_SLICE_VISITS structs
 * in the doc as it is then. Yjs applies a delete set range by range, so a delete set cut
 * into parts deletes what the whole does, in any doc, pending ranges included (deletes are
 * idempotent and commute with everything). Without it one update just under the address's
 * scan burst held the loop ~100 ms (bench `hostile`, delete sets: 600 copies of one range
 * over 20,000 structs).
 */
export class DeleteSlicer implements Slicer {
  private at = 0;
  /** The structs' slicer while the last slice was one of its: it is sized by time; delete slices by visits. */
  private paced: Slicer | null = null;

  constructor(
    private structs: Slicer | null,
    /** Flat (client, clock, len, ...), as sent. */
    private readonly deletes: readonly number[],
    private readonly maxVisits = DELETE_SLICE_VISITS,
  ) {}

  get done(): boolean {
    return this.structs === null && this.at >= this.deletes.length;
  }

  took(ms: number): void {
    this.paced?.took(ms);
  }

  next(doc: Y.Doc): Uint8Array {
    this.paced = this.structs;
    if (this.structs) {
      const slice = this.structs.next(doc);
      if (this.structs.done) this.structs = null;
      return slice;
    }
    if (this.done) throw new Error('no slices left');
    const d = this.deletes;
    const store = doc.store;
    const from = this.at;
    let cost = 0;
    let i = from;
    // At least one range a slice: a single range is bounded by the pad's structs.
    do {
      const client = d[i]!;
      const clock = d[i + 1]!;
      const state = Y.getState(store, client);
      if (clock < state) {
        const structs = store.clients.get(client)!;
        const end = Math.min(clock + d[i + 2]!, state);
        const first = Y.findIndexSS(structs, clock);
        const last = Y.findIndexSS(structs, end - 1);
        cost += last - first + 1;
        if (structs[first]!.id.clock < clock || end < structs[last]!.id.clock + structs[last]!.length)
          cost += (structs.length - first) / SLOTS_PER_VISIT;
      }
      i += 3;
    } while (i < d.length && cost < this.maxVisits);
    this.at = i;
    return deleteOnly(d, from, i);
  }
}

/** A v1 update of no structs and the ranges d[from, to), one block per run of one client. */
function deleteOnly(d: readonly number[], from: number, to: number): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  let blocks = 0;
  for (let i = from; i < to; i += 3) if (i === from || d[i] !== d[i - 3]) blocks++;
  encoding.writeVarUint(e, blocks);
  for (let i = from; i < to;) {
    const client = d[i]!;
    let j = i;
    while (j < to && d[j] === client) j += 3;
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, (j - i) / 3);
    for (let k = i; k < j; k += 3) {
      encoding.writeVarUint(e, d[k + 1]!);
      encoding.writeVarUint(e, d[k + 2]!);
    }
    i = j;
  }
  return encoding.toUint8Array(e);
}

/** The struct section of a v1 update with an empty delete set. */
export function structsOnly(update: Uint8Array, deleteSetAt: number): Uint8Array {
  const out = new Uint8Array(deleteSetAt + 1);
  out.set(update.subarray(0, deleteSetAt));
  return out;
}

/** One slice: the whole of what it is given. */
export function oneSlice(update: Uint8Array): Slicer {
  let given = false;
  return {
    get done() {
      return given;
    },
    next() {
      given = true;
      return update;
    },
    took() {},
  };
}
