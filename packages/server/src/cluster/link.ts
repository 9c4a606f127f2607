import { createHash } from 'node:crypto';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Clock } from '../clock.js';
import { encodeState } from '../crdt/encode-state.js';
import { checkUpdate } from '../crdt/update-check.js';
import type { Logger } from '../log.js';
import { BUS_ORIGIN } from '../room/origin.js';
import type { AntiEntropy, Announcer } from './anti-entropy.js';
import type { Bus, BusMessage } from './bus/types.js';

/** Minimum spacing of unprompted state announcements for one pad (answers to a peer are not limited). */
const ANNOUNCE_MIN_MS = 250;

/** Digest of state vector + delete set: state vectors alone miss deletions. */
function deleteSetDigest(doc: Y.Doc): Uint8Array {
  return createHash('sha1')
    .update(Y.encodeSnapshot(Y.snapshot(doc)))
    .digest()
    .subarray(0, 12);
}

function stateMessage(doc: Y.Doc, digest: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
  encoding.writeVarUint8Array(e, digest);
  return encoding.toUint8Array(e);
}

function decodeState(data: Uint8Array): { sv: Map<number, number>; digest: Uint8Array } {
  const d = decoding.createDecoder(data);
  const sv = Y.decodeStateVector(decoding.readVarUint8Array(d));
  return { sv, digest: decoding.readVarUint8Array(d) };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export interface ClusterLinkDeps {
  bus: Bus;
  nodeId: string;
  log: Logger;
  clock: Clock;
  /** The node's timer that announces the pad's state to peers so they can repair what the bus dropped. */
  antiEntropy: AntiEntropy;
}

/**
 * One pad's link to the other nodes. Local edits and presence go out as they happen; the
 * pad's state (vector + delete-set digest) goes out within one anti-entropy period of a change,
 * when the node's sweep comes to it, and after every bus reconnect (AntiEntropy), and a node
 * that holds anything a peer lacks answers with exactly that difference. So replication
 * converges even when pub/sub drops messages (C4). The digest walks every struct, so it is
 * kept until the doc changes (issue 19: recomputing it every 2 s made one idle 4.3 MB pad cost
 * 1.45 % of a core); between sweeps an unchanged pad costs nothing.
 */
export class ClusterLink implements Announcer {
  private lastAnnounce = Number.NEGATIVE_INFINITY;
  /** The state message and digest of the doc as it is, until its next change. */
  private state: { bytes: Uint8Array; digest: Uint8Array } | null = null;
  private readonly onChange = () => {
    this.state = null;
    this.deps.antiEntropy.markDue(this);
  };
  /** A peer recorded a version of this pad (V7); the room tells its clients. */
  onPeerVersion: (id: string) => void = () => {};

  constructor(
    private readonly pad: string,
    private readonly doc: Y.Doc,
    private readonly awareness: awarenessProtocol.Awareness,
    private readonly deps: ClusterLinkDeps,
  ) {
    doc.on('update', this.onChange);
    deps.antiEntropy.add(this);
  }

  private current(): { bytes: Uint8Array; digest: Uint8Array } {
    if (this.state) return this.state;
    const digest = deleteSetDigest(this.doc);
    return (this.state = { bytes: stateMessage(this.doc, digest), digest });
  }

  publishUpdate(update: Uint8Array): void {
    this.deps.bus.publish(this.pad, { kind: 'update', from: this.deps.nodeId, data: update });
  }

  publishAwareness(ids: number[]): void {
    const data = awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids);
    this.deps.bus.publish(this.pad, { kind: 'awareness', from: this.deps.nodeId, data });
  }

  /** Best effort, like presence: a lost announcement only delays a list refresh until the next one. */
  publishVersion(id: string): void {
    this.deps.bus.publish(this.pad, { kind: 'version', from: this.deps.nodeId, data: new TextEncoder().encode(id) });
  }

  announce(force = false): boolean {
    const now = this.deps.clock.now();
    if (!force && now - this.lastAnnounce < ANNOUNCE_MIN_MS) return false;
    this.lastAnnounce = now;
    this.deps.bus.publish(this.pad, { kind: 'state', from: this.deps.nodeId, data: this.current().bytes });
    return true;
  }

  receive(m: BusMessage): void {
    if (m.from === this.deps.nodeId) return;
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
        case 'version':
          return this.onPeerVersion(new TextDecoder('utf-8', { fatal: true }).decode(m.data));
        case 'access':
          // Travels on its own channel (LiveAccess), never a pad's.
          return;
      }
    } catch (err) {
      this.deps.log.warn({ err, pad: this.pad, from: m.from, kind: m.kind }, 'ignoring bad message from a peer');
    }
  }

  /** Leaves the node's anti-entropy and the pad's channel. */
  async close(): Promise<void> {
    this.deps.antiEntropy.remove(this);
    this.doc.off('update', this.onChange);
    await this.deps.bus.unsubscribe(this.pad);
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
    const digestDiffers = !sameBytes(theirs.digest, this.current().digest);
    if (weHaveMore || (digestDiffers && !theyHaveMore)) {
      const sv = encoding.createEncoder();
      encoding.writeVarUint(sv, theirs.sv.size);
      for (const [client, clock] of theirs.sv) {
        encoding.writeVarUint(sv, client);
        encoding.writeVarUint(sv, clock);
      }
      this.publishUpdate(encodeState(this.doc, encoding.toUint8Array(sv), false));
      // A deletion only the peer has shows in the digest alone: our next announcement lets it
      // send that back (each period while the digests differ, not only at the sweep).
      if (digestDiffers) this.deps.antiEntropy.markDue(this);
    }
    if (theyHaveMore && !this.announce()) this.deps.antiEntropy.markDue(this);
  }
}
