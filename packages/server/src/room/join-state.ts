import { encodeMessage } from '@padmesh/protocol';
import * as Y from 'yjs';
import { EMPTY_UPDATE, encodeState } from '../crdt/encode-state.js';
import { mergeInGroups } from '../crdt/merge.js';
import type { Logger } from '../log.js';
import type { Folder } from '../persistence/compactor.js';
import type { PadContent } from '../persistence/stored-doc.js';

/**
 * A join state's folds skip R1's check of every entry: the stored content it starts from was
 * verified by the load (`loadVerifiedInto`), and the rest is what the doc applied or a fold
 * of its own encoded.
 */
const VERIFIED = { verified: true } as const;
/** Updates after the base past which a join asks for a fold (each answer merges them all). */
const FOLD_AT_JOIN_UPDATES = 256;
/**
 * Bytes after the base past which they are folded whether or not anyone joins (a big base: a
 * quarter of it). A fold re-applies the base, so below a big base the folds of a growing pad
 * cost about the square of its size over this: at 1 MiB the throughput bench (8 pads growing
 * to ~2 MiB in ~12 s) re-applied every pad twice on the compactor thread: its throughput
 * against 34fc730 was 0.62 with them, 0.92 with none at all, and 0.94 at this floor with their
 * decode skipped (medians; bench/README.md, fifteenth session). What it bounds is memory and
 * a joiner's bytes, not the event loop's work: a join merges at most
 * MERGE_AT_JOIN_BUDGET_BYTES, whatever waits here.
 */
const FOLD_MIN_BYTES = 4 * 1024 * 1024;
/**
 * Updates after the last merged chunk that are merged into one on the compactor thread:
 * merging is superlinear in their count (`Y.mergeUpdates` of 50,000 keystrokes took 76 s; in
 * groups of 16, 4,096 took 22 ms), so a join after a long quiet stretch must not find more
 * than this unmerged. A merge costs what the updates hold; a fold re-applies the whole base,
 * so folding every 2,048 keystrokes cost more the bigger the pad (the throughput bench's
 * compactor CPU per update did not measurably change with chunks: there the log's
 * compaction is most of it).
 */
const MERGE_CHUNK = 2048;
/** Merged chunks after the base past which they are folded into it: a join sends at most this many plus the unmerged tail. */
const MAX_CHUNKS = 16;
/**
 * Entries after the base up to this size are merged for a joiner on the event loop; bigger ones
 * (a merged chunk, a slice of a paste) are sent as they are. 4 KiB holds any keystroke or small
 * paste; a run of them is merged in groups (4,096 keystrokes took 22 ms), and the folds and
 * chunk merges keep such runs short.
 */
const MERGE_AT_JOIN_MAX_BYTES = 4096;
/**
 * Bytes of small entries one answer merges on the event loop; past them, entries are framed as
 * they are, which costs a copy. Merging is ~0.1 ms per KiB of many-keystroke batches (1,200
 * entries of 64 inserts each, 2.3 MiB: 240 ms), and the entries waiting here were bounded only
 * by the fold above: a join, which any pad's visitor can ask for again after each edit, held
 * the loop for as long as it took to merge them all. 2,048 keystrokes (the unmerged tail's
 * most, MERGE_CHUNK) are ~60 KiB, so an honest pad's joiner still gets them merged.
 */
const MERGE_AT_JOIN_BUDGET_BYTES = 128 * 1024;
/** Merged chunks a join finds past which it asks for a fold, as for FOLD_AT_JOIN_UPDATES: joins come in storms. */
const FOLD_AT_JOIN_CHUNKS = 4;
/**
 * Structs (summed over `doc.store`) up to which a freshly loaded doc is encoded as the base at
 * once: ~0.5 µs a struct, so at most ~5 ms, under one load turn (LOAD_TURN_MS, HS4). A log of
 * 100,000 keystrokes holds a handful of structs once applied (a run of one client's typing
 * merges into one item), and merging those 100,000 updates for the first join took 454 ms.
 */
export const ENCODE_AT_LOAD_MAX_STRUCTS = 10_000;

/**
 * What a client joining with an empty doc is sent (HS5), kept as bytes so that answering
 * never encodes the pad on the event loop: Y.encodeStateAsUpdate of a pad at the caps (610,000
 * structs) took 0.5-1 s of one turn, and every edit invalidated the cached answer, so edits
 * and joins in turn stalled the node each time. The answer is a base (the stored snapshot the
 * pad loaded from, later a fold) and the doc's updates since, each already encoded. Every
 * MERGE_CHUNK of those are merged into one on the compactor thread; past MAX_CHUNKS merged
 * chunks or FOLD_MIN_BYTES (a quarter of a big base), or when a joiner finds more than
 * FOLD_AT_JOIN_UPDATES entries or FOLD_AT_JOIN_CHUNKS chunks, they are folded into a new base there, as the log is
 * (`Compactor`). (Folding every 256 updates cost typing 15 % more CPU per update.) Applied by the joiner,
 * the answer gives what the doc holds (structs still waiting for a dependency come when they
 * integrate, as for any client). (`join-state.test.ts`)
 */
export class JoinState {
  private base: Uint8Array | null;
  private since: Uint8Array[];
  private sinceBytes: number;
  /** Entries of `since` before this index are merged chunks; the rest are updates as the doc emitted them. */
  private merged = 0;
  private frames: Uint8Array[] | null = null;
  /** A fold or a merge is on the compactor thread: both rewrite `since`, so one at a time. */
  private busy = false;
  /**
   * The stored content the pad loaded from held structs still waiting for a dependency: no
   * answer until it is folded without them (see `ready`).
   */
  private unready = false;
  /** Settles once the fold above is done (or failed: then `ready` stays false). */
  private folded: Promise<void> = Promise.resolve();

  constructor(
    stored: PadContent,
    private readonly folder: Folder,
    private readonly log: Logger,
  ) {
    this.base = stored.snapshot;
    this.since = [...stored.updates];
    this.sinceBytes = this.since.reduce((n, u) => n + u.length, 0);
    // A long stored log (a crash before compaction) is folded before the first join needs it.
    if (this.since.length >= MERGE_CHUNK) this.fold();
  }

  /**
   * The join state of a doc just loaded from `stored` (nothing else applied to it yet): the
   * doc encoded as the base when that is cheap (few structs, nothing pending), so the first
   * join merges nothing; otherwise the stored snapshot and log, folded on the compactor thread.
   */
  static afterLoad(doc: Y.Doc, stored: PadContent, folder: Folder, log: Logger): JoinState {
    if (doc.store.pendingStructs) return JoinState.withoutPending(stored, folder, log);
    if (!cheapToEncode(doc)) return new JoinState(stored, folder, log);
    return new JoinState({ snapshot: encodeState(doc), updates: [] }, folder, log);
  }

  /**
   * Stored content holds what waits in Yjs for a dependency as it was received (HI3): raw in
   * the log, or among a snapshot's pending structs. A joiner must not get it (HI13,
   * encode-state.ts), so the base is that content folded without it, on the compactor thread.
   */
  private static withoutPending(stored: PadContent, folder: Folder, log: Logger): JoinState {
    const join = new JoinState({ snapshot: null, updates: [] }, folder, log);
    join.unready = true;
    join.busy = true;
    join.folded = folder.fold(stored.snapshot, stored.updates, { ...VERIFIED, withPendingStructs: false }).then(
      ({ state }) => {
        join.busy = false;
        join.unready = false;
        join.base = state;
        join.frames = null;
      },
      (err: unknown) => {
        // No answer from here: joiners get the doc encoded (Room.syncAnswer), as for a state vector.
        join.busy = false;
        log.warn({ err }, 'join-state fold of a pad with pending structs failed');
      },
    );
    return join;
  }

  /** False only while a pad loaded with pending structs has its stored content folded without them. */
  get ready(): boolean {
    return !this.unready;
  }

  /** Settles when `ready` may have turned true (it stays false if the fold failed). */
  whenReady(): Promise<void> {
    return this.folded;
  }

  /** The doc applied `update` (its update event): joiners get it from now on. */
  push(update: Uint8Array): void {
    this.since.push(update);
    this.sinceBytes += update.length;
    this.frames = null;
    if (this.sinceBytes >= Math.max(FOLD_MIN_BYTES, (this.base?.length ?? 0) / 4) || this.merged >= MAX_CHUNKS)
      this.fold();
    else if (this.since.length - this.merged >= MERGE_CHUNK) this.mergeTail();
  }

  /**
   * The frames a joiner with an empty doc is sent, in order: the base, then what came after it,
   * then an empty sync step 2. Clients take sync step 2 as "synced now" (y-websocket's
   * `synced`, the web app's first render, tests reading the text at once), so it comes last,
   * when every frame before it has applied. The base comes first so that nothing the joiner
   * receives waits in its Yjs for a dependency: a client merges each update it must hold into
   * what it already holds, which is quadratic over many big frames. Runs of small entries
   * (keystrokes, whose count the folds bound) are merged here; a bigger entry (a slice of a
   * paste) is framed as the doc emitted it, because merging them cost the node's loop: a join
   * right after a max-cap paste, with its ~100 slices not yet folded, held it 630-830 ms
   * (HS3). No merge then costs more than its small entries, however big the paste, nor more
   * than MERGE_AT_JOIN_BUDGET_BYTES of them, however many wait: the rest go as they are.
   */
  answer(): Uint8Array[] {
    if (this.unready) throw new Error('join state not ready: the pad loaded with pending structs is being folded');
    if (this.frames) return this.frames;
    if (this.since.length > FOLD_AT_JOIN_UPDATES || this.merged > FOLD_AT_JOIN_CHUNKS) this.fold();
    if (this.since.length === 0)
      return (this.frames = [encodeMessage({ type: 'sync-step2', update: this.base ?? EMPTY_UPDATE })]);
    const frames: Uint8Array[] = [];
    if (this.base) frames.push(encodeMessage({ type: 'update', update: this.base }));
    let run: Uint8Array[] = [];
    let budget = MERGE_AT_JOIN_BUDGET_BYTES;
    const flush = () => {
      if (run.length > 0) frames.push(encodeMessage({ type: 'update', update: mergeInGroups(run) }));
      run = [];
    };
    for (const u of this.since) {
      if (u.length <= MERGE_AT_JOIN_MAX_BYTES && u.length <= budget) {
        run.push(u);
        budget -= u.length;
        continue;
      }
      flush();
      frames.push(encodeMessage({ type: 'update', update: u }));
    }
    flush();
    frames.push(encodeMessage({ type: 'sync-step2', update: EMPTY_UPDATE }));
    return (this.frames = frames);
  }

  /**
   * The doc's state as one update (what `answer` gives a joiner, in one piece), folded on the
   * compactor thread from what is here now, so a version of a big pad is never encoded on the
   * event loop (HS3: a version after a max-cap paste took ~150 ms of one turn). Leaves the
   * base and what came after as they are.
   */
  state(): Promise<Uint8Array> {
    if (this.unready) return Promise.reject(new Error('join state not ready'));
    if (this.since.length === 0) return Promise.resolve(this.base ?? EMPTY_UPDATE);
    return this.folder.fold(this.base, this.since.slice(), VERIFIED).then((f) => f.state);
  }

  private fold(): void {
    if (this.busy) return;
    const taken = this.since.length;
    this.busy = true;
    this.folder.fold(this.base, this.since.slice(0, taken), VERIFIED).then(
      ({ state }) => {
        this.busy = false;
        this.base = state;
        this.since = this.since.slice(taken);
        this.merged = 0;
        this.sinceBytes = this.since.reduce((n, u) => n + u.length, 0);
        this.frames = null;
      },
      (err: unknown) => this.failed(err),
    );
  }

  /** Merges the updates after the last chunk into one chunk (what they hold, not the base). */
  private mergeTail(): void {
    if (this.busy) return;
    const from = this.merged;
    const to = this.since.length;
    this.busy = true;
    this.folder.merge(this.since.slice(from, to)).then(
      (chunk) => {
        this.busy = false;
        // Only pushes happened meanwhile (folds and merges take turns): [from, to) is still there.
        this.since = [...this.since.slice(0, from), chunk, ...this.since.slice(to)];
        this.merged = from + 1;
        this.sinceBytes = this.since.reduce((n, u) => n + u.length, 0);
        this.frames = null;
      },
      (err: unknown) => this.failed(err),
    );
  }

  private failed(err: unknown): void {
    // The thread died or closed: answers stay right, only longer; the next update retries.
    this.busy = false;
    this.log.warn({ err }, 'join-state fold failed');
  }
}

/** True when encoding `doc` takes less than a load turn: few structs and nothing pending (whose merge is unbounded). */
export function cheapToEncode(doc: Y.Doc): boolean {
  const store = doc.store;
  if (store.pendingStructs || store.pendingDs) return false;
  let structs = 0;
  for (const list of store.clients.values()) {
    structs += list.length;
    if (structs > ENCODE_AT_LOAD_MAX_STRUCTS) return false;
  }
  return true;
}
