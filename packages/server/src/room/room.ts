import {
  CloseCode,
  ProtocolError,
  TEXT_NAME,
  carriesUpdate,
  decodeMessage,
  encodeMessage,
  type Message,
} from '@padmesh/protocol';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { BUS_ORIGIN, LOCAL_ORIGIN, STORAGE_ORIGIN, isOrigin, type Origin } from './origin.js';
import { CloseError, type Conn } from '../transport/socket.js';
import type { Storage } from '../storage/types.js';
import { applyTextDiff } from '../crdt/text-diff.js';
import type { Bus, BusMessage } from '../cluster/bus/types.js';
import { Fanout } from './fanout.js';
import type { History } from '../history/versions.js';
import { Replication } from '../cluster/link.js';
import { VersionRecorder, type VersionTimings } from '../history/recorder.js';
import { corruptionReporter, loadVerified } from '../persistence/integrity.js';
import { compactPad } from '../persistence/compaction.js';
import type { Folder } from '../persistence/compactor.js';
import { checkUpdate } from '../crdt/update-check.js';
import type { WriteBatcher } from '../persistence/write-batcher.js';

export interface RoomDeps {
  storage: Storage;
  batcher: WriteBatcher;
  log: Logger;
  metrics: Metrics;
  limits: { maxPadBytes: number; maxPadChars: number; compactEvery: number };
  /** Cluster mode: other nodes with this pad open hear about every change through it. */
  bus?: Bus;
  nodeId: string;
  /** Document history: versions after pauses, at intervals, on request (V1-V5). */
  history?: { store: History; timings: VersionTimings };
  /** Where compactions fold the log (the node's compactor thread); inline when absent. */
  folder?: Folder;
}

/** See maybeCompact: how far past COMPACT_EVERY a large pad's log may grow. */
const COMPACT_EVERY_MAX_FACTOR = 16;

/** Fixed cost of a loaded pad (Y.Doc, awareness, maps), measured roughly with 10k empty pads. */
const ROOM_BASE_BYTES = 8 * 1024;

type RoomState = { kind: 'open' } | { kind: 'closing'; done: Promise<void> } | { kind: 'closed' };

/**
 * One pad in memory: its Y.Doc, awareness, and connected clients. Applies client
 * updates, fans them out, and hands them to the write batcher; acknowledges each
 * client's updates once they are durable (D1).
 */
export class Room {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly conns = new Set<Conn>();
  private readonly fanout = new Fanout(this.conns, this.awareness);
  /** The sync-step-2 frame of the whole doc, sent as is to every client that joins with an empty doc (join storms). */
  private fullState: Uint8Array | null = null;
  state: RoomState = { kind: 'open' };
  replication: Replication | null = null;
  recorder: VersionRecorder | null = null;
  /** Client updates checked but not yet applied (applyIncoming), with their size for the limits. */
  private incoming: { items: { conn: Conn; update: Uint8Array; seq: number }[]; bytes: number; chars: number } = {
    items: [],
    bytes: 0,
    chars: 0,
  };
  /** Settles after every update applied so far has been committed, in order. */
  private lastWrite: Promise<void> = Promise.resolve();
  private sinceCompact = 0;
  /** Bytes of the stored snapshot, as of the last load or compaction (compaction pacing). */
  private snapshotBytes = 0;
  private compacting = false;
  /** Stored bytes for this pad, approximately: the pad-size limit checks against it. */
  private bytes = 0;
  private readonly log: Logger;

  private constructor(
    readonly pad: string,
    private readonly deps: RoomDeps,
  ) {
    this.log = deps.log.child({ pad });
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => this.onDocUpdate(update, origin));
    this.awareness.on('update', (change: AwarenessChange, origin: unknown) => this.onAwarenessUpdate(change, origin));
  }

  static async load(pad: string, deps: RoomDeps): Promise<Room> {
    const end = deps.metrics.padLoadSeconds.startTimer();
    // Subscribe before loading, so nothing published between the load and the subscription
    // is missed; messages that arrive meanwhile wait and are applied after the load.
    let room: Room | null = null;
    const early: BusMessage[] = [];
    if (deps.bus)
      await deps.bus.subscribe(pad, (m) => (room?.replication ? room.replication.receive(m) : early.push(m)));
    try {
      room = await Room.loadStored(pad, deps);
    } catch (err) {
      await deps.bus?.unsubscribe(pad);
      throw err;
    }
    if (deps.bus) {
      room.replication = new Replication(pad, room.doc, room.awareness, deps.bus, deps.nodeId, room.log);
      for (const m of early.splice(0)) room.replication.receive(m);
      room.replication.announce(true);
    }
    end();
    return room;
  }

  private static async loadStored(pad: string, deps: RoomDeps): Promise<Room> {
    // R1-R3: entries that fail their checksum or do not decode are quarantined, not applied.
    const stored = await loadVerified(deps.storage, pad, {
      quarantine: true,
      report: corruptionReporter(deps.log, deps.metrics),
    });
    const room = new Room(pad, deps);
    room.doc.transact(() => {
      if (stored.snapshot) Y.applyUpdate(room.doc, stored.snapshot);
      for (const u of stored.updates) Y.applyUpdate(room.doc, u);
    }, STORAGE_ORIGIN);
    room.bytes = (stored.snapshot?.length ?? 0) + stored.updates.reduce((n, u) => n + u.length, 0);
    room.sinceCompact = stored.updates.length;
    room.snapshotBytes = stored.snapshot?.length ?? 0;
    if (deps.history)
      room.recorder = new VersionRecorder(pad, room.doc, deps.history.store, deps.history.timings, room.log);
    room.maybeCompact();
    return room;
  }

  /** Rough memory held by this pad: Yjs structures take a few times their encoded size. */
  memoryEstimate(): number {
    return ROOM_BASE_BYTES + this.bytes * 4;
  }

  /** True for a pad nobody has written to (opening it is "creating" it, for rate limits). */
  isEmpty(): boolean {
    return this.doc.store.clients.size === 0;
  }

  get text(): string {
    return this.doc.getText(TEXT_NAME).toString();
  }

  join(conn: Conn): void {
    this.conns.add(conn);
    conn.send(encodeMessage({ type: 'sync-step1', stateVector: Y.encodeStateVector(this.doc) }));
    const states = this.awareness.getStates();
    if (states.size > 0) {
      const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...states.keys()]);
      conn.send(encodeMessage({ type: 'awareness', update }));
    }
  }

  leave(conn: Conn): void {
    if (!this.conns.delete(conn)) return;
    if (conn.awarenessIds.size > 0)
      awarenessProtocol.removeAwarenessStates(this.awareness, [...conn.awarenessIds], null);
  }

  /** Handles one frame from `conn`; throws CloseError for input that must end the connection. */
  receive(conn: Conn, data: Uint8Array): void {
    let msg: Message;
    try {
      msg = decodeMessage(data);
    } catch (err) {
      if (err instanceof ProtocolError) throw new CloseError(CloseCode.MalformedMessage, err.message);
      throw err;
    }
    if (carriesUpdate(msg)) return this.receiveUpdate(conn, msg.update);
    switch (msg.type) {
      case 'sync-step1': {
        if (isEmptyStateVector(msg.stateVector)) return conn.send(this.fullStateFrame());
        let update: Uint8Array;
        try {
          update = Y.encodeStateAsUpdate(this.doc, msg.stateVector);
        } catch {
          throw new CloseError(CloseCode.MalformedMessage, 'invalid state vector in sync step 1');
        }
        conn.send(encodeMessage({ type: 'sync-step2', update }));
        return;
      }
      case 'awareness':
        try {
          awarenessProtocol.applyAwarenessUpdate(this.awareness, msg.update, conn);
        } catch {
          throw new CloseError(CloseCode.MalformedMessage, 'invalid awareness update');
        }
        return;
      case 'query-awareness':
        conn.send(
          encodeMessage({
            type: 'awareness',
            update: awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]),
          }),
        );
        return;
      case 'auth':
      case 'saved':
        // Server-to-client messages; a client echoing them is harmless.
        return;
      default: {
        const never: never = msg;
        throw new CloseError(CloseCode.MalformedMessage, `unexpected message ${(never as Message).type}`);
      }
    }
  }

  private receiveUpdate(conn: Conn, update: Uint8Array): void {
    const seq = ++conn.received;
    let inserted: number;
    let changes: number;
    try {
      ({ insertedChars: inserted, changes } = checkUpdate(update));
    } catch (err) {
      this.deps.metrics.rejected.inc({ reason: 'invalid_update' });
      throw new CloseError(CloseCode.InvalidUpdate, `invalid Yjs update: ${(err as Error).message}`);
    }
    if (conn.readOnly && changes > 0) {
      this.deps.metrics.rejected.inc({ reason: 'read_only' });
      throw new CloseError(CloseCode.ReadOnly, 'this link is read-only');
    }
    const q = this.incoming;
    if (this.bytes + q.bytes + update.length > this.deps.limits.maxPadBytes) {
      this.deps.metrics.rejected.inc({ reason: 'pad_too_large' });
      throw new CloseError(
        CloseCode.PadTooLarge,
        `pad would exceed ${this.deps.limits.maxPadBytes} bytes of stored state`,
      );
    }
    if (inserted > 0 && this.doc.getText(TEXT_NAME).length + q.chars + inserted > this.deps.limits.maxPadChars) {
      this.deps.metrics.rejected.inc({ reason: 'pad_too_large' });
      throw new CloseError(CloseCode.PadTooLarge, `pad would exceed ${this.deps.limits.maxPadChars} characters`);
    }
    q.items.push({ conn, update, seq });
    q.bytes += update.length;
    q.chars += inserted;
    if (q.items.length === 1) setImmediate(() => this.applyIncoming());
  }

  /**
   * Applies every client update that arrived since the last turn in one Yjs transaction:
   * one integration pass, one doc update to fan out, store and replicate, instead of one
   * each (bench: a busy pad's throughput was bound by per-transaction cost). Each update was
   * checked on arrival, so a batch fails only if Yjs itself throws.
   */
  private applyIncoming(): void {
    const { items } = this.incoming;
    this.incoming = { items: [], bytes: 0, chars: 0 };
    if (items.length === 0 || this.state.kind !== 'open') return;
    const first = items[0]!.conn;
    const origin: Origin = { kind: 'client', conn: items.every((i) => i.conn === first) ? first : null };
    try {
      this.doc.transact(() => {
        for (const i of items) Y.applyUpdate(this.doc, i.update);
      }, origin);
    } catch (err) {
      // The doc may hold part of the batch; only storage is known good, so reload from it.
      this.log.error({ err }, 'update passed decoding but failed to apply; reloading pad');
      this.evict(CloseCode.Reload, 'pad reloaded after an invalid update');
      return;
    }
    // `saved {seq}` covers everything up to seq, so each client needs only its last one.
    const acks = new Map<Conn, number>();
    for (const i of items) if (i.conn.wantsAcks) acks.set(i.conn, i.seq);
    if (acks.size > 0)
      void this.lastWrite.then(() => acks.forEach((seq, conn) => conn.send(encodeMessage({ type: 'saved', seq }))));
  }

  /** Replaces the whole text through the CRDT (so editors see a live edit); resolves once durable. */
  async replaceText(next: string): Promise<void> {
    this.doc.transact(() => applyTextDiff(this.doc.getText(TEXT_NAME), next), LOCAL_ORIGIN);
    await this.lastWrite;
  }

  /** Resolves after every update received so far is applied and durable. */
  async durable(): Promise<void> {
    if (this.incoming.items.length > 0) this.applyIncoming();
    return this.lastWrite;
  }

  /** One frame shared by every fresh joiner until the next change: a join storm on a large pad encodes and holds it once, not once per client. */
  private fullStateFrame(): Uint8Array {
    return (this.fullState ??= encodeMessage({ type: 'sync-step2', update: Y.encodeStateAsUpdate(this.doc) }));
  }

  private onDocUpdate(update: Uint8Array, rawOrigin: unknown): void {
    this.fullState = null;
    const origin: Origin | null = isOrigin(rawOrigin) ? rawOrigin : null;
    if (!origin || origin.kind === 'storage') return;
    this.deps.metrics.updates.inc({ origin: origin.kind });
    this.fanout.update(update, origin.kind === 'client' ? origin.conn : null);
    if (origin.kind !== 'bus') {
      this.replication?.publishUpdate(update);
      this.recorder?.edited(update);
    }
    // Peers' updates are stored here too: if their node dies before its commit, the client
    // that made the edit re-sends it here, where it is already applied (a no-op), so this
    // copy is the one that makes our acknowledgement true (D1 across nodes).
    this.persist(update);
  }

  private persist(update: Uint8Array): void {
    this.bytes += update.length;
    this.sinceCompact++;
    this.lastWrite = this.deps.batcher.append({ pad: this.pad, update });
    this.maybeCompact();
  }

  private onAwarenessUpdate({ added, updated, removed }: AwarenessChange, origin: unknown): void {
    const changed = [...added, ...updated, ...removed];
    if (changed.length === 0) return;
    const sender = this.conns.has(origin as Conn) ? (origin as Conn) : null;
    // Text before presence: a cursor must not arrive ahead of the edit it sits in.
    if (this.incoming.items.length > 0) this.applyIncoming();
    const states = this.awareness.getStates();
    for (const id of [...added, ...updated]) this.recorder?.learn(id, states.get(id)?.user);
    if (sender) {
      for (const id of [...added, ...updated]) sender.awarenessIds.add(id);
      for (const id of removed) sender.awarenessIds.delete(id);
    }
    this.fanout.awarenessChanged(changed, sender);
    // Local joins, moves and leaves go to peers; a peer's own changes and timeouts do not.
    if (origin !== BUS_ORIGIN && origin !== 'timeout') this.replication?.publishAwareness(changed);
  }

  /**
   * Folds the stored log into a snapshot, from storage's own contents so no other writer's
   * entry is lost. A fold re-applies the snapshot too, so on a large pad it waits until the
   * log holds as many bytes as the snapshot: the cost stays proportional to the edits
   * (bench: 8 busy pads lost 40 % of their throughput to folds every 500 entries). The log
   * never grows past COMPACT_EVERY_MAX_FACTOR × COMPACT_EVERY entries, which bounds load time.
   */
  private maybeCompact(): void {
    const every = this.deps.limits.compactEvery;
    if (this.compacting || this.sinceCompact < every) return;
    const logBytes = this.bytes - this.snapshotBytes;
    if (logBytes < this.snapshotBytes && this.sinceCompact < every * COMPACT_EVERY_MAX_FACTOR) return;
    this.compacting = true;
    void this.compact().finally(() => (this.compacting = false));
  }

  async compact(): Promise<void> {
    await this.lastWrite;
    try {
      // Verified (R2): a bad entry is quarantined before the compaction deletes what it covers.
      const done = await compactPad(this.deps.storage, this.pad, {
        report: corruptionReporter(this.deps.log, this.deps.metrics),
        folder: this.deps.folder,
      });
      if (done.folded === 0) return;
      this.sinceCompact = Math.max(0, this.sinceCompact - done.folded);
      this.bytes = done.snapshotBytes + Math.max(0, this.bytes - done.replacedBytes);
      this.snapshotBytes = done.snapshotBytes;
      this.log.debug({ entries: done.folded, bytes: done.snapshotBytes }, 'compacted');
    } catch (err) {
      this.deps.metrics.storageErrors.inc();
      this.log.warn({ err }, 'compaction failed; will retry later');
    }
  }

  /** Called when `evict` asks the registry to drop this room. */
  onEvict: (() => void) | null = null;

  /** Drops all clients (they reconnect and resync) and asks the registry to forget this room. */
  evict(code: number, reason: string): void {
    for (const c of [...this.conns]) c.close(code, reason);
    this.onEvict?.();
  }

  /** Waits for pending writes, compacts if worthwhile, and frees memory. */
  close(): Promise<void> {
    if (this.state.kind === 'closing') return this.state.done;
    if (this.state.kind === 'closed') return Promise.resolve();
    if (this.incoming.items.length > 0) this.applyIncoming();
    const done = (async () => {
      await this.deps.bus?.unsubscribe(this.pad);
      if (this.recorder?.dirty) await this.recorder.record('close').catch(() => {});
      this.recorder?.destroy();
      await this.lastWrite;
      if (this.sinceCompact > 0 && this.sinceCompact >= Math.min(50, this.deps.limits.compactEvery))
        await this.compact();
      this.fanout.destroy();
      this.awareness.destroy();
      this.doc.destroy();
      this.state = { kind: 'closed' };
    })();
    this.state = { kind: 'closing', done };
    return done;
  }
}

/** A state vector with no clients: the joining client has nothing yet. */
function isEmptyStateVector(sv: Uint8Array): boolean {
  return sv.length === 1 && sv[0] === 0;
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}
