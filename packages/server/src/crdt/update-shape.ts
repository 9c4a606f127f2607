import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { asciiVarString } from './ascii.js';
import { ShapeError, type ShapeLimits, type Spot, type UpdateShape } from './shape-types.js';
import { TableBuilder } from './struct-table.js';
import { deletedWithin } from './update-check.js';

export * from './shape-types.js';

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
  const reader = new ShapeReader(update, limits, check ? 'check' : false);
  reader.read(Infinity);
  return reader.shape;
}

/**
 * `readUpdateShape` in steps of SHAPE_STEP structs or delete ranges, so a caller can spread a
 * big update's reading over event-loop turns (HS1). With `record`, it also fills `table` (for
 * slicing) and `checked`, validating what `checkUpdate` does on the way, so a big update is
 * never decoded into Yjs structs on the event loop.
 */
export function* shapeSteps(
  update: Uint8Array,
  limits: ShapeLimits,
  /** `check`: validate and fill `checked` as `record` does, without the table (a small update read in one turn). */
  record: boolean | 'check',
): Generator<void, UpdateShape, void> {
  const reader = new ShapeReader(update, limits, record);
  while (!reader.read(SHAPE_STEP)) yield;
  return reader.shape;
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
 * The reading itself, as an object that can stop after any struct or delete range and go on
 * later (`read(budget)`). It was a generator: V8 keeps a generator's every local in a register
 * file allocated per call, ~2.3 KB for this reader, so every keystroke's update made that much
 * garbage before any check ran (issue 15: the checks' cost, half of it garbage collection).
 */
class ShapeReader {
  readonly shape: UpdateShape = {
    structs: 0,
    clients: new Set(),
    types: 0,
    depth: 0,
    deleteRanges: 0,
    deleteSetAt: 0,
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
  private readonly d: decoding.Decoder;
  private readonly kinds = new Array<number>(CONTENT_KINDS.length + 1).fill(0);
  /** Depth of each nested type this update defines, by the ID of its item. */
  private readonly typeDepth = new IdTable<number>();
  // Items that share a spot: after an origin, before a right origin (no origin), or at the start of a parent (neither).
  private readonly afterOrigin = new IdTable<Position>();
  private beforeRight: IdTable<Position> | null = null;
  private atRootStart: Map<string, Map<string | null, Position>> | null = null;
  private atItemStart: IdTable<Map<string | null, Position>> | null = null;
  private readonly table: TableBuilder | null;
  // Validating as we read replaces a Y.decodeUpdate per message (`check`, every keystroke): it
  // built an Item, an ID and a content object per struct only to throw them away (issue 19).
  private readonly strict: boolean;
  /** Strings and their IDs, for the characters net of this update's own deletes (record mode, as checkUpdate). */
  private readonly strings: number[] = [];
  private skips = 0;
  /** Distinct root type names written to, made at the first (a keystroke names none: it has an origin). */
  private roots: Set<string> | null = null;
  // Where reading stands: the struct blocks, then the delete set.
  private blocks: number;
  private block = 0;
  /** Structs (skips included) in the current block, and how many of them are read. */
  private count = 0;
  private i = 0;
  private client = 0;
  private clock = 0;
  /** Only the clocks after the block's last gap are known to follow what the pad has (HF3). */
  private first = 0;
  /**
   * One past the block's last struct; -1 while it has none. A skip carries no struct (Yjs
   * drops it), so a block ending in one, or of skips alone, does not reach past its last
   * struct: counting the skipped clocks made the message wait for clocks that never come, and
   * it was never acknowledged (HF3, seed 1126101 of the long round: one skip, nothing else).
   */
  private end = -1;
  private dsStart = -1;
  private dsClients = 0;
  private dsClient = 0;
  private dsI = 0;
  private dsN = 0;
  private dsJ = 0;
  /** With `strict`, the delete set per client, made at its first range (most keystrokes delete nothing). */
  private deletes: Map<number, { clock: number; len: number }[]> | null = null;
  private done = false;

  constructor(
    update: Uint8Array,
    private readonly limits: ShapeLimits,
    record: boolean | 'check',
  ) {
    this.d = decoding.createDecoder(update);
    this.table = record === true ? new TableBuilder() : null;
    this.strict = record !== false;
    this.blocks = decoding.readVarUint(this.d);
  }

  /** Reads at most `budget` more structs and delete ranges; true once the whole update is read. */
  read(budget: number): boolean {
    if (this.done) return true;
    let n = 0;
    for (;;) {
      if (this.i < this.count) {
        if (n++ === budget) return false;
        this.readStruct();
        if (++this.i === this.count) this.closeBlock();
      } else if (this.block < this.blocks) {
        this.openBlock();
        if (this.count === 0) this.closeBlock();
      } else break;
    }
    const d = this.d;
    if (this.dsStart < 0) {
      this.dsStart = d.pos;
      this.dsClients = decoding.readVarUint(d);
    }
    for (;;) {
      if (this.dsJ < this.dsN) {
        if (n++ === budget) return false;
        this.readDelete();
        this.dsJ++;
      } else if (this.dsI < this.dsClients) {
        this.dsClient = decoding.readVarUint(d);
        this.dsN = decoding.readVarUint(d);
        this.dsJ = 0;
        this.dsI++;
      } else break;
    }
    this.finish();
    return (this.done = true);
  }

  private need(client: number, clockEnd: number): void {
    const needs = this.shape.needs;
    if ((needs.get(client) ?? 0) < clockEnd) needs.set(client, clockEnd);
  }

  private openBlock(): void {
    const d = this.d;
    const { shape, limits } = this;
    this.block++;
    this.count = decoding.readVarUint(d);
    this.i = 0;
    // The block header says how many structs follow (skips included, so an upper bound):
    // refuse before reading them, not after walking 200k of them (a ~1 s stall, found by the
    // real-socket bystander test).
    if (shape.structs + this.count > limits.maxStructs)
      throw new ShapeError('update_structs', `update has more than ${limits.maxStructs} structs`);
    this.client = decoding.readVarUint(d);
    this.clock = decoding.readVarUint(d);
    this.first = this.clock;
    this.end = -1;
    this.table?.block(this.client);
  }

  /** A second block for a client replaces the first in Yjs (readClientsStructRefs), so it does here, also when it has no struct (empty, or skips alone). */
  private closeBlock(): void {
    if (this.end >= 0) this.shape.ranges.set(this.client, { first: this.first, end: this.end });
    else this.shape.ranges.delete(this.client);
  }

  private readStruct(): void {
    const d = this.d;
    const { shape, limits, client } = this;
    const at = d.pos;
    const info = decoding.readUint8(d);
    if (info === SKIP) {
      // A gap in this client's clocks: what follows depends on the doc having it.
      this.clock += decoding.readVarUint(d);
      this.need(client, this.clock);
      this.skips++;
      return;
    }
    const clock = this.clock;
    // A struct that does not follow the last one starts after a gap.
    if (clock !== this.end) this.first = clock;
    if (++shape.structs > limits.maxStructs)
      throw new ShapeError('update_structs', `update has more than ${limits.maxStructs} structs`);
    if (!shape.clients.has(client)) {
      shape.clients.add(client);
      if (shape.clients.size > limits.maxClients)
        throw new ShapeError('update_clients', `update writes for more than ${limits.maxClients} client ids`);
    }
    if ((BITS5 & info) === 0) {
      this.kinds[0]!++;
      const len = decoding.readVarUint(d);
      this.table?.struct(at, d.pos, client, clock, len);
      this.clock = this.end = clock + len;
      return;
    }
    let oc = -1;
    let ok = -1;
    let rc = -1;
    let rk = -1;
    if ((info & BIT8) === BIT8) {
      oc = decoding.readVarUint(d);
      ok = decoding.readVarUint(d);
      this.need(oc, ok + 1);
    }
    if ((info & BIT7) === BIT7) {
      rc = decoding.readVarUint(d);
      rk = decoding.readVarUint(d);
      this.need(rc, rk + 1);
    }
    let root: string | null = null;
    let pc = -1;
    let pk = -1;
    let sub: string | null = null;
    let parentDepth = 0;
    if ((info & (BIT7 | BIT8)) === 0) {
      if (decoding.readVarUint(d) === 1) {
        root = decoding.readVarString(d);
        const roots = (this.roots ??= new Set());
        if (!roots.has(root)) {
          roots.add(root);
          if (roots.size > limits.maxRoots)
            throw new ShapeError('update_roots', `update writes to more than ${limits.maxRoots} root types`);
        }
      } else {
        pc = decoding.readVarUint(d);
        pk = decoding.readVarUint(d);
        this.need(pc, pk + 1);
        parentDepth = this.typeDepth.get(pc, pk) ?? 1;
      }
      if ((info & BIT6) === BIT6) sub = decoding.readVarString(d);
    }
    const pos = this.position(client, oc, ok, rc, rk, root, pc, pk, sub);
    // One anchor per distinct spot: an origin's items differ only by their right origin.
    if (newSpot(pos, rc, rk))
      shape.anchors.push({
        origin: oc >= 0 ? Y.createID(oc, ok) : null,
        rightOrigin: rc >= 0 ? Y.createID(rc, rk) : null,
        root,
        parent: pc >= 0 ? Y.createID(pc, pk) : null,
        sub,
        at: pos,
      });
    const ref = info & BITS5;
    this.kinds[ref < CONTENT_KINDS.length ? ref : CONTENT_KINDS.length]!++;
    const len = readContent(d, ref, shape, this.strict);
    pos.ids.push(client, clock, clock + len);
    if (ref === 7) {
      const depth = parentDepth + 1;
      this.typeDepth.set(client, clock, depth);
      shape.depth = Math.max(shape.depth, depth);
      if (++shape.types > limits.maxTypes)
        throw new ShapeError('update_types', `update creates more than ${limits.maxTypes} nested types`);
      if (depth > limits.maxDepth)
        throw new ShapeError('update_depth', `update nests types deeper than ${limits.maxDepth}`);
    }
    if (this.strict) {
      // What checkUpdate refuses: it would throw half-way through integration (P4).
      if ((oc === client && ok >= clock) || (rc === client && rk >= clock) || (pc === client && pk >= clock))
        throw new Error('item refers to a later position of its own client');
      if (len <= 0) throw new Error('empty item');
      this.table?.struct(at, d.pos, client, clock, len, oc, ok, rc, rk, pc, pk);
      if (ref === 4) this.strings.push(client, clock, len);
    }
    this.clock = this.end = clock + len;
  }

  /**
   * The item's position, counted: items sharing an origin from several clients are what Yjs
   * resolves by scanning every sibling, quadratic in their number (the 60 s stall). One
   * client's siblings break out of that scan at once, so only mixed positions count.
   */
  private position(
    client: number,
    oc: number,
    ok: number,
    rc: number,
    rk: number,
    root: string | null,
    pc: number,
    pk: number,
    sub: string | null,
  ): Position {
    let pos: Position | undefined;
    if (oc >= 0) {
      pos = this.afterOrigin.get(oc, ok);
      if (!pos) this.afterOrigin.set(oc, ok, (pos = newPosition(client)));
    } else if (rc >= 0) {
      this.beforeRight ??= new IdTable();
      pos = this.beforeRight.get(rc, rk);
      if (!pos) this.beforeRight.set(rc, rk, (pos = newPosition(client)));
    } else {
      let subs = root !== null ? this.atRootStart?.get(root) : this.atItemStart?.get(pc, pk);
      if (!subs) {
        subs = new Map();
        if (root !== null) (this.atRootStart ??= new Map()).set(root, subs);
        else (this.atItemStart ??= new IdTable()).set(pc, pk, subs);
      }
      pos = subs.get(sub);
      if (!pos) subs.set(sub, (pos = newPosition(client)));
    }
    if (pos.n === 0) {
      pos.n = 1;
    } else {
      pos.n++;
      pos.mixed ||= pos.client !== client;
      const shape = this.shape;
      if (pos.mixed && pos.n > shape.contested) {
        shape.contested = pos.n;
        if (pos.n > this.limits.maxContested)
          throw new ShapeError(
            'update_contested',
            `more than ${this.limits.maxContested} concurrent inserts at one position`,
          );
      }
    }
    return pos;
  }

  private readDelete(): void {
    const { d, shape, limits } = this;
    if (++shape.deleteRanges > limits.maxDeleteRanges)
      throw new ShapeError('update_deletes', `update has more than ${limits.maxDeleteRanges} delete ranges`);
    const client = this.dsClient;
    const clock = decoding.readVarUint(d);
    const len = decoding.readVarUint(d);
    this.need(client, clock + len);
    shape.deletes.push(client, clock, len);
    if (this.strict) {
      if (len <= 0) throw new Error('empty delete range');
      this.deletes ??= new Map();
      let list = this.deletes.get(client);
      if (!list) this.deletes.set(client, (list = []));
      list.push({ clock, len });
    }
  }

  private finish(): void {
    const { shape, kinds } = this;
    shape.deleteSetAt = this.dsStart;
    CONTENT_KINDS.forEach((k, i) => kinds[i]! > 0 && (shape.kinds[k] = kinds[i]!));
    if (kinds[CONTENT_KINDS.length]! > 0) shape.kinds.unknown = kinds[CONTENT_KINDS.length]!;
    if (this.strict) {
      if (this.table) shape.table = this.table.done(this.dsStart, this.d.pos);
      shape.checked = netChecked(shape, this.strings, this.deletes, this.skips);
    }
  }
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
