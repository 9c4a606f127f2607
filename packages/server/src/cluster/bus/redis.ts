import { Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import { decodeBusMessage, encodeBusMessage } from './codec.js';
import type { Bus, BusMessage } from './types.js';

/** A node refuses to start if Redis does not answer within this time (the operator sees why). */
const REDIS_CONNECT_TIMEOUT_MS = 5_000;

const channel = (prefix: string, pad: string) => `${prefix}:pad:${pad}`;

/**
 * Redis pub/sub, one channel per pad: ordered per channel, no persistence, so a message
 * published while a node is disconnected is simply missed; the periodic state exchange
 * (anti-entropy in the room) repairs it. Two connections: a subscriber, and a publisher.
 */
export class RedisBus implements Bus {
  private sub: Redis;
  private pub: Redis;
  private handlers = new Map<string, (m: BusMessage) => void>();
  private readonly reconnectFns = new Set<() => void>();
  private up = false;

  private constructor(
    url: string,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    const opts = {
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      retryStrategy: (n: number) => Math.min(50 * 2 ** n, 2_000),
    };
    this.sub = new Redis(url, { ...opts, autoResubscribe: true });
    this.pub = new Redis(url, { ...opts, enableOfflineQueue: false });
    for (const c of [this.sub, this.pub])
      c.on('error', (err: Error) => this.log.debug({ err: err.message }, 'redis error'));
    this.sub.on('ready', () => {
      const wasDown = !this.up;
      this.up = true;
      if (wasDown) {
        this.log.info('bus connected');
        for (const fn of this.reconnectFns) fn();
      }
    });
    this.sub.on('close', () => {
      if (this.up) this.log.warn('bus disconnected; edits continue locally and resync on reconnect');
      this.up = false;
    });
    this.sub.on('messageBuffer', (ch: Buffer, payload: Buffer) => {
      const pad = ch.toString().slice(this.prefix.length + 5);
      const handler = this.handlers.get(pad);
      if (!handler) return;
      try {
        handler(decodeBusMessage(new Uint8Array(payload)));
      } catch (err) {
        this.log.warn({ err, pad }, 'dropping malformed bus message');
      }
    });
  }

  static async open(url: string, log: Logger, prefix = 'padmesh'): Promise<RedisBus> {
    const bus = new RedisBus(url, prefix, log);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () =>
          reject(
            new Error(
              `Redis at ${url.replace(/\/\/[^@]*@/, '//***@')} not reachable within ${REDIS_CONNECT_TIMEOUT_MS / 1000} s`,
            ),
          ),
        REDIS_CONNECT_TIMEOUT_MS,
      );
      bus.sub.once('ready', () => (clearTimeout(t), resolve()));
    }).catch(async (err) => {
      await bus.close();
      throw err;
    });
    return bus;
  }

  get healthy(): boolean {
    return this.up && this.pub.status === 'ready';
  }

  async subscribe(pad: string, onMessage: (m: BusMessage) => void): Promise<void> {
    this.handlers.set(pad, onMessage);
    if (this.up) await this.sub.subscribe(channel(this.prefix, pad));
    else void this.sub.subscribe(channel(this.prefix, pad)).catch(() => {});
  }

  async unsubscribe(pad: string): Promise<void> {
    this.handlers.delete(pad);
    if (this.up) await this.sub.unsubscribe(channel(this.prefix, pad)).catch(() => {});
  }

  publish(pad: string, m: BusMessage): void {
    if (this.pub.status !== 'ready') return; // anti-entropy delivers it after reconnect
    this.pub.publish(channel(this.prefix, pad), Buffer.from(encodeBusMessage(m))).catch(() => {});
  }

  onReconnect(fn: () => void): () => void {
    this.reconnectFns.add(fn);
    return () => void this.reconnectFns.delete(fn);
  }

  async close(): Promise<void> {
    this.sub.disconnect();
    this.pub.disconnect();
  }
}
