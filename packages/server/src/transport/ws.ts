import { CloseCode, extensionLevel, PADMESH_PARAM, PADMESH_VERSIONS_LEVEL, padIdProblem } from '@padmesh/protocol';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Limits } from '../config.js';
import { AllOf, DistinctWindow, KeyedBuckets, KeyedCounter, TurnShares } from '../limits.js';
import { systemClock } from '../clock.js';
import { NO_CREDENTIAL, type Credential } from '../access/credential.js';
import type { LiveAccess } from '../access/live-access.js';
import { requestToken } from '../access/routes.js';
import type { Logger } from '../log.js';
import type { PadAccess } from '../access/pad-access.js';
import type { Metrics } from '../metrics.js';
import type { Rooms } from '../room/rooms.js';
import { Session } from './session.js';
import { SliceGate } from './slice-gate.js';
import { SendBudget } from './send-budget.js';
import { Conn, type Socket } from './socket.js';
import { shapeLimits, type ShapeLimits } from '../crdt/update-shape.js';
import { OverloadedError } from '../room/heap-guard.js';

/** A socket that has not answered a ping within this interval is dead. */
const HEARTBEAT_MS = 30_000;
/** How long a slow consumer gets to take its close frame before the TCP connection is cut. */
const SLOW_CLOSE_GRACE_MS = 1_000;
/**
 * What one address may have delivered in one event-loop turn (L4): its rate's worth of this
 * many milliseconds, and at least ADDRESS_TURN_MIN. A burst of keystrokes on 8 pads costs
 * ~200-270 us a message to read, check, apply and fan out, so 32 messages are ~8 ms of a turn,
 * the slices' target (crdt/slice-pace.ts); at the default rate (2,000 a second) the share is
 * 32. It bounds bursts, never the rate: an address only waits for it in turns longer than this.
 * Tied to the rate, not a count of its own, so a deployment that raises the address's rate (a
 * trusted proxy, the bench) is not held to a keystroke's share. Hostile suite L4, bystander
 * p99: 214-315 ms with no share (4 runs), 63-107 ms at 64 messages (4), 69-99 ms at 32 (8).
 */
const ADDRESS_TURN_MS = 16;
/** A lower rate does not spread a burst thinner than this: 32 messages are ~8 ms of a turn. */
const ADDRESS_TURN_MIN = 32;

/** The address's share of one turn, from its rate. */
export function addressTurnShare(messagesPerSecPerIp: number): number {
  return Math.max(ADDRESS_TURN_MIN, Math.ceil((messagesPerSecPerIp * ADDRESS_TURN_MS) / 1000));
}

/** `ws` as the room sees it. A class, not an object literal with getters: those go to
 * dictionary mode and cost ~0.5 KiB per connection (heap snapshot, 1,000 idle sockets). */
class WsSocket implements Socket {
  constructor(private readonly ws: WebSocket) {}
  send(data: Uint8Array, onWritten?: () => void): void {
    this.ws.send(data, { binary: true }, onWritten);
  }
  close(code: number, reason: string): void {
    this.ws.close(code, reason.slice(0, 120));
    // A client that stopped reading will not read the close frame either.
    if (code === CloseCode.SlowConsumer) setTimeout(() => this.ws.terminate(), SLOW_CLOSE_GRACE_MS).unref();
  }
  get isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
  pause(): void {
    this.ws.pause();
  }
  resume(): void {
    this.ws.resume();
  }
}

/** What `ws` reports when a frame passes `maxPayload`; it then closes the socket with 1009 itself. */
const FRAME_TOO_BIG = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';

/**
 * Module-level on purpose: a listener created inside handleUpgrade would keep that call's
 * scope (the request, its headers, the head buffer) alive as long as the socket lives.
 */
const ignore = () => {};

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The peer address; behind our own load balancer, the last X-Forwarded-For hop (the one it added). */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  const fwd = req.headers['x-forwarded-for'];
  if (trustProxy && typeof fwd === 'string' && fwd.length > 0) return fwd.split(',').at(-1)!.trim();
  return req.socket.remoteAddress ?? 'unknown';
}

interface Admission {
  pad: string;
  readOnly: boolean;
  /** Kept on the connection so later access changes re-check it (OW8). */
  credential: Credential;
  denied: [code: number, reason: string] | null;
}

const DENIED_REASON: Readonly<Record<number, string>> = {
  [CloseCode.PasswordRequired]: 'password_required',
  [CloseCode.LinkRevoked]: 'link_revoked',
  [CloseCode.PadDeleted]: 'pad_deleted',
};

export interface WsDeps {
  access: PadAccess;
  /** Re-checks sockets whose pad's access changed while they were being admitted (OW8). */
  live?: LiveAccess;
  /** The per-address new-pad limit, when shared with the HTTP claim route. */
  newPads?: DistinctWindow;
  rooms: Rooms;
  log: Logger;
  metrics: Metrics;
  /** Largest frame accepted (`frameLimitBytes`: sized so any edit the pad limit allows fits, E1). */
  maxMessageBytes: number;
  limits: Limits;
  /** False while draining: new sockets are refused with "going away". */
  accepting: () => boolean;
}

/** The WebSocket transport: upgrades `/ws/<pad>`, admits the socket, and gives its frames to a Session. */
export class WsTransport {
  readonly wss: WebSocketServer;
  private heartbeat: NodeJS.Timeout;
  private alive = new WeakSet<WebSocket>();
  private perIp: KeyedCounter;
  /** The scan budget of each address (HI1): with one per connection, each new socket could spend a burst. */
  private readonly scans: KeyedBuckets;
  /** The message rate of each address, all its sockets together (L4). */
  private readonly messages: KeyedBuckets;
  /** And its share of one event-loop turn (L4). */
  private readonly turnShares: TurnShares;
  /** Distinct new pads per address: a client retrying the same new pad counts once (E4). */
  private newPads: DistinctWindow;
  private readonly sendBudget: SendBudget;
  private readonly shape: ShapeLimits;
  /** The node's slots for big updates, shared by every connection (HS3). */
  private readonly slices = new SliceGate();

  constructor(private readonly deps: WsDeps) {
    this.perIp = new KeyedCounter(deps.limits.maxConnectionsPerIp);
    this.scans = new KeyedBuckets(deps.limits.scanStepsPerSec, deps.limits.scanStepsBurst);
    this.messages = new KeyedBuckets(deps.limits.messagesPerSecPerIp, deps.limits.messageBurstPerIp);
    this.turnShares = new TurnShares(addressTurnShare(deps.limits.messagesPerSecPerIp), (fn) =>
      systemClock.after(0, fn),
    );
    this.newPads = deps.newPads ?? new DistinctWindow(deps.limits.maxNewPadsPerIpPerMin, 60_000);
    this.sendBudget = new SendBudget(deps.limits.sendBufferBudgetBytes);
    this.shape = shapeLimits(deps.limits.shape);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxMessageBytes, perMessageDeflate: false });
    this.heartbeat = setInterval(() => this.ping(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Returns false if the request is not ours (the caller answers 404). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/ws\/(ro\/)?(.*)$/.exec(url.pathname);
    if (!m) return false;
    let name: string;
    try {
      name = decodeURIComponent(m[2] ?? '');
    } catch {
      name = '%';
    }
    const origin = req.headers.origin;
    if (origin && !this.originAllowed(origin, req.headers.host)) {
      this.deps.metrics.rejected.inc({ reason: 'origin' });
      this.deps.log.warn({ origin }, 'WebSocket from a foreign origin refused');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\norigin not allowed\n');
      return true;
    }
    const ip = clientIp(req, this.deps.limits.trustProxy);
    const level = extensionLevel(url.searchParams.get(PADMESH_PARAM));
    socket.on('error', ignore);
    const epoch = this.deps.live?.epoch ?? 0;
    this.admit(req, name, Boolean(m[1])).then(
      (admission) => this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, admission, level, ip, epoch)),
      (err) => {
        this.deps.log.error({ err }, 'could not check pad access');
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      },
    );
    return true;
  }

  /** Resolves which pad a socket is for, and whether it may read or write it (A1, A2). */
  private async admit(req: IncomingMessage, name: string, viaReadOnlyLink: boolean): Promise<Admission> {
    const { access } = this.deps;
    if (viaReadOnlyLink) {
      const credential = { readOnlyId: name };
      const pad = await access.padForReadOnly(name);
      if (!pad)
        return { pad: name, readOnly: true, credential, denied: [CloseCode.InvalidPad, 'unknown read-only link'] };
      return { pad, readOnly: true, credential, denied: access.refusal(pad, await access.meta(pad), credential) };
    }
    if (padIdProblem(name)) return { pad: name, readOnly: false, credential: NO_CREDENTIAL, denied: null };
    const credential = { token: requestToken(req, name) };
    return {
      pad: name,
      readOnly: false,
      credential,
      denied: access.refusal(name, await access.meta(name), credential),
    };
  }

  private originAllowed(origin: string, host: string | undefined): boolean {
    if (this.deps.limits.allowedOrigins.includes(origin)) return true;
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }

  private onSocket(
    ws: WebSocket,
    { pad, readOnly, credential, denied }: Admission,
    /** `padmesh=N` (0 absent): 1 acknowledgements, 2 also version announcements (P3, V7). */
    level: number,
    ip: string,
    epoch: number,
  ): void {
    if (denied) {
      this.deps.metrics.rejected.inc({ reason: DENIED_REASON[denied[0]] ?? 'unknown_read_only' });
      this.deps.log.info({ pad, ip, code: denied[0] }, 'WebSocket refused: no access');
      ws.close(denied[0], denied[1]);
      return;
    }
    if (!this.perIp.tryAcquire(ip)) {
      this.deps.metrics.rejected.inc({ reason: 'connections_per_ip' });
      this.deps.log.warn({ ip }, 'too many connections from one address');
      ws.close(
        CloseCode.RateLimited,
        `more than ${this.deps.limits.maxConnectionsPerIp} connections from your address`,
      );
      return;
    }
    ws.once('close', () => this.perIp.release(ip));
    const problem = padIdProblem(pad);
    if (problem) {
      this.deps.metrics.rejected.inc({ reason: 'invalid_pad' });
      this.deps.log.info({ ip, problem }, 'WebSocket refused: invalid pad id');
      ws.close(CloseCode.InvalidPad, problem);
      return;
    }
    if (!this.deps.accepting()) {
      ws.close(CloseCode.GoingAway, 'server is draining; reconnect');
      return;
    }
    // A pino child costs about a kilobyte; most connections never log, so make it on first use.
    let child: Logger | null = null;
    const log = () => (child ??= this.deps.log.child({ pad, ip }));
    const conn = new Conn(
      new WsSocket(ws),
      pad,
      level >= 1,
      readOnly,
      this.deps.limits.maxSendBufferBytes,
      () => {
        this.deps.metrics.rejected.inc({ reason: 'slow_consumer' });
        log().warn('disconnecting a client that stopped reading');
      },
      this.sendBudget,
    );
    conn.credential = credential;
    conn.wantsVersions = level >= PADMESH_VERSIONS_LEVEL;
    const session = new Session(conn, {
      scans: this.scans.get(ip),
      addressMessages: new AllOf(this.messages.get(ip), this.turnShares.get(ip)),
      metrics: this.deps.metrics,
      log,
      messagesPerSec: this.deps.limits.messagesPerSec,
      messageBurst: this.deps.limits.messageBurst,
      maxThrottledMs: this.deps.limits.maxThrottledMs,
      // While paused, ws still parses what it had read: at most a read chunk plus one frame.
      maxBacklogBytes: 2 * this.deps.maxMessageBytes,
      shape: this.shape,
      slices: this.slices,
    });
    this.deps.metrics.connections.inc();
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    ws.on('message', (data) => {
      // A frame proves the peer is alive: a throttled client's pong may wait behind paused reads (E5).
      this.alive.add(ws);
      session.receive(toBytes(data));
    });
    ws.on('error', (err: Error & { code?: string }) => {
      // E3: a frame past the limit is a refusal like any other: logged and counted once.
      if (err.code === FRAME_TOO_BIG) {
        this.deps.metrics.rejected.inc({ reason: 'message_too_big' });
        log().warn({ code: CloseCode.MessageTooBig, limit: this.deps.maxMessageBytes }, 'frame too big; closing');
      } else log().debug({ err }, 'socket error');
    });
    let closed = false;
    ws.on('close', () => {
      closed = true;
      this.deps.metrics.connections.dec();
      const room = session.detach();
      if (room) this.deps.rooms.release(room);
    });

    this.deps.rooms.acquire(pad).then(
      (room) => {
        if (closed) {
          this.deps.rooms.release(room);
          return;
        }
        if (room.isEmpty() && !this.newPads.tryHit(ip, pad)) {
          this.deps.rooms.release(room);
          this.deps.metrics.rejected.inc({ reason: 'new_pads_per_ip' });
          log().warn('too many new pads from one address');
          conn.close(
            CloseCode.RateLimited,
            `more than ${this.deps.limits.maxNewPadsPerIpPerMin} new pads per minute from your address`,
          );
          return;
        }
        session.attach(room);
        // Access changed while this socket was being admitted: its room's re-check missed it.
        const live = this.deps.live;
        if (live && live.epoch !== epoch)
          live.apply(pad, 'recheck').catch((err: unknown) => log().error({ err }, 'access re-check failed'));
      },
      (err) => {
        if (err instanceof OverloadedError) {
          this.deps.metrics.rejected.inc({ reason: 'node_overloaded' });
          return conn.close(CloseCode.NodeOverloaded, err.message);
        }
        this.deps.metrics.rejected.inc({ reason: 'storage_unavailable' });
        log().error({ err }, 'failed to load pad');
        conn.close(CloseCode.StorageUnavailable, 'could not load pad; try again');
      },
    );
  }

  private ping(): void {
    for (const ws of this.wss.clients) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }

  /** Closes every socket with `code` (e.g. going away on drain). */
  closeAll(code: number, reason: string): void {
    for (const ws of this.wss.clients) ws.close(code, reason);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
