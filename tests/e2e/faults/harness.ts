import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeMessage } from '@padmesh/protocol';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { spawnNode, type NodeProcess } from '@padmesh/server/testing';
import { prng, waitFor } from '@padmesh/server/testing';
import { ReconnectingClient, maskedFrame } from './reconnecting-client.js';

export interface FaultOptions {
  seed: number;
  /** How long faults are injected; settling and checks come after. */
  seconds: number;
  clients: number;
  pads: number;
  /** Server environment (DATA_DIR or STORAGE_URL, ...). */
  env: Record<string, string>;
  /** `padmesh verify` arguments for the same store, run at the end. */
  verify: string[];
  /** Restarts the database (an extra fault), if the store has a server. */
  restartDatabase?: () => Promise<void>;
  /** Mean seconds between kills of the node. */
  killEvery?: number;
  log?: (line: string) => void;
}

export interface FaultStats {
  seed: number;
  kills: number;
  restarts: number;
  databaseRestarts: number;
  droppedWhole: number;
  droppedPartial: number;
  truncatedFrames: number;
  reconnects: number;
  durabilityChecks: number;
  attempted: number;
  /** Edits typed but not yet acknowledged when the node was killed (clients had to re-send them). */
  unackedAtKills: number;
  /** Edits typed while the client had no open socket. */
  offlineEdits: number;
  /** Node starts refused because the database was restarting (retried, as a supervisor would). */
  startsRefused: number;
  ackedBeforeEnd: number;
  present: number;
}

const CLI = resolve(import.meta.dirname, '../../../packages/server/src/cli.ts');
/** Every edit any client typed must be acknowledged within this after faults stop. */
const SETTLE_TIMEOUT_MS = 60_000;
const TYPE_EVERY_MS = 15;
/** A read after a restart may wait this long for the database to come back. */
const READ_TIMEOUT_MS = 60_000;
/** What a node says when it can't start because PostgreSQL is down or going down or coming up. */
const DATABASE_DOWN =
  /refused the connection|the database system is (shutting down|starting up)|Connection terminated|read ECONNRESET/;
/** How long a node start is retried while its database restarts. */
const START_RETRY_MS = 120_000;
/** The bad client's marker: text that must never reach a pad (P3: malformed input never stored). */
const BAD = 'BAD!';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * N clients type on M pads against one node while, at seeded random moments, the node is
 * killed with SIGKILL and restarted, client sockets die after a whole or half-sent frame,
 * and a separate bad client sends truncated frames. Checks (D1, D2, P3, R1):
 * - after every restart, before any client reconnects: every edit acknowledged so far is
 *   served by the new node;
 * - at the end: every client's text equals the node's, every edit typed (acknowledged or
 *   not: clients keep their docs) is present, nothing of the bad client's is, and
 *   `padmesh verify` finds no corrupt entry.
 */
export async function runFaults(o: FaultOptions): Promise<FaultStats> {
  const log = o.log ?? (() => {});
  const stats: FaultStats = {
    seed: o.seed,
    kills: 0,
    restarts: 0,
    databaseRestarts: 0,
    droppedWhole: 0,
    droppedPartial: 0,
    truncatedFrames: 0,
    reconnects: 0,
    durabilityChecks: 0,
    unackedAtKills: 0,
    offlineEdits: 0,
    startsRefused: 0,
    attempted: 0,
    ackedBeforeEnd: 0,
    present: 0,
  };
  // One stream per activity, so a seed replays the same decisions per activity.
  const rand = {
    type: prng(o.seed),
    kill: prng(o.seed + 1),
    drop: prng(o.seed + 2),
    bad: prng(o.seed + 3),
    db: prng(o.seed + 4),
  };
  // An empty web root: nodes never scan the shared web build, which another build may be
  // rewriting at that moment (a start-up failure unrelated to what this harness tests).
  const webRoot = mkdtempSync(join(tmpdir(), 'padmesh-faults-web-'));
  const env = {
    WEB_ROOT: webRoot,
    COMPACT_EVERY: '40',
    RECOVERY_MIN_ENTRIES: '10',
    PAD_IDLE_MS: '2000',
    MAX_NEW_PADS_PER_IP_PER_MIN: '100000',
    RATE_MESSAGES_PER_SEC: '10000',
    RATE_BURST: '10000',
    RATE_MESSAGES_PER_SEC_PER_IP: '1000000',
    RATE_BURST_PER_IP: '1000000',
    ...o.env,
  };
  const pads = Array.from({ length: o.pads }, (_, j) => `f${o.seed.toString(36)}-${j}`);
  let node: NodeProcess | null = null;
  let published: string | null = null;
  let crashed: string | null = null;

  /**
   * A node refuses to start while its database is down (SU1: it exits with a message). When the
   * kill lands during a database restart, do what a supervisor does (systemd Restart=on-failure):
   * start it again, for as long as a database restart can take.
   */
  const spawnSupervised = async (): Promise<NodeProcess> => {
    const deadline = Date.now() + START_RETRY_MS;
    for (;;) {
      try {
        return await spawnNode(env, 60_000);
      } catch (err) {
        const refused = DATABASE_DOWN.test(String(err));
        if (!refused || !o.restartDatabase || Date.now() > deadline) throw err;
        stats.startsRefused++;
        await sleep(500);
      }
    }
  };
  const start = async () => {
    const n = await spawnSupervised();
    n.child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') crashed = `node exited on its own (${code ?? signal}):\n${n.output().slice(-4000)}`;
    });
    node = n;
    return n;
  };
  const current = await start();
  published = current.wsUrl;

  const until = Date.now() + o.seconds * 1000;
  const running = () => Date.now() < until && !crashed;
  const clients = Array.from(
    { length: o.clients },
    (_, i) => new ReconnectingClient(() => published, pads[i % o.pads]!, prng(o.seed * 31 + i)),
  );
  const acked = () => clients.reduce((k, c) => k + c.edits.filter((e) => c.isAcked(e)).length, 0);
  const typed = () => clients.reduce((k, c) => k + c.edits.length, 0);
  let n = 0;
  const typing = setInterval(() => {
    if (!running()) {
      clearInterval(typing);
      stats.ackedBeforeEnd ||= acked();
      return;
    }
    const c = clients[Math.floor(rand.type() * clients.length)]!;
    c.type(`c${clients.indexOf(c)}.${n++}|`);
  }, TYPE_EVERY_MS);

  const ackedByPad = () => {
    const m = new Map<string, string[]>(pads.map((p) => [p, []]));
    for (const c of clients) for (const e of c.edits) if (c.isAcked(e)) m.get(c.pad)!.push(e.token);
    return m;
  };
  /** The node's text; retried while it answers 5xx (its database may be restarting too). */
  const textOf = (pad: string) =>
    waitFor(
      async () => {
        const res = await fetch(`${node!.url}/${pad}.txt`);
        if (res.status >= 500) throw new Error(`GET /${pad}.txt: ${res.status} ${await res.text()}`);
        assert.equal(res.status, 200, `GET /${pad}.txt`);
        return { text: await res.text() };
      },
      `GET /${pad}.txt`,
      READ_TIMEOUT_MS,
      200,
    ).then((r) => r.text);
  /** D1: with clients held back, the restarted node alone must serve every acknowledged edit. */
  const checkDurable = async (when: string) => {
    for (const [pad, tokens] of ackedByPad()) {
      const text = await textOf(pad);
      const missing = tokens.filter((t) => !text.includes(t));
      assert.deepEqual(missing, [], `${when}: acknowledged edits missing from ${pad} (seed ${o.seed})`);
    }
    stats.durabilityChecks++;
  };
  const restart = async (label: string) => {
    published = null;
    await node!.kill('SIGKILL');
    stats.unackedAtKills += typed() - acked();
    stats.kills++;
    await sleep(rand.kill() * 400);
    await start();
    stats.restarts++;
    await checkDurable(label);
    published = node!.wsUrl;
  };

  const killer = (async () => {
    const every = (o.killEvery ?? 4) * 1000;
    for (;;) {
      await sleep(every * (0.3 + 1.4 * rand.kill()));
      if (!running()) return;
      await restart(`restart ${stats.restarts + 1}`);
      log(`# kill -9 #${stats.kills}, restarted, ${stats.durabilityChecks} durability checks passed`);
    }
  })();
  const dropper = (async () => {
    while (running()) {
      await sleep(200 + rand.drop() * 800);
      const c = clients[Math.floor(rand.drop() * clients.length)]!;
      const kind = rand.drop() < 0.5 ? 'whole' : 'partial';
      if (c.drop(kind, `d${clients.indexOf(c)}.${n++}|`)) {
        if (kind === 'whole') stats.droppedWhole++;
        else stats.droppedPartial++;
      }
    }
  })();
  const bad = (async () => {
    while (running()) {
      await sleep(300 + rand.bad() * 700);
      if (published && (await truncatedFrame(published, pads[Math.floor(rand.bad() * pads.length)]!, rand.bad)))
        stats.truncatedFrames++;
    }
  })();
  const database = (async () => {
    if (!o.restartDatabase) return;
    while (running()) {
      await sleep(Math.min(o.seconds * 1000 * (0.3 + 0.4 * rand.db()), 60_000));
      if (!running()) return;
      log('# restarting the database');
      await o.restartDatabase();
      stats.databaseRestarts++;
    }
  })();

  try {
    await Promise.all([killer, dropper, bad, database]);
    clearInterval(typing);
    if (crashed) assert.fail(crashed);
    if (!published) published = node!.wsUrl;

    // Settle: every client back, every edit it ever typed acknowledged (offline ones included).
    await waitFor(
      () => clients.every((c) => c.live && c.edits.every((e) => c.isAcked(e))),
      `every edit acknowledged (seed ${o.seed})`,
      SETTLE_TIMEOUT_MS,
      50,
    );
    // One last kill -9: what clients delivered must come back from storage alone.
    for (const c of clients) c.stop();
    await restart('final restart');
    const texts = new Map<string, string>();
    for (const p of pads) texts.set(p, await textOf(p));
    for (const c of clients) {
      stats.attempted += c.edits.length;
      stats.reconnects += c.reconnects;
      stats.offlineEdits += c.offlineEdits;
      const text = texts.get(c.pad)!;
      const missing = c.edits.filter((e) => !text.includes(e.token)).map((e) => e.token);
      stats.present += c.edits.length - missing.length;
      assert.deepEqual(missing, [], `typed edits missing from ${c.pad} (seed ${o.seed})`);
      assert.equal(c.text, text, `client text differs from the node's for ${c.pad} (seed ${o.seed})`);
    }
    for (const [p, t] of texts) assert.ok(!t.includes(BAD), `bad client's text reached ${p} (seed ${o.seed})`);
    await node!.kill('SIGKILL');
    const verified = await cli(['verify', ...o.verify], env);
    assert.equal(verified.code, 0, `padmesh verify after the run:\n${verified.stdout}${verified.stderr}`);
    log(`# verify: ${verified.stdout.trim()}`);
    return stats;
  } finally {
    clearInterval(typing);
    for (const c of clients) c.stop();
    published = null;
    await (node as NodeProcess | null)?.kill('SIGKILL');
    rmSync(webRoot, { recursive: true, force: true });
  }
}

/** A client that sends one update message cut short, as a whole frame or as half a frame on a dying TCP socket. */
async function truncatedFrame(wsUrl: string, pad: string, rand: () => number): Promise<boolean> {
  const doc = new Y.Doc();
  let update: Uint8Array | null = null;
  doc.on('update', (u: Uint8Array) => (update = u));
  doc.getText('content').insert(0, `${BAD}${'x'.repeat(Math.floor(rand() * 200))}`);
  const msg = encodeMessage({ type: 'update', update: update! });
  const cut = msg.subarray(0, 1 + Math.floor(rand() * (msg.length - 1)));
  const ws = new WebSocket(`${wsUrl}/${pad}`);
  ws.on('error', () => {});
  const opened = await new Promise<boolean>((r) => {
    ws.once('open', () => r(true));
    ws.once('close', () => r(false));
    setTimeout(() => r(false), 2_000);
  });
  if (!opened) {
    ws.terminate();
    return false;
  }
  if (rand() < 0.5) {
    ws.send(cut);
    // The server closes the connection (4400 malformed); do not wait long if it is dying.
    await new Promise((r) => {
      ws.once('close', r);
      setTimeout(r, 2_000);
    });
  } else {
    const raw = (ws as unknown as { _socket?: { write(b: Buffer): void } })._socket;
    raw?.write(maskedFrame(msg).subarray(0, 2 + Math.floor(rand() * msg.length)));
  }
  ws.terminate();
  return true;
}

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', CLI, ...args],
      { env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export function formatStats(s: FaultStats): string {
  return [
    `seed ${s.seed} (replay with TEST_SEED=${s.seed})`,
    `kills ${s.kills}, restarts ${s.restarts}, database restarts ${s.databaseRestarts} (node starts refused meanwhile ${s.startsRefused})`,
    `dropped connections ${s.droppedWhole + s.droppedPartial} (${s.droppedWhole} after a whole frame, ${s.droppedPartial} mid-frame), client reconnects ${s.reconnects}`,
    `truncated frames ${s.truncatedFrames}, durability checks after restarts ${s.durabilityChecks}`,
    `edits unacknowledged at a kill (re-sent by their clients) ${s.unackedAtKills}, typed offline ${s.offlineEdits}, acknowledged when faults stopped ${s.ackedBeforeEnd}`,
    `edits attempted ${s.attempted}, present ${s.present}`,
  ].join('\n');
}
