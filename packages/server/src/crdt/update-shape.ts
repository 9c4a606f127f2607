import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';

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
  /** Where the update's items go, one entry per distinct spot: what `scan-probe.ts` measures in the doc. */
  anchors: Map<string, Anchor>;
}

/** An item's place: between origin and rightOrigin, in a parent (root name or type item), under a map key. */
export interface Anchor {
  origin: Y.ID | null;
  rightOrigin: Y.ID | null;
  root: string | null;
  parent: Y.ID | null;
  sub: string | null;
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

/**
 * Reads the shape of a v1 update, throwing ShapeError past a limit and any other Error
 * for bytes that do not decode. Structural validity (P4) is still `checkUpdate`'s job.
 */
export function readUpdateShape(update: Uint8Array, limits: ShapeLimits): UpdateShape {
  const dec = new Y.UpdateDecoderV1(decoding.createDecoder(update));
  const shape: UpdateShape = {
    structs: 0,
    clients: new Set(),
    types: 0,
    depth: 0,
    roots: new Set(),
    deleteRanges: 0,
    insertedChars: 0,
    kinds: {},
    contested: 0,
    ranges: new Map(),
    needs: new Map(),
    anchors: new Map(),
  };
  const need = (client: number, clockEnd: number) => {
    if ((shape.needs.get(client) ?? 0) < clockEnd) shape.needs.set(client, clockEnd);
  };
  /** Depth of each nested type this update defines, by "client:clock" of its item. */
  const typeDepth = new Map<string, number>();
  /** Per origin position: the first client seen there, and how many items when two or more clients share it. */
  const positions = new Map<string, { client: number; n: number; mixed: boolean }>();

  const blocks = dec.readLen();
  for (let b = 0; b < blocks; b++) {
    const count = dec.readLen();
    // The block header says how many structs follow (skips included, so an upper bound):
    // refuse before reading them, not after walking 200k of them (a ~1 s stall, found by the
    // real-socket bystander test).
    if (shape.structs + count > limits.maxStructs)
      throw new ShapeError('update_structs', `update has more than ${limits.maxStructs} structs`);
    const client = dec.readClient();
    let clock = dec.readLen();
    let first = clock;
    for (let i = 0; i < count; i++) {
      const info = dec.readInfo();
      if (info === SKIP) {
        // A gap in this client's clocks: what follows depends on the doc having it.
        clock += dec.readLen();
        need(client, clock);
        first = clock;
        continue;
      }
      if (++shape.structs > limits.maxStructs)
        throw new ShapeError('update_structs', `update has more than ${limits.maxStructs} structs`);
      if (!shape.clients.has(client)) {
        shape.clients.add(client);
        if (shape.clients.size > limits.maxClients)
          throw new ShapeError('update_clients', `update writes for more than ${limits.maxClients} client ids`);
      }
      if ((BITS5 & info) === 0) {
        count1(shape.kinds, 'gc');
        clock += dec.readLen();
        continue;
      }
      const origin = (info & BIT8) === BIT8 ? dec.readLeftID() : null;
      const rightOrigin = (info & BIT7) === BIT7 ? dec.readRightID() : null;
      let parentKey = '';
      let parentDepth = 0;
      const anchor: Anchor = { origin, rightOrigin, root: null, parent: null, sub: null };
      if ((info & (BIT7 | BIT8)) === 0) {
        if (dec.readParentInfo()) {
          const root = dec.readString();
          anchor.root = root;
          parentKey = `r:${root}`;
          if (!shape.roots.has(root)) {
            shape.roots.add(root);
            if (shape.roots.size > limits.maxRoots)
              throw new ShapeError('update_roots', `update writes to more than ${limits.maxRoots} root types`);
          }
        } else {
          const p = dec.readLeftID();
          anchor.parent = p;
          need(p.client, p.clock + 1);
          parentKey = `i:${p.client}:${p.clock}`;
          parentDepth = typeDepth.get(`${p.client}:${p.clock}`) ?? 1;
        }
        if ((info & BIT6) === BIT6) {
          anchor.sub = dec.readString();
          parentKey += `/${anchor.sub}`;
        }
      }
      for (const id of [origin, rightOrigin]) if (id) need(id.client, id.clock + 1);
      // Items sharing an origin from several clients are what Yjs resolves by scanning
      // every sibling: quadratic in their number (the 60 s stall). One client's siblings
      // break out of that scan at once, so only mixed positions count.
      const key = origin
        ? `o:${origin.client}:${origin.clock}`
        : rightOrigin
          ? `r:${rightOrigin.client}:${rightOrigin.clock}`
          : `s:${parentKey}`;
      const spot = `${key}|${rightOrigin ? `${rightOrigin.client}:${rightOrigin.clock}` : ''}|${parentKey}`;
      if (!shape.anchors.has(spot)) shape.anchors.set(spot, anchor);
      const pos = positions.get(key);
      if (!pos) positions.set(key, { client, n: 1, mixed: false });
      else {
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
      const len = readContent(dec, info & BITS5, shape);
      if ((info & BITS5) === 7) {
        const depth = parentDepth + 1;
        typeDepth.set(`${client}:${clock}`, depth);
        shape.depth = Math.max(shape.depth, depth);
        if (++shape.types > limits.maxTypes)
          throw new ShapeError('update_types', `update creates more than ${limits.maxTypes} nested types`);
        if (depth > limits.maxDepth)
          throw new ShapeError('update_depth', `update nests types deeper than ${limits.maxDepth}`);
      }
      clock += len;
    }
    // A second block for a client replaces the first in Yjs (readClientsStructRefs), so it does here.
    if (count > 0) shape.ranges.set(client, { first, end: clock });
  }
  const dsClients = dec.readLen();
  for (let i = 0; i < dsClients; i++) {
    const client = dec.readLen();
    const n = dec.readLen();
    for (let j = 0; j < n; j++) {
      if (++shape.deleteRanges > limits.maxDeleteRanges)
        throw new ShapeError('update_deletes', `update has more than ${limits.maxDeleteRanges} delete ranges`);
      const clock = dec.readDsClock();
      const len = dec.readDsLen();
      need(client, clock + len);
    }
  }
  return shape;
}

/** Reads one item's content, returning its length in clock units. Subdocuments are refused. */
function readContent(dec: Y.UpdateDecoderV1, ref: number, shape: UpdateShape): number {
  count1(shape.kinds, CONTENT_KINDS[ref] ?? 'unknown');
  switch (ref) {
    case 1:
      return dec.readLen();
    case 2: {
      const n = dec.readLen();
      for (let i = 0; i < n; i++) dec.readString();
      return n;
    }
    case 3:
      dec.readBuf();
      return 1;
    case 4: {
      const s = dec.readString();
      shape.insertedChars += s.length;
      // Yjs counts a string's length in UTF-16 code units, as String.length does.
      return s.length;
    }
    case 5:
      dec.readJSON();
      return 1;
    case 6:
      dec.readKey();
      dec.readJSON();
      return 1;
    case 7:
      if (TYPE_REFS_WITH_KEY.has(dec.readTypeRef())) dec.readKey();
      return 1;
    case 8: {
      const n = dec.readLen();
      for (let i = 0; i < n; i++) dec.readAny();
      return n;
    }
    case 9:
      // A subdocument would be a whole Y.Doc on the server, and a pad has no use for one.
      throw new ShapeError('update_subdoc', 'subdocuments are not accepted');
    default:
      throw new Error(`unknown content type ${ref}`);
  }
}

function count1(kinds: Record<string, number>, kind: string): void {
  kinds[kind] = (kinds[kind] ?? 0) + 1;
}
