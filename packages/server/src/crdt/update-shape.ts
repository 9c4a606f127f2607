import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { asciiVarString } from './ascii.js';
import { deletedWithin } from './update-check.js';

/**
 * What an update would add to a pad, read from its bytes without integrating it and without
 * building Yjs structs (Y.decodeUpdate allocates an Item of ~200 heap bytes per 6 wire bytes,
 * which is itself the heap attack). Reading stops at the first limit passed, so the work
 * done on a hostile update is bounded by the limits, not by its size (design §5).
 */
export interface UpdateShape {
  /** Items and GC ranges: one Yjs struct each; what integration and the heap pay per. */
  structs: number;
  /** Distinct client ids writing structs. */
  clients: Set<number>;
  /** Items holding a nested type (ContentType). */
  types: number;
  /** Deepest chain of nested types defined inside this update (1 = a type under a root). */
  depth: number;
  /** Distinct root type names written to. */
  roots: Set<string>;
  deleteRanges: number;
  /** The delete set as sent, flat (client, clock, len, ...): what `scan-probe.ts` prices in the doc. */
  deletes: number[];
  /** Characters of ContentString items (an upper bound on what the text grows by). */
  insertedChars: number;
  /** Struct count per content kind ('string', 'any', 'type', 'gc', ...), for logs and tests. */
  kinds: Record<string, number>;
  /** Largest number of items from two or more clients that name one position as their origin. */
  contested: number;
  /**
   * Per client: the clock range of its structs, [first, end), where `first` is where they
   * run without a gap to `end`: after a skip, what comes before it cannot stand in for the
   * skipped clocks (a merged update with a missing link pends in Yjs; found by the fuzzer).
   */
  ranges: Map<number, { first: number; end: number }>;
  /** Per client: one past the highest clock this update refers to (origins, parents, deletes, skipped gaps). */
  needs: Map<number, number>;
  /** Where the update's items go, one entry per distinct spot: what `scan-probe.ts` measures in the doc and charges. */
  anchors: Anchor[];
  /** With `record` (big updates): where each struct sits in the bytes and what it depends on (update-split.ts). */
  table: StructTable | null;
  /** With `record` or `check`: what `checkUpdate` says of the update, found while reading it (no Y.decodeUpdate). */
  checked: { insertedChars: number; changes: number } | null;
}

/**
 * Every struct of a v1 update, in the order of its bytes, as columns (200k structs would be
 * 200k objects otherwise). Blocks of a client that a later block of the same client replaces
 * are left out, as Yjs drops them (`readClientsStructRefs` keeps one block per client).
 */
export interface StructTable {
  count: number;
  /** Byte range of the struct's encoding (info byte to end of content), position independent in v1. */
  start: Uint32Array;
  end: Uint32Array;
  client: Float64Array;
  clock: Float64Array;
  len: Float64Array;
  /**
   * Per struct, three (client, clock) pairs: origin, right origin, parent item; NaN where the
   * struct has none or the reference is to its own client (ordered by its own clocks).
   */
  deps: Float64Array;
  /** The delete set's bytes: [dsStart, dsEnd). */
  dsStart: number;
  dsEnd: number;
}

/** An item's place: between origin and rightOrigin, in a parent (root name or type item), under a map key. */
export interface Anchor {
  origin: Y.ID | null;
  rightOrigin: Y.ID | null;
  root: string | null;
  parent: Y.ID | null;
  sub: string | null;
  /** The position the spot is at (its origin, else right origin, else parent start), shared by its spots. */
  at: Spot;
}

/** Items of the whole update at one position; final once the update is read. */
export interface Spot {
  /** How many: Yjs walks the position's concurrent items once per item. */
  readonly n: number;
  /**
   * Each item there, flat (client, clock, end clock, ...): one the doc already has is skipped
   * by Yjs without a walk (an update sent again, as a reconnecting client resends), one it has
   * in part is placed after the part it has.
   */
  readonly ids: number[];
  /** Non-null when the position's items name more than one right origin. */
  readonly rights: object | null;
}

/** Per-update limits; each names what an honest client never does (README, SPEC HI1). */
export interface ShapeLimits {
  maxStructs: number;
  maxClients: number;
  maxTypes: number;
  maxDepth: number;
  maxRoots: number;
  maxDeleteRanges: number;
  maxContested: number;
}

/*
 * Per-update limits that need no setting: each is far past anything the web app (one root
 * Y.Text, no nested types) or another honest Yjs client sends, and far below what costs.
 */
/** Nested types per update: the web app creates none. */
export const MAX_UPDATE_TYPES = 1_000;
/** Nesting depth of types defined in one update (rich-text editors nest a few levels). */
export const MAX_TYPE_DEPTH = 16;
/** Root type names per update: the web app writes to one ('content'). */
export const MAX_UPDATE_ROOTS = 16;
/** Delete ranges per update: deleting everything of a fragmented pad is one range per client id. */
export const MAX_UPDATE_DELETE_RANGES = 100_000;
/**
 * Items at one position from two or more clients: two people typing at the same spot
 * offline add one each per client; 20,000 of them held the event loop for 60 s.
 */
export const MAX_CONTESTED = 256;

/** The per-update limits, from the configured struct and client-id caps. */
export function shapeLimits(cfg: { maxUpdateStructs: number; maxUpdateClients: number }): ShapeLimits {
  return {
    maxStructs: cfg.maxUpdateStructs,
    maxClients: cfg.maxUpdateClients,
    maxTypes: MAX_UPDATE_TYPES,
    maxDepth: MAX_TYPE_DEPTH,
    maxRoots: MAX_UPDATE_ROOTS,
    maxDeleteRanges: MAX_UPDATE_DELETE_RANGES,
    maxContested: MAX_CONTESTED,
  };
}

/** Why an update was refused: the metric label and the close reason. */
export class ShapeError extends Error {
  override name = 'ShapeError';
  constructor(
    readonly limit: string,
    message: string,
  ) {
    super(message);
  }
}

const CONTENT_KINDS = ['gc', 'deleted', 'json', 'binary', 'string', 'embed', 'format', 'type', 'any', 'doc'];
/** Info byte values and bits of the v1 struct encoding (yjs src/utils/encoding.js). */
const SKIP = 10;
const BITS5 = 31;
const BIT6 = 32;
const BIT7 = 64;
const BIT8 = 128;
/** Type refs of XmlElement and XmlHook, which carry a node name. */
const TYPE_REFS_WITH_KEY = new Set([3, 5]);
/** The highest type ref Yjs decodes (YXmlText); a higher one throws in Y.decodeUpdate. */
const MAX_TYPE_REF = 6;

/** Structs (and delete ranges) read per step of `shapeSteps`: ~1-10 ms of reading on a 2-core server. */
export const SHAPE_STEP = 512;

/**
 * Reads the shape of a v1 update, throwing ShapeError past a limit and any other Error
 * for bytes that do not decode. With `check`, it also refuses what `checkUpdate` refuses
 * (P10) and fills `checked`; without, structural validity is left to `checkUpdate`.
 */
export function readUpdateShape(update: Uint8Array, limits: ShapeLimits, check = false): UpdateShape {
  const steps = shapeSteps(update, limits, check ? 'check' : false);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** A struct's place as the reader tracks it: who first wrote there, how many items, and the spots. */
interface Position extends Spot {
  client: number;
  n: number;
  mixed: boolean;
  /** The right origin (-1, -1 for none) of the first anchor taken here; more are rare and go in `rights`. */
  rc: number;
  rk: number;
  rights: IdTable<true> | null;
}

/**
 * (client, clock) → value, as a two-level numeric map (string keys per struct were most of the
 * reading time) whose first entry is held without one: most updates are one keystroke, one
 * position, and every update read built these maps (two Maps per table per keystroke, garbage
 * the moment the update was admitted; the throughput profile's GC share was 26 %).
 */
class IdTable<T> {
  private client = -1;
  private clock = -1;
  private first: T | undefined;
  private rest: Map<number, Map<number, T>> | null = null;

  get(client: number, clock: number): T | undefined {
    if (this.client === client && this.clock === clock) return this.first;
    return this.rest?.get(client)?.get(clock);
  }

  set(client: number, clock: number, v: T): void {
    if (this.first === undefined || (this.client === client && this.clock === clock)) {
      this.client = client;
      this.clock = clock;
      this.first = v;
      return;
    }
    this.rest ??= new Map();
    let inner = this.rest.get(client);
    if (!inner) this.rest.set(client, (inner = new Map()));
    inner.set(clock, v);
  }
}

/**
 * `readUpdateShape` as a generator that yields after every SHAPE_STEP structs or delete
 * ranges, so a caller can spread a big update's reading over event-loop turns (HS1). With
 * `record`, it also fills `table` (for slicing) and `checked`, validating what `checkUpdate`
 * does on the way, so a big update is never decoded into Yjs structs on the event loop.
 */
export function* shapeSteps(
  update: Uint8Array,
  limits: ShapeLimits,
  /** `check`: validate and fill `checked` as `record` does, without the table (a small update read in one turn). */
  record: boolean | 'check',
): Generator<void, UpdateShape, void> {
  const d = decoding.createDecoder(update);
  const shape: UpdateShape = {
    structs: 0,
    clients: new Set(),
    types: 0,
    depth: 0,
    roots: new Set(),
    deleteRanges: 0,
    deletes: [],
    insertedChars: 0,
    kinds: {},
    contested: 0,
    ranges: new Map(),
    needs: new Map(),
    anchors: [],
    table: null,
    checked: null,
  };
  const need = (client: number, clockEnd: number) => {
    if ((shape.needs.get(client) ?? 0) < clockEnd) shape.needs.set(client, clockEnd);
  };
  const kinds = new Array<number>(CONTENT_KINDS.length + 1).fill(0);
  /** Depth of each nested type this update defines, by the ID of its item. */
  const typeDepth = new IdTable<number>();
  // Items that share a spot: after an origin, before a right origin (no origin), or at the start of a parent (neither).
  const afterOrigin = new IdTable<Position>();
  let beforeRight: IdTable<Position> | null = null;
  let atRootStart: Map<string, Map<string | null, Position>> | null = null;
  let atItemStart: IdTable<Map<string | null, Position>> | null = null;
  const table = record === true ? new TableBuilder() : null;
  // Validating as we read replaces a Y.decodeUpdate per message (`check`, every keystroke): it
  // built an Item, an ID and a content object per struct only to throw them away (issue 19).
  const strict = record !== false;
  /** Strings and their IDs, for the characters net of this update's own deletes (record mode, as checkUpdate). */
  const strings: number[] = [];
  let skips = 0;
  let sinceYield = 0;

  const blocks = decoding.readVarUint(d);
  for (let b = 0; b < blocks; b++) {
    const count = decoding.readVarUint(d);
    // The block header says how many structs follow (skips included, so an upper bound):
    // refuse before reading them, not after walking 200k of them (a ~1 s stall, found by the
    // real-socket bystander test).
    if (shape.structs + count > limits.maxStructs)
      throw new ShapeError('update_structs', `update has more than ${limits.maxStructs} structs`);
    const client = decoding.readVarUint(d);
    let clock = decoding.readVarUint(d);
    // Only the clocks after the block's last gap are known to follow what the pad has (HF3).
    let first = clock;
    // One past the block's last struct; -1 while it has none. A skip carries no struct (Yjs
    // drops it), so a block ending in one, or of skips alone, does not reach past its last
    // struct: counting the skipped clocks made the message wait for clocks that never come, and
    // it was never acknowledged (HF3, seed 1126101 of the long round: one skip, nothing else).
    let end = -1;
    table?.block(client);
    for (let i = 0; i < count; i++) {
      if (++sinceYield >= SHAPE_STEP) {
        sinceYield = 0;
        yield;
      }
      const at = d.pos;
      const info = decoding.readUint8(d);
      if (info === SKIP) {
        // A gap in this client's clocks: what follows depends on the doc having it.
        clock += decoding.readVarUint(d);
        need(client, clock);
        skips++;
        continue;
      }
      // A struct that does not follow the last one starts after a gap.
      if (clock !== end) first = clock;
      if (++shape.structs > limits.maxStructs)
        throw new ShapeError('update_structs', `update has more than ${limits.maxStructs} structs`);
      if (!shape.clients.has(client)) {
        shape.clients.add(client);
        if (shape.clients.size > limits.maxClients)
          throw new ShapeError('update_clients', `update writes for more than ${limits.maxClients} client ids`);
      }
      if ((BITS5 & info) === 0) {
        kinds[0]!++;
        const len = decoding.readVarUint(d);
        table?.struct(at, d.pos, client, clock, len);
        clock += len;
        end = clock;
        continue;
      }
      let oc = -1;
      let ok = -1;
      let rc = -1;
      let rk = -1;
      if ((info & BIT8) === BIT8) {
        oc = decoding.readVarUint(d);
        ok = decoding.readVarUint(d);
        need(oc, ok + 1);
      }
      if ((info & BIT7) === BIT7) {
        rc = decoding.readVarUint(d);
        rk = decoding.readVarUint(d);
        need(rc, rk + 1);
      }
      let root: string | null = null;
      let pc = -1;
      let pk = -1;
      let sub: string | null = null;
      let parentDepth = 0;
      if ((info & (BIT7 | BIT8)) === 0) {
        if (decoding.readVarUint(d) === 1) {
          root = decoding.readVarString(d);
          if (!shape.roots.has(root)) {
            shape.roots.add(root);
            if (shape.roots.size > limits.maxRoots)
              throw new ShapeError('update_roots', `update writes to more than ${limits.maxRoots} root types`);
          }
        } else {
          pc = decoding.readVarUint(d);
          pk = decoding.readVarUint(d);
          need(pc, pk + 1);
          parentDepth = typeDepth.get(pc, pk) ?? 1;
        }
        if ((info & BIT6) === BIT6) sub = decoding.readVarString(d);
      }
      // Items sharing an origin from several clients are what Yjs resolves by scanning
      // every sibling: quadratic in their number (the 60 s stall). One client's siblings
      // break out of that scan at once, so only mixed positions count.
      let pos: Position | undefined;
      if (oc >= 0) {
        pos = afterOrigin.get(oc, ok);
        if (!pos) afterOrigin.set(oc, ok, (pos = newPosition(client)));
      } else if (rc >= 0) {
        beforeRight ??= new IdTable();
        pos = beforeRight.get(rc, rk);
        if (!pos) beforeRight.set(rc, rk, (pos = newPosition(client)));
      } else {
        let subs = root !== null ? atRootStart?.get(root) : atItemStart?.get(pc, pk);
        if (!subs) {
          subs = new Map();
          if (root !== null) (atRootStart ??= new Map()).set(root, subs);
          else (atItemStart ??= new IdTable()).set(pc, pk, subs);
        }
        pos = subs.get(sub);
        if (!pos) subs.set(sub, (pos = newPosition(client)));
      }
      if (pos.n === 0) {
        pos.n = 1;
      } else {
        pos.n++;
        pos.mixed ||= pos.client !== client;
        if (pos.mixed && pos.n > shape.contested) {
          shape.contested = pos.n;
          if (pos.n > limits.maxContested)
            throw new ShapeError(
              'update_contested',
              `more than ${limits.maxContested} concurrent inserts at one position`,
            );
        }
      }
      // One anchor per distinct spot: an origin's items differ only by their right origin.
      if (newSpot(pos, rc, rk)) {
        const anchor: Anchor = {
          origin: oc >= 0 ? Y.createID(oc, ok) : null,
          rightOrigin: rc >= 0 ? Y.createID(rc, rk) : null,
          root,
          parent: pc >= 0 ? Y.createID(pc, pk) : null,
          sub,
          at: pos,
        };
        shape.anchors.push(anchor);
      }
      const ref = info & BITS5;
      kinds[ref < CONTENT_KINDS.length ? ref : CONTENT_KINDS.length]!++;
      const len = readContent(d, ref, shape, strict);
      pos.ids.push(client, clock, clock + len);
      if (ref === 7) {
        const depth = parentDepth + 1;
        typeDepth.set(client, clock, depth);
        shape.depth = Math.max(shape.depth, depth);
        if (++shape.types > limits.maxTypes)
          throw new ShapeError('update_types', `update creates more than ${limits.maxTypes} nested types`);
        if (depth > limits.maxDepth)
          throw new ShapeError('update_depth', `update nests types deeper than ${limits.maxDepth}`);
      }
      if (strict) {
        // What checkUpdate refuses: it would throw half-way through integration (P4).
        if ((oc === client && ok >= clock) || (rc === client && rk >= clock) || (pc === client && pk >= clock))
          throw new Error('item refers to a later position of its own client');
        if (len <= 0) throw new Error('empty item');
        table?.struct(at, d.pos, client, clock, len, oc, ok, rc, rk, pc, pk);
        if (ref === 4) strings.push(client, clock, len);
      }
      clock += len;
      end = clock;
    }
    // A second block for a client replaces the first in Yjs (readClientsStructRefs), so it does
    // here, also when it has no struct (empty, or skips alone).
    if (end >= 0) shape.ranges.set(client, { first, end });
    else shape.ranges.delete(client);
  }
  const dsStart = d.pos;
  /** With `strict`, the delete set per client, made at its first range (most keystrokes delete nothing). */
  let deletes: Map<number, { clock: number; len: number }[]> | null = null;
  const dsClients = decoding.readVarUint(d);
  for (let i = 0; i < dsClients; i++) {
    const client = decoding.readVarUint(d);
    const n = decoding.readVarUint(d);
    for (let j = 0; j < n; j++) {
      if (++sinceYield >= SHAPE_STEP) {
        sinceYield = 0;
        yield;
      }
      if (++shape.deleteRanges > limits.maxDeleteRanges)
        throw new ShapeError('update_deletes', `update has more than ${limits.maxDeleteRanges} delete ranges`);
      const clock = decoding.readVarUint(d);
      const len = decoding.readVarUint(d);
      need(client, clock + len);
      shape.deletes.push(client, clock, len);
      if (strict) {
        if (len <= 0) throw new Error('empty delete range');
        deletes ??= new Map();
        let list = deletes.get(client);
        if (!list) deletes.set(client, (list = []));
        list.push({ clock, len });
      }
    }
  }
  CONTENT_KINDS.forEach((k, i) => kinds[i]! > 0 && (shape.kinds[k] = kinds[i]!));
  if (kinds[CONTENT_KINDS.length]! > 0) shape.kinds.unknown = kinds[CONTENT_KINDS.length]!;
  if (strict) {
    if (table) shape.table = table.done(dsStart, d.pos);
    shape.checked = netChecked(shape, strings, deletes, skips);
  }
  return shape;
}

function newPosition(client: number): Position {
  return { client, n: 0, ids: [], mixed: false, rc: -2, rk: -2, rights: null };
}

/** True the first time a position sees this right origin: a new spot, so a new anchor. */
function newSpot(pos: Position, rc: number, rk: number): boolean {
  if (pos.rc === -2) {
    pos.rc = rc;
    pos.rk = rk;
    return true;
  }
  if (pos.rc === rc && pos.rk === rk) return false;
  pos.rights ??= new IdTable();
  if (pos.rights.get(rc, rk)) return false;
  pos.rights.set(rc, rk, true);
  return true;
}

/**
 * What `checkUpdate` returns, from what the reader saw: structs (skips included, as
 * Y.decodeUpdate lists them) plus merged delete ranges, and the characters inserted less
 * those this update deletes itself (E2).
 */
function netChecked(
  shape: UpdateShape,
  strings: number[],
  deletes: Map<number, { clock: number; len: number }[]> | null,
  skips: number,
): { insertedChars: number; changes: number } {
  let changes = shape.structs + skips;
  if (deletes)
    for (const [client, list] of deletes) {
      const merged = mergeRanges(list);
      deletes.set(client, merged);
      changes += merged.length;
    }
  let insertedChars = 0;
  for (let i = 0; i < strings.length; i += 3) {
    const client = strings[i]!;
    const clock = strings[i + 1]!;
    const len = strings[i + 2]!;
    insertedChars += len - deletedWithin(deletes?.get(client), clock, len);
  }
  return { insertedChars, changes };
}

/** Sorted, with overlapping and adjacent ranges joined (as Yjs's sortAndMergeDeleteSet). */
function mergeRanges(list: { clock: number; len: number }[]): { clock: number; len: number }[] {
  list.sort((a, b) => a.clock - b.clock);
  const out: { clock: number; len: number }[] = [];
  for (const r of list) {
    const last = out.at(-1);
    if (last && last.clock + last.len >= r.clock) last.len = Math.max(last.len, r.clock + r.len - last.clock);
    else out.push({ ...r });
  }
  return out;
}

/** Grows the struct table's columns as structs are read. */
class TableBuilder {
  private n = 0;
  private cap = 1_024;
  private start = new Uint32Array(this.cap);
  private end = new Uint32Array(this.cap);
  private client = new Float64Array(this.cap);
  private clock = new Float64Array(this.cap);
  private len = new Float64Array(this.cap);
  private deps = new Float64Array(this.cap * 6);
  /** Each block's client and first struct index; its end is the next block's start. */
  private blocks: { client: number; from: number }[] = [];

  block(client: number): void {
    this.blocks.push({ client, from: this.n });
  }

  struct(at: number, to: number, client: number, clock: number, len: number, ...refs: number[]): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.start[i] = at;
    this.end[i] = to;
    this.client[i] = client;
    this.clock[i] = clock;
    this.len[i] = len;
    for (let k = 0; k < 3; k++) {
      const c = refs[2 * k] ?? -1;
      const none = c < 0 || c === client;
      this.deps[i * 6 + 2 * k] = none ? NaN : c;
      this.deps[i * 6 + 2 * k + 1] = none ? NaN : refs[2 * k + 1]!;
    }
  }

  done(dsStart: number, dsEnd: number): StructTable {
    const last = new Map<number, number>();
    this.blocks.forEach((b, i) => last.set(b.client, i));
    let keep = 0;
    if (last.size < this.blocks.length) {
      // A client's earlier block is dropped, as Yjs drops it (only a crafted update repeats a client).
      this.blocks.forEach((b, i) => {
        const to = this.blocks[i + 1]?.from ?? this.n;
        if (last.get(b.client) !== i) return;
        for (let s = b.from; s < to; s++) this.move(s, keep++);
      });
    } else keep = this.n;
    return {
      count: keep,
      start: this.start,
      end: this.end,
      client: this.client,
      clock: this.clock,
      len: this.len,
      deps: this.deps,
      dsStart,
      dsEnd,
    };
  }

  private move(from: number, to: number): void {
    if (from === to) return;
    this.start[to] = this.start[from]!;
    this.end[to] = this.end[from]!;
    this.client[to] = this.client[from]!;
    this.clock[to] = this.clock[from]!;
    this.len[to] = this.len[from]!;
    this.deps.copyWithin(to * 6, from * 6, from * 6 + 6);
  }

  private grow(): void {
    this.cap *= 2;
    const g = <T extends Uint32Array | Float64Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.start = g(this.start, this.cap);
    this.end = g(this.end, this.cap);
    this.client = g(this.client, this.cap);
    this.clock = g(this.clock, this.cap);
    this.len = g(this.len, this.cap);
    this.deps = g(this.deps, this.cap * 6);
  }
}

/**
 * Reads one item's content, returning its length in clock units. Subdocuments are refused.
 * With `strict` (record mode), also what Y.decodeUpdate would refuse: unknown type refs and
 * JSON content that does not parse.
 */
function readContent(d: decoding.Decoder, ref: number, shape: UpdateShape, strict: boolean): number {
  switch (ref) {
    case 1:
      return decoding.readVarUint(d);
    case 2: {
      const n = decoding.readVarUint(d);
      for (let i = 0; i < n; i++) {
        const s = decoding.readVarString(d);
        if (strict && s !== 'undefined') JSON.parse(s);
      }
      return n;
    }
    case 3:
      decoding.readVarUint8Array(d);
      return 1;
    case 4: {
      // Yjs counts a string's length in UTF-16 code units, as String.length does: for ASCII that
      // is its byte count, read without decoding (most keystrokes; a TextDecoder call each was
      // a third of reading a one-keystroke update).
      const n = asciiVarString(d);
      if (n >= 0) d.pos += n;
      const len = n >= 0 ? n : decoding.readVarString(d).length;
      shape.insertedChars += len;
      return len;
    }
    case 5:
      JSON.parse(decoding.readVarString(d));
      return 1;
    case 6:
      decoding.readVarString(d);
      JSON.parse(decoding.readVarString(d));
      return 1;
    case 7: {
      const typeRef = decoding.readVarUint(d);
      if (strict && typeRef > MAX_TYPE_REF) throw new Error(`unknown type ref ${typeRef}`);
      if (TYPE_REFS_WITH_KEY.has(typeRef)) decoding.readVarString(d);
      return 1;
    }
    case 8: {
      const n = decoding.readVarUint(d);
      for (let i = 0; i < n; i++) decoding.readAny(d);
      return n;
    }
    case 9:
      // A subdocument would be a whole Y.Doc on the server, and a pad has no use for one.
      throw new ShapeError('update_subdoc', 'subdocuments are not accepted');
    default:
      throw new Error(`unknown content type ${ref}`);
  }
}
