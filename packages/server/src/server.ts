import { CloseCode } from '@padmesh/protocol';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { createHttpHandler } from './http/router.js';
import { createLogger, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { Rooms } from './room/rooms.js';
import { PresenceExpiry } from './room/presence-expiry.js';
import { SliceGate } from './transport/slice-gate.js';
import { systemClock } from './clock.js';
import { StaticFiles } from './http/static-files.js';
import { recoverBacklog } from './persistence/recovery.js';
import { Compactor } from './persistence/compactor.js';
import { openStorage } from './storage/open.js';
import type { Storage } from './storage/types.js';
import { AntiEntropy } from './cluster/anti-entropy.js';
import { RedisBus } from './cluster/bus/redis.js';
import type { Bus } from './cluster/bus/types.js';
import { History } from './history/versions.js';
import { WriteBatcher } from './persistence/write-batcher.js';
import { PadAccess } from './access/pad-access.js';
import { WsTransport, clientIp } from './transport/ws.js';
import { LiveAccess } from './access/live-access.js';
import { loadServerSecret } from './access/secret.js';
import { sweepExpired } from './access/expiry-sweep.js';
import { DistinctWindow, frameLimitBytes } from './limits.js';

/** How long /readyz waits for storage before calling the node not ready. */
const READY_TIMEOUT_MS = 2_000;
/** A client must send a request's headers within this time (slow-loris bound). */
const HTTP_HEADERS_TIMEOUT_MS = 20_000;
/** And the whole request within this time. */
const HTTP_REQUEST_TIMEOUT_MS = 60_000;
/** How long a closing server waits for HTTP requests in progress before cutting their connections. */
const HTTP_CLOSE_GRACE_MS = 2_000;

export interface PadmeshServer {
  url: string;
  port: number;
  log: Logger;
  metrics: Metrics;
  rooms: Rooms;
  /** Stops accepting, tells clients to go elsewhere, flushes every pad, then closes. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export interface ServerDeps {
  storage?: Storage;
  bus?: Bus;
  log?: Logger;
  /** Wall-clock time for unlock-token and pad expiry (tests move it); Date.now otherwise. */
  now?: () => number;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(t));
  });
}

/** Wires storage, rooms, HTTP and WebSocket into a listening node. */
export async function startServer(config: Config, deps: ServerDeps = {}): Promise<PadmeshServer> {
  const log = deps.log ?? createLogger(config);
  const metrics = new Metrics();
  const storage =
    deps.storage ??
    (await openStorage(config.storageUrl, {
      poolSize: config.storagePoolSize,
      ...(config.storageSchema ? { schema: config.storageSchema } : {}),
      onError: (err) => log.warn({ err: err.message }, 'storage connection error'),
    }));
  const bus = deps.bus ?? (config.redisUrl ? await RedisBus.open(config.redisUrl, log) : undefined);
  const history = new History(storage, { maxVersions: config.historyMaxVersions, maxBytes: config.historyMaxBytes });
  const batcher = new WriteBatcher(storage, {
    maxBatch: config.maxBatch,
    intervalMs: config.commitIntervalMs,
    log,
    metrics,
    clock: systemClock,
  });
  const compactor = new Compactor();
  const clock = systemClock;
  const antiEntropy = bus ? new AntiEntropy({ bus, clock, periodMs: config.antiEntropyMs }) : undefined;
  const rooms = new Rooms(
    {
      storage,
      batcher,
      log,
      metrics,
      clock,
      ...(bus && antiEntropy ? { cluster: { bus, nodeId: config.nodeId, antiEntropy } } : {}),
      history: {
        store: history,
        timings: { idleMs: config.versionIdleMs, maxIntervalMs: config.versionIntervalMs },
      },
      folder: compactor,
      presenceExpiry: new PresenceExpiry(clock),
      deleteGate: new SliceGate(),
      limits: {
        maxPadBytes: config.maxPadBytes,
        maxPadChars: config.limits.maxPadChars,
        maxPadStructs: config.limits.shape.maxPadStructs,
        maxPadClients: config.limits.shape.maxPadClients,
        maxPendingBytes: config.limits.shape.maxPendingBytes,
        compactEvery: config.compactEvery,
      },
    },
    {
      idleMs: config.padIdleMs,
      memoryBudget: config.padMemoryBudgetBytes,
      onCountChange: (n) => metrics.openPads.set(n),
    },
  );
  let draining = false;
  const files = new StaticFiles(config.webRoot);
  if (!files.available)
    log.warn({ webRoot: config.webRoot }, 'web app not built; only the API and WebSocket are served');

  const readiness = async (): Promise<string | null> => {
    if (draining) return 'draining';
    if (!batcher.healthy) return 'storage writes failing';
    try {
      await withTimeout(storage.ping(), READY_TIMEOUT_MS, 'storage ping');
    } catch (err) {
      return `storage unreachable: ${(err as Error).message}`;
    }
    return null;
  };

  // OW8: every change of access reaches every node's live sockets; see access/live-access.ts.
  let live: LiveAccess | null = null;
  const access = new PadAccess(storage, {
    secret: loadServerSecret(config.serverSecret, config.secretFile),
    ...(deps.now ? { now: deps.now } : {}),
    onChange: (pad, change) => live?.changed(pad, change) ?? Promise.resolve(),
  });
  live = new LiveAccess({ access, rooms, storage, log, bus, nodeId: config.nodeId });
  await live.start();
  if (bus && !config.serverSecret)
    log.warn(
      'SERVER_SECRET is unset: each node signs unlock cookies with its own key, so they work only on the node that issued them',
    );
  // One count of new pads per address for sockets and claims alike (E4: distinct pads).
  const newPads = new DistinctWindow(config.limits.maxNewPadsPerIpPerMin, 60_000);
  const transport = new WsTransport({
    access,
    live,
    newPads,
    rooms,
    log,
    metrics,
    maxMessageBytes: frameLimitBytes(config.maxMessageBytes, config.limits.maxPadChars, config.maxPadBytes),
    limits: config.limits,
    accepting: () => !draining,
  });
  const http: Server = createServer(
    createHttpHandler({
      access,
      storage,
      newPads,
      history,
      nodeId: config.nodeId,
      ipOf: (req) => clientIp(req, config.limits.trustProxy),
      rooms,
      files,
      metrics,
      log,
      maxBodyBytes: config.limits.maxHttpBodyBytes,
      readiness,
      readinessDetails: () => ({ node: config.nodeId, bus: bus ? (bus.healthy ? 'up' : 'down') : 'off' }),
    }),
  );
  http.on('upgrade', (req, socket, head) => {
    if (!transport.handleUpgrade(req, socket, head)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    }
  });
  http.headersTimeout = HTTP_HEADERS_TIMEOUT_MS;
  http.requestTimeout = HTTP_REQUEST_TIMEOUT_MS;

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  log.info({ port, storage: config.storageUrl.replace(/\/\/[^@]*@/, '//***@') }, 'padmesh listening');

  // R4: compact pads a crash left with a long log, in the background (readiness never waits).
  let stopped = false;
  const recovery = recoverBacklog(storage, {
    ...config.recovery,
    log,
    metrics,
    folder: compactor,
    stopped: () => stopped,
  }).catch((err: unknown) => log.warn({ err }, 'start-up recovery failed; pads compact when next used'));

  // OW11: expired pads (owner's date, or PAD_EXPIRE_DAYS untouched) are deleted by every node's sweeper.
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    sweeping = sweepExpired(storage, access, config.padExpireDays).then(
      (pads) => pads.length > 0 && log.info({ pads: pads.length }, 'expired pads deleted'),
      (err: unknown) => log.warn({ err }, 'expiry sweep failed; retrying at the next one'),
    );
  };
  const sweeper = setInterval(sweep, config.expirySweepMs);
  sweeper.unref();
  sweep();

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      draining = true;
      clearInterval(sweeper);
      await sweeping;
      transport.close();
      const closed = new Promise<void>((r) => http.close(() => r()));
      // Requests in progress get a moment to finish; a connection that has not sent a whole
      // request (a browser's preconnect, a client gone silent) would otherwise hold the
      // shutdown until Node's request timeout, minutes later.
      const cut = setTimeout(() => http.closeAllConnections(), HTTP_CLOSE_GRACE_MS);
      await closed;
      clearTimeout(cut);
      await batcher.flushed();
      stopped = true;
      await recovery;
      await rooms.closeAll();
      await batcher.flushed();
      batcher.stop();
      antiEntropy?.close();
      if (!deps.bus) await bus?.close();
      await compactor.close();
      await storage.close();
      log.info('padmesh stopped');
    })());

  return {
    url: `http://${host}:${port}`,
    port,
    log,
    metrics,
    rooms,
    async drain() {
      draining = true;
      // Not ready first, so the load balancer sends new clients elsewhere before ours reconnect.
      if (config.drainDelayMs > 0) await new Promise((r) => setTimeout(r, config.drainDelayMs));
      transport.closeAll(CloseCode.GoingAway, 'server is draining; reconnect');
      await close();
    },
    close,
  };
}
