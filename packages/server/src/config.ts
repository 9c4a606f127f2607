import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';

const KiB = 1024;
const MiB = 1024 * KiB;
const MAX_PORT = 65_535;
/**
 * Bounds on values an operator sets: a byte limit below 1 KiB would refuse ordinary messages
 * and requests (likely a unit mistake), and timers below these floors would turn a typo into
 * a busy loop on every node.
 */
const MIN_BYTE_LIMIT = KiB;
const MIN_VERSION_IDLE_MS = 100;
const MIN_VERSION_INTERVAL_MS = 1_000;
const MIN_ANTI_ENTROPY_MS = 50;
/** So a mistyped drain delay cannot keep a terminating node up for long. */
const MAX_DRAIN_DELAY_MS = 60_000;
const MAX_STORAGE_POOL_SIZE = 1000;

const intFrom = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);

const EnvSchema = z.object({
  PORT: intFrom(8080, 0, MAX_PORT),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  STORAGE_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/|mongodb(\+srv)?:\/\/)/, 'must start with sqlite:, postgres:// or mongodb://')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, ".", "_" and "-" only')
    .optional(),
  WEB_ROOT: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long a pad with no clients stays in memory, so a reload does not reread storage. */
  PAD_IDLE_MS: intFrom(30_000),
  /** Estimated memory for loaded pads; unused pads beyond it are evicted LRU-first. */
  PAD_MEMORY_BUDGET_MB: intFrom(512, 1),
  /** History: a version after this long without edits, and at least this often while editing. */
  VERSION_IDLE_MS: intFrom(30_000, MIN_VERSION_IDLE_MS),
  VERSION_INTERVAL_MS: intFrom(5 * 60_000, MIN_VERSION_INTERVAL_MS),
  /** History retention: versions kept per pad (oldest unnamed dropped first). */
  HISTORY_MAX_VERSIONS: intFrom(200, 1),
  /** …and bytes of stored version states per pad: 200 full copies of a large pad would be gigabytes. */
  HISTORY_MAX_BYTES: intFrom(64 * MiB, MIN_BYTE_LIMIT),
  /** Compact a pad's log into a snapshot after this many updates. */
  COMPACT_EVERY: intFrom(2_000, 1),
  /** Start-up recovery (R4): compact pads with at least this many unsnapshotted log entries… */
  RECOVERY_MIN_ENTRIES: intFrom(100, 1),
  /** …at most this many per start (bounded work; 0 = off). */
  RECOVERY_MAX_PADS: intFrom(1000, 0),
  /** Largest WebSocket frame accepted. */
  MAX_MESSAGE_BYTES: intFrom(4 * MiB, MIN_BYTE_LIMIT),
  /** Largest encoded state a pad may grow to. */
  MAX_PAD_BYTES: intFrom(32 * MiB, MIN_BYTE_LIMIT),
  /** Upper bound on entries per storage transaction (group commit); 1 turns batching off. */
  MAX_BATCH: intFrom(512, 1),
  /**
   * A storage commit starts at most this often (ms): edits arriving meanwhile share it; 0 = as
   * soon as the last ended. 25, not 10: at the typing bench's load the SQLite thread took 6.2 %
   * of a core at 10 and 3.4 % at 25 (one fsync per commit), and "Saved" under a steady stream
   * arrives at most 15 ms later, below what a person notices (bench/README.md, step 15).
   */
  COMMIT_INTERVAL_MS: intFrom(25, 0),
  STORAGE_POOL_SIZE: intFrom(10, 1, MAX_STORAGE_POOL_SIZE),
  /** PostgreSQL schema for the tables (created if missing). */
  STORAGE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and "_"')
    .optional(),
  /** Cluster: how often each node announces its pads' state so peers repair lost messages. */
  ANTI_ENTROPY_MS: intFrom(2_000, MIN_ANTI_ENTROPY_MS),
  /** On SIGTERM: how long to stay up reporting not-ready before closing sockets, so the load balancer moves new connections first. */
  DRAIN_DELAY_MS: intFrom(0, 0, MAX_DRAIN_DELAY_MS),
  MAX_PAD_CHARS: intFrom(5_000_000, 1),
  /** Largest HTTP request body (a text PUT, a JSON request). */
  MAX_HTTP_BODY_BYTES: intFrom(8 * MiB, MIN_BYTE_LIMIT),
  /** Messages per second per connection (token bucket), and its burst. */
  RATE_MESSAGES_PER_SEC: intFrom(100, 1),
  RATE_BURST: intFrom(500, 1),
  /**
   * Messages per second, and the burst, of all of one address's connections together: with
   * 200 sockets, the per-connection bucket alone let one address put 100,000 keystrokes in
   * front of everyone else at once (bench hostile "message flood": a bystander's edit p99
   * 455 ms). 2,000 a second is MAX_CONNECTIONS_PER_IP (200) people behind one NAT each
   * sending 10 a second, a keystroke and a cursor move every 200 ms, all at once.
   */
  RATE_MESSAGES_PER_SEC_PER_IP: intFrom(2_000, 1),
  RATE_BURST_PER_IP: intFrom(1_000, 1),
  /** A client kept waiting (reading paused) by the token bucket this long without catching up is a flood: closed 4529. */
  RATE_MAX_THROTTLED_MS: intFrom(30_000, 100),
  MAX_CONNECTIONS_PER_IP: intFrom(200, 1),
  /**
   * Structs Yjs may walk for one address's updates (HI1): a burst, then a rate. A load test
   * whose clients all come from one address (they stand for many people) raises them.
   */
  SCAN_STEPS_PER_SEC: intFrom(10_000, 1),
  SCAN_STEPS_BURST: intFrom(25_000, 1),
  MAX_NEW_PADS_PER_IP_PER_MIN: intFrom(60, 1),
  /** A client whose unsent bytes pass this is disconnected (it stopped reading). */
  MAX_SEND_BUFFER_BYTES: intFrom(16 * MiB, MIN_BYTE_LIMIT),
  /**
   * Hostile input (SPEC HI1-HI3). Structs per update: a 5 M-character paste is one struct,
   * typing sends a few per message, an offline merge of a few thousand edits a few thousand;
   * a whole pad re-sent on sync is a few hundred thousand at most (MAX_MESSAGE_BYTES).
   */
  MAX_UPDATE_STRUCTS: intFrom(200_000, 1),
  /** Client ids per update: a live edit carries one, an offline sync one per page load that edited offline. */
  MAX_UPDATE_CLIENTS: intFrom(64, 1),
  /** Structs per pad: bounds its heap (~200-370 B each, scripts/measure-heap.mjs) and its load time. */
  MAX_PAD_STRUCTS: intFrom(1_000_000, 1),
  /** Client ids per pad: 400 authors with 20 editing sessions each is 8,000. */
  MAX_PAD_CLIENTS: intFrom(8_192, 1),
  /**
   * Bytes of updates a pad holds waiting for missing dependencies. Yjs merges each newly held
   * update into the pad's pending update and retries all of it, so every held update costs
   * O(this): at 8 MiB the hostile bench's pending flood held the loop ~345 ms per update. An
   * honest client's update pends only when sent ahead of its own earlier ones; past this it
   * gets 4524 and its reconnect's sync sends everything in order.
   */
  MAX_PAD_PENDING_BYTES: intFrom(MiB, MIN_BYTE_LIMIT),
  /** Node-wide bytes queued to clients that have not read them yet (HI5). */
  SEND_BUFFER_BUDGET_MB: intFrom(256, 1),
  /** Trust X-Forwarded-For from the load balancer for per-IP limits. */
  TRUST_PROXY: z.enum(['0', '1', 'false', 'true']).default('0'),
  /** Key for unlock tokens, the same on every node of a cluster (else generated into DATA_DIR/secret). */
  SERVER_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** Delete pads nobody has written to for this many days (0 = never). */
  PAD_EXPIRE_DAYS: intFrom(0, 0, 100_000),
  /** How often each node looks for expired pads. */
  EXPIRY_SWEEP_MS: intFrom(60 * 60_000, 1_000),
  /** Comma-separated origins allowed to open WebSockets besides the server's own host. */
  ALLOWED_ORIGINS: z.string().default(''),
});

export type Config = {
  port: number;
  host: string;
  storageUrl: string;
  redisUrl: string | undefined;
  nodeId: string;
  webRoot: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  padIdleMs: number;
  padMemoryBudgetBytes: number;
  versionIdleMs: number;
  versionIntervalMs: number;
  historyMaxVersions: number;
  historyMaxBytes: number;
  compactEvery: number;
  recovery: { minEntries: number; maxPads: number };
  maxMessageBytes: number;
  maxPadBytes: number;
  maxBatch: number;
  commitIntervalMs: number;
  storagePoolSize: number;
  storageSchema: string | undefined;
  antiEntropyMs: number;
  drainDelayMs: number;
  /** Where the generated server secret lives when SERVER_SECRET is unset. */
  secretFile: string;
  serverSecret: string | undefined;
  /** 0: pads never expire for being idle. */
  padExpireDays: number;
  expirySweepMs: number;
  limits: Limits;
};

export interface Limits {
  maxPadChars: number;
  maxHttpBodyBytes: number;
  messagesPerSec: number;
  messageBurst: number;
  /** The same for all of one address's connections together (L4). */
  messagesPerSecPerIp: number;
  messageBurstPerIp: number;
  maxThrottledMs: number;
  maxConnectionsPerIp: number;
  /** The per-address scan budget (HI1). */
  scanStepsPerSec: number;
  scanStepsBurst: number;
  maxNewPadsPerIpPerMin: number;
  maxSendBufferBytes: number;
  sendBufferBudgetBytes: number;
  shape: ShapeConfig;
  trustProxy: boolean;
  allowedOrigins: string[];
}

/** The update and pad shape limits a node enforces (HI1-HI3). */
export interface ShapeConfig {
  maxUpdateStructs: number;
  maxUpdateClients: number;
  maxPadStructs: number;
  maxPadClients: number;
  maxPendingBytes: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const defaultWebRoot = () => resolve(import.meta.dirname, '../../web/dist');

/**
 * The value variable `name` takes when it is unset. The bench raises the per-address limits for
 * its load (its clients stand for people at many addresses) and puts these back for its attacks.
 */
export function envDefault(name: string): string {
  const schema = (EnvSchema.shape as Record<string, z.ZodTypeAny>)[name];
  if (!schema) throw new Error(`no such setting: ${name}`);
  return String(schema.parse(undefined));
}

/** Validates the environment; throws ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = EnvSchema.safeParse(cleaned);
  if (!r.success) {
    const lines = r.error.issues.map(
      (i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(cleaned[String(i.path[0])])})`,
    );
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = r.data;
  const dataDir = isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    storageUrl: e.STORAGE_URL ?? `sqlite:${join(dataDir, 'padmesh.db')}`,
    redisUrl: e.REDIS_URL,
    nodeId: e.NODE_ID ?? `node-${process.pid}`,
    webRoot: e.WEB_ROOT ? resolve(e.WEB_ROOT) : defaultWebRoot(),
    logLevel: e.LOG_LEVEL,
    padIdleMs: e.PAD_IDLE_MS,
    padMemoryBudgetBytes: e.PAD_MEMORY_BUDGET_MB * MiB,
    versionIdleMs: e.VERSION_IDLE_MS,
    versionIntervalMs: e.VERSION_INTERVAL_MS,
    historyMaxVersions: e.HISTORY_MAX_VERSIONS,
    historyMaxBytes: e.HISTORY_MAX_BYTES,
    compactEvery: e.COMPACT_EVERY,
    recovery: { minEntries: e.RECOVERY_MIN_ENTRIES, maxPads: e.RECOVERY_MAX_PADS },
    maxMessageBytes: e.MAX_MESSAGE_BYTES,
    maxPadBytes: e.MAX_PAD_BYTES,
    maxBatch: e.MAX_BATCH,
    commitIntervalMs: e.COMMIT_INTERVAL_MS,
    storagePoolSize: e.STORAGE_POOL_SIZE,
    storageSchema: e.STORAGE_SCHEMA,
    antiEntropyMs: e.ANTI_ENTROPY_MS,
    drainDelayMs: e.DRAIN_DELAY_MS,
    secretFile: join(dataDir, 'secret'),
    serverSecret: e.SERVER_SECRET,
    padExpireDays: e.PAD_EXPIRE_DAYS,
    expirySweepMs: e.EXPIRY_SWEEP_MS,
    limits: {
      maxPadChars: e.MAX_PAD_CHARS,
      maxHttpBodyBytes: e.MAX_HTTP_BODY_BYTES,
      messagesPerSec: e.RATE_MESSAGES_PER_SEC,
      messageBurst: e.RATE_BURST,
      messagesPerSecPerIp: e.RATE_MESSAGES_PER_SEC_PER_IP,
      messageBurstPerIp: e.RATE_BURST_PER_IP,
      maxThrottledMs: e.RATE_MAX_THROTTLED_MS,
      maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
      scanStepsPerSec: e.SCAN_STEPS_PER_SEC,
      scanStepsBurst: e.SCAN_STEPS_BURST,
      maxNewPadsPerIpPerMin: e.MAX_NEW_PADS_PER_IP_PER_MIN,
      maxSendBufferBytes: e.MAX_SEND_BUFFER_BYTES,
      sendBufferBudgetBytes: e.SEND_BUFFER_BUDGET_MB * MiB,
      shape: {
        maxUpdateStructs: e.MAX_UPDATE_STRUCTS,
        maxUpdateClients: e.MAX_UPDATE_CLIENTS,
        maxPadStructs: e.MAX_PAD_STRUCTS,
        maxPadClients: e.MAX_PAD_CLIENTS,
        maxPendingBytes: e.MAX_PAD_PENDING_BYTES,
      },
      trustProxy: e.TRUST_PROXY === '1' || e.TRUST_PROXY === 'true',
      allowedOrigins: e.ALLOWED_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    },
  };
}
