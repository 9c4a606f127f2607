import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { BusKind, BusMessage } from './types.js';

/** Append only: a kind's number is its index, and nodes of two versions may share a bus. */
const KINDS: readonly BusKind[] = ['update', 'awareness', 'state', 'access', 'version'];

export function encodeBusMessage(m: BusMessage): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, KINDS.indexOf(m.kind));
  encoding.writeVarString(e, m.from);
  encoding.writeVarUint8Array(e, m.data);
  return encoding.toUint8Array(e);
}

/** Throws on anything malformed (the caller logs and drops it). */
export function decodeBusMessage(buf: Uint8Array): BusMessage {
  const d = decoding.createDecoder(buf);
  const kind = KINDS[decoding.readVarUint(d)];
  if (!kind) throw new Error('unknown bus message kind');
  const from = decoding.readVarString(d);
  const data = decoding.readVarUint8Array(d);
  return { kind, from, data };
}
