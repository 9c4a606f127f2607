import * as Y from 'yjs';
import type { Clock } from '../clock.js';
import type { Bus, BusMessage } from '../cluster/bus/types.js';
import type { AntiEntropy } from '../cluster/anti-entropy.js';
import { ClusterLink } from '../cluster/link.js';
import { VersionRecorder, type VersionTimings } from '../history/recorder.js';
import type { History } from '../history/versions.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { inlineFolder, type Folder } from '../persistence/compactor.js';
import { corruptionReporter, loadVerifiedInto } from '../persistence/integrity.js';
import { PadWriter } from '../persistence/pad-writer.js';
import type { WriteBatcher } from '../persistence/write-batcher.js';
import type { Storage } from '../storage/types.js';
import { JoinState } from './join-state.js';
import { Preload } from './preload.js';
import type { PresenceExpiry } from './presence-expiry.js';
import type { SliceGate } from '../transport/slice-gate.js';
import { Room, type RoomLimits } from './room.js';

/** What every room on a node shares. */
export interface RoomDeps {
  storage: Storage;
  batcher: WriteBatcher;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
  limits: RoomLimits & { compactEvery: number };
  /** Cluster mode: other nodes with this pad open hear about every change through it. */
  cluster?: { bus: Bus; nodeId: string; antiEntropy: AntiEntropy };
  /** Document history: versions after pauses, at intervals, on request (V1-V5). */
  history?: { store: History; timings: VersionTimings };
  /** Where compactions fold the log (the node's compactor thread); inline when absent. */
  folder?: Folder;
  /** The node's one timer that drops presence nobody renewed. */
  presenceExpiry: PresenceExpiry;
  /** The node's line for delete sets applied in parts (HS3). */
  deleteGate: SliceGate;
}

/**
 * Opens a pad: subscribes to its bus channel first, then reads it from storage (verified,
 * R1-R3), then applies what peers sent meanwhile, so no update falls between the stored
 * state and the live stream. `evicted` is how the room asks its registry to drop it.
 */
export async function loadRoom(
  pad: string,
  deps: RoomDeps,
  evicted: () => void,
  overloaded: () => boolean,
): Promise<Room> {
  const end = deps.metrics.padLoadSeconds.startTimer();
  const early = new Preload<BusMessage>();
  const cluster = deps.cluster;
  if (cluster) await cluster.bus.subscribe(pad, (m) => early.push(m));
  let room: Room;
  try {
    room = await fromStorage(pad, deps, evicted, overloaded);
  } catch (err) {
    await cluster?.bus.unsubscribe(pad);
    throw err;
  }
  early.open((m) => room.fromBus(m));
  // Caught up with what peers sent meanwhile: tell them our state, so either side repairs the other.
  room.announceState();
  end();
  return room;
}

async function fromStorage(pad: string, deps: RoomDeps, evicted: () => void, overloaded: () => boolean): Promise<Room> {
  const { storage, log, metrics, clock, cluster, history } = deps;
  // R1-R3: entries that fail their checksum or do not decode are quarantined, not applied.
  const doc = new Y.Doc();
  const stored = await loadVerifiedInto(doc, storage, pad, {
    quarantine: true,
    report: corruptionReporter(log, metrics),
  });
  const writer = new PadWriter(
    pad,
    { storage, batcher: deps.batcher, log, metrics, compactEvery: deps.limits.compactEvery, folder: deps.folder },
    {
      snapshotBytes: stored.snapshot?.length ?? 0,
      logEntries: stored.updates.length,
      logBytes: stored.updates.reduce((n, u) => n + u.length, 0),
    },
  );
  const room = new Room(pad, {
    doc,
    writer,
    link: (d, awareness) => {
      if (!cluster) return null;
      return new ClusterLink(pad, d, awareness, { ...cluster, log, clock });
    },
    recorder: history
      ? (d, stateOf) => new VersionRecorder(pad, d, history.store, history.timings, log, clock, stateOf)
      : null,
    evicted,
    overloaded,
    limits: deps.limits,
    clock,
    log,
    metrics,
    joinState: JoinState.afterLoad(doc, stored, deps.folder ?? inlineFolder, log.child({ pad })),
    presenceExpiry: deps.presenceExpiry,
    deleteGate: deps.deleteGate,
  });
  writer.maybeCompact();
  return room;
}
