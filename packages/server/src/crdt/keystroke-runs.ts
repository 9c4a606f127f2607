import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { asciiVarString } from './ascii.js';

/** Yjs v1 info byte of an item with string content (ref 4) and an origin; 0x40 adds a right origin. */
const STRING_AFTER_ORIGIN = 0x84;
const STRING_AFTER_ORIGIN_BEFORE_RIGHT = 0xc4;

/**
 * One stored log entry of the commonest shape, a keystroke: a v1 update of one item of string
 * content from one client, placed after an origin, with an empty delete set. Read without Yjs
 * (no decoder, no Item objects).
 */
export interface Keystroke {
  client: number;
  clock: number;
  info: number;
  originClient: number;
  originClock: number;
  /** The right origin, or -1 when the item has none (`info` says which). */
  rightClient: number;
  rightClock: number;
  text: string;
}

/**
 * Reads `entry` as a keystroke, or returns null when it is anything else, including anything
 * `checkUpdate` would refuse (an origin at or after the item's own clock, empty content, bytes
 * that do not decode): such entries take the general path, which decides on them (R1). Reading
 * follows Yjs's v1 reader field for field (lib0 varints, `readVarString`), and the entry must
 * end where the update does, so what is read here is what `Y.applyUpdate` would integrate.
 */
export function readKeystroke(entry: Uint8Array): Keystroke | null {
  // Clients 1, structs 1, then an info byte at [4..] at the earliest: cheap rejections first.
  if (entry.length < 9 || entry[0] !== 1 || entry[1] !== 1) return null;
  try {
    const d = decoding.createDecoder(entry);
    d.pos = 2;
    const client = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    const info = decoding.readUint8(d);
    if (info !== STRING_AFTER_ORIGIN && info !== STRING_AFTER_ORIGIN_BEFORE_RIGHT) return null;
    const originClient = decoding.readVarUint(d);
    const originClock = decoding.readVarUint(d);
    let rightClient = -1;
    let rightClock = -1;
    if (info === STRING_AFTER_ORIGIN_BEFORE_RIGHT) {
      rightClient = decoding.readVarUint(d);
      rightClock = decoding.readVarUint(d);
      if (rightClient === client && rightClock >= clock) return null;
    }
    if (originClient === client && originClock >= clock) return null;
    const text = readText(d, entry);
    // An empty delete set (no clients), and nothing after it.
    if (text.length === 0 || decoding.readVarUint(d) !== 0 || d.pos !== entry.length) return null;
    return { client, clock, info, originClient, originClock, rightClient, rightClock, text };
  } catch {
    return null;
  }
}

/** Longest content read byte by byte when it is ASCII; longer or other text goes to lib0's decoder. */
const ASCII_FAST_MAX = 64;

/** `decoding.readVarString` (which Yjs reads string content with), short ASCII without a TextDecoder (`ascii.ts`). */
function readText(d: decoding.Decoder, entry: Uint8Array): string {
  const n = asciiVarString(d, ASCII_FAST_MAX);
  if (n < 0) return decoding.readVarString(d);
  const text = n === 1 ? String.fromCharCode(entry[d.pos]!) : String.fromCharCode(...entry.subarray(d.pos, d.pos + n));
  d.pos += n;
  return text;
}

/** True when `next` is typed right after `prev` by the same client: Yjs would merge the two items into one. */
export function continues(prev: Keystroke, prevLength: number, next: Keystroke): boolean {
  return (
    next.client === prev.client &&
    next.clock === prev.clock + prevLength &&
    next.originClient === prev.client &&
    next.originClock === next.clock - 1 &&
    next.info === prev.info &&
    next.rightClient === prev.rightClient &&
    next.rightClock === prev.rightClock
  );
}

/**
 * One v1 update holding a run of keystrokes (each `continues` the one before) as one item: the
 * first one's id, origin and right origin, and the texts end to end. Integrating it gives the
 * doc what integrating the keystrokes one by one gives: Yjs itself merges such items into one
 * when they integrate next to each other, and when a later item lands inside the run, the split
 * restores each keystroke's origin (the character before it) and right origin, so conflict
 * resolution sees the same items either way. (`keystroke-runs.test.ts`)
 */
export function encodeRun(first: Keystroke, texts: readonly string[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, first.client);
  encoding.writeVarUint(e, first.clock);
  encoding.writeUint8(e, first.info);
  encoding.writeVarUint(e, first.originClient);
  encoding.writeVarUint(e, first.originClock);
  if (first.info === STRING_AFTER_ORIGIN_BEFORE_RIGHT) {
    encoding.writeVarUint(e, first.rightClient);
    encoding.writeVarUint(e, first.rightClock);
  }
  encoding.writeVarString(e, texts.join(''));
  encoding.writeVarUint(e, 0);
  return encoding.toUint8Array(e);
}
