import { CloseCode, encodeMessage } from '@padmesh/protocol';
import * as Y from 'yjs';
import type { Rand } from './rand.js';

/**
 * What the server may do with a frame. `valid`: a well-formed update an honest-shaped client
 * could send, accepted unless a pad-level limit refuses it; `over`: past a per-update limit,
 * refused with 4415 whatever the pad holds; `mutated`: bytes derived from a valid update,
 * accepted or refused for what they are, never an internal error.
 */
export type Expect = 'valid' | 'over' | 'mutated';

export interface Frame {
  bytes: Uint8Array;
  expect: Expect;
  /** The update inside, for mutations and replays later. */
  update: Uint8Array;
  /** What was done to it, for the failure message (mutations). */
  note?: string;
}

/** Codes a valid update may still get: the pad or node is full, its dependencies pile up, its inserts scan too far. */
const PAD_LEVEL: readonly number[] = [
  CloseCode.PadTooLarge,
  CloseCode.PadTooComplex,
  CloseCode.UpdateTooComplex,
  CloseCode.MissingDependencies,
  CloseCode.NodeOverloaded,
];
const MALFORMED: readonly number[] = [CloseCode.MalformedMessage, CloseCode.InvalidUpdate];

/** The close codes a refusal of a frame with this expectation may carry (HF2). */
export function allowedCodes(expect: Expect): readonly number[] {
  switch (expect) {
    case 'valid':
      return PAD_LEVEL;
    case 'over':
      return [CloseCode.UpdateTooComplex];
    case 'mutated':
      return [...PAD_LEVEL, ...MALFORMED];
    default: {
      const never: never = expect;
      throw new Error(`unknown expectation ${String(never)}`);
    }
  }
}

export function updateFrame(update: Uint8Array, expect: Expect, note?: string): Frame {
  return { bytes: encodeMessage({ type: 'update', update }), expect, update, ...(note ? { note } : {}) };
}

/** What a generator sees of the pad under attack. */
export interface PadView {
  readonly rand: Rand;
  /** The pad as an honest client holds it now (a v1 update); forks start from it. */
  base(): Uint8Array;
  /** Client ids that wrote to the pad (honest clients, accepted attacks), to aim deletes and origins at. */
  writers(): number[];
  /** Recent valid updates sent to the pad by anyone, for mutations and replays. */
  readonly recent: Uint8Array[];
  /** Frames a generator keeps for later (a missing link sent several messages on, or never). */
  readonly owed: Frame[];
  /** The per-update caps the node runs with, so a generator knows which side of them it lands. */
  readonly limits: { maxUpdateStructs: number; maxUpdateClients: number };
}

/** Structs in an update as Yjs itself decodes it (skips left out): an independent count to judge the server's by. */
export function structCount(update: Uint8Array): number {
  return Y.decodeUpdate(update).structs.filter((s) => !(s instanceof Y.Skip)).length;
}

/** A doc holding `base`, writing as `clientId`: a client that synced the pad, then went its own way. */
export function fork(base: Uint8Array, clientId: number): Y.Doc {
  const d = new Y.Doc({ gc: false });
  d.clientID = clientId;
  Y.applyUpdate(d, base);
  return d;
}

/** Runs `edit` on `doc` and returns the update it made (what a y-websocket client sends for that change). */
export function edit(doc: Y.Doc, fn: () => void): Uint8Array {
  let out: Uint8Array | null = null;
  const grab = (u: Uint8Array) => (out = out ? Y.mergeUpdates([out, u]) : u);
  doc.on('update', grab);
  try {
    doc.transact(fn);
  } finally {
    doc.off('update', grab);
  }
  return out ?? Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc));
}
