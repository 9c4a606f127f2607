import { createHash } from 'node:crypto';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Bus, BusMessage } from './bus/types.js';
import type { Logger } from '../log.js';
import { BUS_ORIGIN } from '../room/origin.js';
import { checkUpdate } from '../crdt/update-check.js';

/** Minimum spacing of unprompted state announcements for one pad (answers to a peer are not limited). */
const ANNOUNCE_MIN_MS = 250;

/** Digest of state vector + delete set: state vectors alone miss deletions. */
function deleteSetDigest(doc: Y.Doc): Uint8Array {
  return createHash('sha1')
    .update(Y.encodeSnapshot(Y.snapshot(doc)))
    .digest()
    .subarray(0, 12);
}

function encodeState(doc: Y.Doc): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
  encoding.writeVarUint8Array(e, deleteSetDigest(doc));
  return encoding.toUint8Array(e);
}

function decodeState(data: Uint8Array): { sv: Map<number, number>; digest: Uint8Array } {
  const d = decoding.createDecoder(data);
  const sv = Y.decodeStateVector(decoding.readVarUint8Array(d));
  return { sv, digest: decoding.readVarUint8Array(d) };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * One pad's link to the other nodes. Local edits and presence go out as they happen; the
 * pad's state (vector + delete-set digest) goes out periodically and on reconnect, and a
 * node that holds anything a peer lacks answers with exactly that difference. So replication
 * converges even when pub/sub drops messages (C3).
 */
export class Replication {
  private lastAnnounce = 0;

  constructor(
    private readonly pad: string,
    private readonly doc: Y.Doc,
    private readonly awareness: awarenessProtocol.Awareness,
    private readonly bus: Bus,
    private readonly nodeId: string,
    private readonly log: Logger,
  ) {}

  publishUpdate(update: Uint8Array): void {
    this.bus.publish(this.pad, { kind: 'update', from: this.nodeId, data: update });
  }

  publishAwareness(ids: number[]): void {
    this.bus.publish(this.pad, {
      kind: 'awareness',
      from: this.nodeId,
      data: awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids),
    });
  }

  announce(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastAnnounce < ANNOUNCE_MIN_MS) return;
    this.lastAnnounce = now;
    this.bus.publish(this.pad, { kind: 'state', from: this.nodeId, data: encodeState(this.doc) });
  }

  receive(m: BusMessage): void {
    if (m.from === this.nodeId) return;
    try {
      switch (m.kind) {
        case 'update':
          checkUpdate(m.data);
          Y.applyUpdate(this.doc, m.data, BUS_ORIGIN);
          return;
        case 'awareness':
          awarenessProtocol.applyAwarenessUpdate(this.awareness, m.data, BUS_ORIGIN);
          return;
        case 'state':
          return this.answer(m.data);
      }
    } catch (err) {
      this.log.warn({ err, from: m.from, kind: m.kind }, 'ignoring bad message from a peer');
    }
  }

  /** A peer told us its state: send what it lacks, and announce ours if it has what we lack. */
  private answer(data: Uint8Array): void {
    const theirs = decodeState(data);
    const ours = Y.encodeStateVector(this.doc);
    const mine = Y.decodeStateVector(ours);
    let weHaveMore = false;
    let theyHaveMore = false;
    for (const [client, clock] of mine) if ((theirs.sv.get(client) ?? 0) < clock) weHaveMore = true;
    for (const [client, clock] of theirs.sv) if ((mine.get(client) ?? 0) < clock) theyHaveMore = true;
    const digestDiffers = !sameBytes(theirs.digest, deleteSetDigest(this.doc));
    if (weHaveMore || (digestDiffers && !theyHaveMore)) {
      const sv = encoding.createEncoder();
      encoding.writeVarUint(sv, theirs.sv.size);
      for (const [client, clock] of theirs.sv) {
        encoding.writeVarUint(sv, client);
        encoding.writeVarUint(sv, clock);
      }
      this.publishUpdate(Y.encodeStateAsUpdate(this.doc, encoding.toUint8Array(sv)));
    }
    if (theyHaveMore) this.announce();
  }
}
