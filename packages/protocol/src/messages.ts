import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * Wire format: the y-websocket protocol (a varUint message type, then its payload),
 * plus padmesh extensions on types standard clients never receive unless they opt in
 * (see `PADMESH_PARAM`).
 */
export const MessageType = {
  Sync: 0,
  Awareness: 1,
  Auth: 2,
  QueryAwareness: 3,
  /** padmesh: "the first `seq` update-bearing messages you sent on this socket are durably stored" */
  Saved: 100,
  /** padmesh=2: "the pad's history has a new version, `latest`" (list it again) */
  Versions: 101,
} as const;

export const SyncStep = { Step1: 0, Step2: 1, Update: 2 } as const;

/**
 * Query parameter a client sets on the WebSocket URL to receive padmesh extension messages
 * (`?padmesh=1`). There is no separate protocol version: a number nobody sent or checked
 * promised a compatibility check that did not exist. The opt-in is the version: stock
 * y-websocket clients never set it and never see an extension; the one extension (`saved`)
 * is what `padmesh=1` means. An incompatible extension would be offered to a new value
 * (`padmesh=2`) while `padmesh=1` clients keep getting what they understand, so an open tab
 * from an older build keeps working across a deploy. (SPEC.md P2)
 */
export const PADMESH_PARAM = 'padmesh';

/**
 * `padmesh=2` adds `versions {latest}`: sent whenever the pad's history gains a version (on
 * any node), so an open history list refreshes live. `padmesh=1` clients never get it, so a
 * strict decoder from an older build keeps working (P3, V7).
 */
export const PADMESH_VERSIONS_LEVEL = 2;

/** The extension level a client asked for: `padmesh` absent is 0, present without a number is 1. */
export function extensionLevel(value: string | null): number {
  if (value === null) return 0;
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) && n > 1 ? n : 1;
}

export type Message =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-step2'; update: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' }
  | { type: 'auth'; reason: string }
  | { type: 'saved'; seq: number }
  | { type: 'versions'; latest: string };

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** True for messages whose payload may change the document (the ones `saved` counts). */
export function carriesUpdate(
  m: Message,
): m is Extract<Message, { update: Uint8Array }> & { type: 'sync-step2' | 'update' } {
  return m.type === 'sync-step2' || m.type === 'update';
}

/**
 * Strict decoder: rejects unknown types, truncated payloads and trailing bytes,
 * so a malformed frame never reaches the CRDT.
 */
export function decodeMessage(data: Uint8Array): Message {
  const d = decoding.createDecoder(data);
  let msg: Message;
  try {
    const type = decoding.readVarUint(d);
    switch (type) {
      case MessageType.Sync: {
        const step = decoding.readVarUint(d);
        const payload = decoding.readVarUint8Array(d);
        if (step === SyncStep.Step1) msg = { type: 'sync-step1', stateVector: payload };
        else if (step === SyncStep.Step2) msg = { type: 'sync-step2', update: payload };
        else if (step === SyncStep.Update) msg = { type: 'update', update: payload };
        else throw new ProtocolError(`unknown sync step ${step}`);
        break;
      }
      case MessageType.Awareness:
        msg = { type: 'awareness', update: decoding.readVarUint8Array(d) };
        break;
      case MessageType.QueryAwareness:
        msg = { type: 'query-awareness' };
        break;
      case MessageType.Auth: {
        decoding.readVarUint(d);
        msg = { type: 'auth', reason: decoding.readVarString(d) };
        break;
      }
      case MessageType.Saved:
        msg = { type: 'saved', seq: decoding.readVarUint(d) };
        break;
      case MessageType.Versions:
        msg = { type: 'versions', latest: decoding.readVarString(d) };
        break;
      default:
        throw new ProtocolError(`unknown message type ${type}`);
    }
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError(`malformed message: ${(err as Error).message}`);
  }
  if (decoding.hasContent(d)) throw new ProtocolError('trailing bytes after message');
  return msg;
}

function encodeWith(fn: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  fn(e);
  return encoding.toUint8Array(e);
}

/**
 * `head` (varUints under 128, one byte each), then `payload` as a varUint8Array, in one
 * allocation and one copy. lib0's encoder grows its buffer and copies a payload bigger than
 * what is left twice (into a doubled buffer, then into the result): framing a join answer of
 * ~100 slices and a base took 55-91 ms of one turn that way (HS3).
 */
function framed(head: readonly number[], payload: Uint8Array): Uint8Array {
  let lengthBytes = 1;
  for (let n = payload.length; n > 0x7f; n = Math.floor(n / 0x80)) lengthBytes++;
  const out = new Uint8Array(head.length + lengthBytes + payload.length);
  out.set(head);
  let at = head.length;
  let n = payload.length;
  while (n > 0x7f) {
    out[at++] = 0x80 | (n & 0x7f);
    n = Math.floor(n / 0x80);
  }
  out[at++] = n;
  out.set(payload, at);
  return out;
}

export function encodeMessage(m: Message): Uint8Array {
  switch (m.type) {
    case 'sync-step1':
      return framed([MessageType.Sync, SyncStep.Step1], m.stateVector);
    case 'sync-step2':
      return framed([MessageType.Sync, SyncStep.Step2], m.update);
    case 'update':
      return framed([MessageType.Sync, SyncStep.Update], m.update);
    case 'awareness':
      return framed([MessageType.Awareness], m.update);
  }
  return encodeWith((e) => {
    switch (m.type) {
      case 'query-awareness':
        encoding.writeVarUint(e, MessageType.QueryAwareness);
        return;
      case 'auth':
        encoding.writeVarUint(e, MessageType.Auth);
        encoding.writeVarUint(e, 0);
        encoding.writeVarString(e, m.reason);
        return;
      case 'saved':
        encoding.writeVarUint(e, MessageType.Saved);
        encoding.writeVarUint(e, m.seq);
        return;
      case 'versions':
        encoding.writeVarUint(e, MessageType.Versions);
        encoding.writeVarString(e, m.latest);
        return;
      default: {
        const never: never = m;
        throw new ProtocolError(`cannot encode ${(never as Message).type}`);
      }
    }
  });
}
