import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import * as Y from 'yjs';
import { AntiEntropy } from '../../src/cluster/anti-entropy.js';
import { MemoryBus, MemoryHub } from '../../src/cluster/bus/memory.js';
import { historyRoutes } from '../../src/history/routes.js';
import { HttpError } from '../../src/http/errors.js';
import { dispatch, type RequestContext } from '../../src/http/route.js';
import { LiveAccess } from '../../src/access/live-access.js';
import { PadAccess } from '../../src/access/pad-access.js';
import { History } from '../../src/history/versions.js';
import type { Logger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { WriteBatcher } from '../../src/persistence/write-batcher.js';
import type { RoomDeps } from '../../src/room/loader.js';
import { PresenceExpiry } from '../../src/room/presence-expiry.js';
import type { Room } from '../../src/room/room.js';
import { Rooms } from '../../src/room/rooms.js';
import { HeapGuard } from '../../src/room/heap-guard.js';
import { shapeLimits } from '../../src/crdt/update-shape.js';
import { ANSWER_WINDOW_BYTES, SendBudget } from '../../src/transport/send-budget.js';
import { SliceGate } from '../../src/transport/slice-gate.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import type { Storage } from '../../src/storage/types.js';
import type { Folder } from '../../src/persistence/compactor.js';
import { ManualClock } from '../manual-clock.js';
import { SimClient, type SimClientOptions } from './sim-client.js';

/** The production defaults a simulated node starts from; a test overrides what it is about. */
export const SIM_DEFAULTS = {
  maxPadBytes: 32 * 1024 * 1024,
  maxPadChars: 5_000_000,
  compactEvery: 500,
  maxBatch: 512,
  padIdleMs: 30_000,
  memoryBudget: Number.POSITIVE_INFINITY,
  versionIdleMs: 30_000,
  versionIntervalMs: 300_000,
  historyMaxVersions: 200,
  antiEntropyMs: 2_000,
  messagesPerSec: 100,
  messageBurst: 500,
  /** RATE_MAX_THROTTLED_MS; unbounded unless a test is about floods. */
  maxThrottledMs: Number.POSITIVE_INFINITY,
  maxSendBufferBytes: Number.POSITIVE_INFINITY,
  /** Node-wide send budget (HI5); infinite unless a test is about it. */
  sendBufferBudgetBytes: Number.POSITIVE_INFINITY,
  /** Bytes of big answers written at once (HI5). */
  answerWindowBytes: ANSWER_WINDOW_BYTES,
  maxUpdateStructs: 200_000,
  maxUpdateClients: 64,
  maxPadStructs: 1_000_000,
  maxPadClients: 8_192,
  maxPendingBytes: 1024 * 1024,
  /** The node's heap limit for the ceiling (HI4); by default the real one, measured. */
  heapLimit: 0,
};
export type SimSettings = typeof SIM_DEFAULTS;

/** Every simulated node signs unlock tokens with this, as a cluster shares SERVER_SECRET. */
export const SIM_SECRET = Buffer.alloc(32, 1);

/** One simulated node: the real room registry, write path and bus link, no sockets. */
export class SimNode {
  readonly metrics = new Metrics();
  readonly rooms: Rooms;
  readonly batcher: WriteBatcher;
  readonly history: History;
  readonly clients = new Set<SimClient>();
  readonly sendBudget: SendBudget;
  /** The node's slots for big updates, shared by its sessions as the transport shares them (HS3). */
  readonly slices = new SliceGate();
  /** The node's line for delete sets applied in parts (HS3), shared by its pads. */
  readonly deleteSlices = new SliceGate();
  /** Access settings on the shared storage; changes reach every cluster node's sockets (OW8). */
  readonly access: PadAccess;
  readonly live: LiveAccess;
  /** The node's anti-entropy timer (C4), in cluster mode. */
  readonly antiEntropy: AntiEntropy | null;
  private readonly log: Logger;
  private down = false;

  constructor(
    private readonly sim: Sim,
    readonly id: string,
    readonly settings: SimSettings,
    readonly bus: MemoryBus | null,
    /** Where folds run (the compactor thread in production); inline when absent. */
    folder?: Folder,
  ) {
    this.log = pino({ level: process.env.SIM_LOG ?? 'silent', base: { node: id } });
    this.batcher = new WriteBatcher(sim.storage, {
      maxBatch: settings.maxBatch,
      log: this.log,
      metrics: this.metrics,
      clock: sim.clock,
    });
    this.history = new History(sim.storage, { maxVersions: settings.historyMaxVersions }, sim.clock);
    this.antiEntropy = bus ? new AntiEntropy({ bus, clock: sim.clock, periodMs: settings.antiEntropyMs }) : null;
    const deps: RoomDeps = {
      storage: sim.storage,
      batcher: this.batcher,
      log: this.log,
      metrics: this.metrics,
      clock: sim.clock,
      presenceExpiry: new PresenceExpiry(sim.clock),
      deleteGate: this.deleteSlices,
      limits: {
        maxPadBytes: settings.maxPadBytes,
        maxPadChars: settings.maxPadChars,
        maxPadStructs: settings.maxPadStructs,
        maxPadClients: settings.maxPadClients,
        maxPendingBytes: settings.maxPendingBytes,
        compactEvery: settings.compactEvery,
      },
      history: {
        store: this.history,
        timings: { idleMs: settings.versionIdleMs, maxIntervalMs: settings.versionIntervalMs },
      },
      ...(this.antiEntropy && bus ? { cluster: { bus, nodeId: id, antiEntropy: this.antiEntropy } } : {}),
      ...(folder ? { folder } : {}),
    };
    this.sendBudget = new SendBudget(settings.sendBufferBudgetBytes, sim.clock, settings.answerWindowBytes);
    // A set heap limit is a test of the estimate alone: the measured heap is left out.
    const heap = settings.heapLimit > 0 ? new HeapGuard(settings.heapLimit, () => 0) : undefined;
    this.rooms = new Rooms(deps, { idleMs: settings.padIdleMs, memoryBudget: settings.memoryBudget, heap });
    this.access = new PadAccess(sim.storage, {
      secret: SIM_SECRET,
      now: () => sim.clock.now(),
      onChange: (pad, change) => this.live.changed(pad, change),
    });
    this.live = new LiveAccess({
      access: this.access,
      rooms: this.rooms,
      storage: sim.storage,
      log: this.log,
      bus: bus ?? undefined,
      nodeId: id,
    });
    // The memory bus subscribes synchronously, so the node hears changes from the start.
    void this.live.start();
  }

  /** A client on `pad`, its sync step 1 written but not yet read (call `sim.run()` or flush by hand). */
  async connect(pad: string, opts: SimClientOptions = {}): Promise<SimClient> {
    const c = new SimClient(
      this.rooms,
      pad,
      {
        metrics: this.metrics,
        log: () => this.log,
        messagesPerSec: this.settings.messagesPerSec,
        messageBurst: this.settings.messageBurst,
        maxThrottledMs: this.settings.maxThrottledMs,
        clock: this.sim.clock,
        shape: shapeLimits(this.settings),
        slices: this.slices,
      },
      {
        maxSendBufferBytes: this.settings.maxSendBufferBytes,
        sendBudget: this.sendBudget,
        // As the WebSocket transport does (ws.ts): a cut-off reader is counted.
        onSlow: () => this.metrics.rejected.inc({ reason: 'slow_consumer' }),
        ...opts,
      },
    );
    this.clients.add(c);
    await c.open();
    return c;
  }

  /** Holds `pad` for the length of `fn`, as an HTTP request does (router.ts `withPad`). */
  withPad<T>(pad: string, fn: (room: Room) => Promise<T>): Promise<T> {
    return this.sim.until(this.hold(pad, fn), `work on ${pad}`);
  }

  private async hold<T>(pad: string, fn: (room: Room) => Promise<T>): Promise<T> {
    const room = await this.rooms.acquire(pad);
    try {
      return await fn(room);
    } finally {
      this.rooms.release(room);
    }
  }

  /**
   * The history API (`/api/pads/<pad>/versions...`, history/routes.ts) without HTTP: the
   * same route table and dispatcher, its errors turned into a status as the router does.
   */
  async versionsApi(method: string, url: string, body = ''): Promise<{ status: number; body: unknown }> {
    let out: { status: number; body: unknown } | null = null;
    const ctx: RequestContext = {
      req: { method, url, headers: {} } as IncomingMessage,
      res: {} as ServerResponse,
      method,
      url: new URL(url, 'http://sim'),
      params: {},
      ip: '127.0.0.1',
      readBody: async () => body,
      json: (status, b) => void (out = { status, body: b }),
      text: (status, b) => void (out = { status, body: b }),
    };
    const routes = historyRoutes({ history: this.history, withPad: (p, fn) => this.hold(p, fn) });
    try {
      const handled = await this.sim.until(
        dispatch(routes, ctx, async () => true),
        `${method} ${url}`,
      );
      if (!handled) return { status: 404, body: { error: 'not found' } };
    } catch (err) {
      if (err instanceof HttpError) return { status: err.status, body: { error: err.message } };
      throw err;
    }
    if (!out) throw new Error(`${method} ${url}: no answer`);
    return out;
  }

  /** How many refusals of `reason` this node counted (`padmesh_rejected_total{reason}`). */
  async rejected(reason: string): Promise<number> {
    const { values } = await this.metrics.rejected.get();
    return values.find((v) => v.labels.reason === reason)?.value ?? 0;
  }

  /** Pads loaded on this node now. */
  async loadedPads(): Promise<string[]> {
    return (await this.sim.until(this.rooms.loaded(), 'listing pads')).map((r) => r.pad);
  }

  /** Orderly shutdown: every pad flushed and compacted as on SIGTERM. */
  async close(): Promise<void> {
    if (this.down) return;
    this.down = true;
    for (const c of this.clients) c.disconnect();
    await this.sim.until(this.rooms.closeAll(), 'closing every pad');
    await this.sim.until(this.batcher.flushed(), 'final commit');
    this.batcher.stop();
    this.antiEntropy?.close();
    await this.bus?.close();
  }

  /** kill -9: the node's memory is gone; only what storage committed survives. */
  crash(): void {
    this.down = true;
    this.batcher.stop();
    for (const c of this.clients) {
      c.socket.close(1006, 'node died');
      // y-protocols' awareness runs a real interval; a dead node's would keep the test process up.
      c.awareness.destroy();
    }
    void this.rooms.loaded().then((rooms) => rooms.forEach((r) => r.awareness.destroy()));
    this.clients.clear();
    this.antiEntropy?.close();
    void this.bus?.close();
  }
}

/**
 * The in-process harness: nodes on one memory storage and one memory bus, a manual clock,
 * and clients whose frames move only when flushed. Deterministic: no ports, no sleeps.
 */
export class Sim {
  readonly clock = new ManualClock();
  readonly hub = new MemoryHub();
  readonly nodes: SimNode[] = [];

  constructor(readonly storage: Storage = new MemoryStorage()) {}

  /** A node; with `cluster`, it replicates to the other cluster nodes through the memory bus. */
  node(opts: { id?: string; cluster?: boolean; settings?: Partial<SimSettings>; folder?: Folder } = {}): SimNode {
    const id = opts.id ?? `sim-${this.nodes.length + 1}`;
    const n = new SimNode(
      this,
      id,
      { ...SIM_DEFAULTS, ...opts.settings },
      opts.cluster ? new MemoryBus(this.hub) : null,
      opts.folder,
    );
    this.nodes.push(n);
    return n;
  }

  /**
   * Delivers every frame in both directions and runs every task due now, until nothing
   * moves. Time does not advance: batching windows close, timers in the future stay put.
   */
  async run(): Promise<void> {
    for (let round = 0; round < 10_000; round++) {
      let moved = await this.clock.flush();
      for (const n of this.nodes) for (const c of n.clients) moved += c.flushUp();
      moved += await this.clock.flush();
      for (const n of this.nodes) for (const c of n.clients) moved += c.flushDown();
      if (moved === 0) return;
    }
    throw new Error('Sim.run: traffic never settled');
  }

  /**
   * Waits for `work` while running due tasks and delivering frames, for work that needs the
   * clock to move (a commit, a close). Fails loudly if it never completes.
   */
  async until<T>(work: Promise<T>, what = 'work'): Promise<T> {
    let done = false;
    const result = work.finally(() => (done = true));
    // The caller gets the rejection from the returned promise; until then it is not "unhandled".
    result.catch(() => {});
    for (let i = 0; i < 10_000 && !done; i++) await this.run();
    if (!done) throw new Error(`Sim.until: ${what} never completed`);
    return result;
  }

  /**
   * The pad's text as storage holds it (snapshot + log): what a restarted node would serve.
   * Moves no traffic and runs no task, so a test can look between any two steps.
   */
  async stored(pad: string): Promise<string> {
    const s = await this.storage.load(pad);
    const doc = new Y.Doc();
    if (s.snapshot) Y.applyUpdate(doc, s.snapshot);
    for (const u of s.updates) Y.applyUpdate(doc, u);
    const text = doc.getText('content').toString();
    doc.destroy();
    return text;
  }

  /** Moves time forward (running timers on the way), then settles. */
  async advance(ms: number): Promise<void> {
    await this.clock.advance(ms);
    await this.run();
  }

  async close(): Promise<void> {
    for (const n of this.nodes) await n.close();
    await this.storage.close();
  }
}
