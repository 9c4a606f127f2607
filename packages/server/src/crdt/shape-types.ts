import type * as Y from 'yjs';
import type { StructTable } from './struct-table.js';

export type { StructTable };

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
  deleteRanges: number;
  /** Byte offset where the delete set starts (the struct section is everything before it). */
  deleteSetAt: number;
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

/**
 * Stored entries passed every limit when they were written, but a compacted snapshot holds a
 * whole pad (more structs, clients and same-spot items than one update may carry): reading it
 * only locates structs for slicing, so nothing is refused here.
 */
export const NO_SHAPE_LIMITS: ShapeLimits = {
  maxStructs: Number.MAX_SAFE_INTEGER,
  maxClients: Number.MAX_SAFE_INTEGER,
  maxTypes: Number.MAX_SAFE_INTEGER,
  maxDepth: Number.MAX_SAFE_INTEGER,
  maxRoots: Number.MAX_SAFE_INTEGER,
  maxDeleteRanges: Number.MAX_SAFE_INTEGER,
  maxContested: Number.MAX_SAFE_INTEGER,
};
