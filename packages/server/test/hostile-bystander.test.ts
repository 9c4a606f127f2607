import { CloseCode, decodeMessage, encodeMessage } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import { envDefault } from '../src/config.js';
import { openStorage } from '../src/storage/open.js';
import { spawnNode, type NodeProcess } from '../testing/process.js';
import { RawClient } from '../testing/raw-client.js';
import { waitFor } from '../testing/wait.js';
import { awarenessFrame, concurrentInserts, updateFrame } from '../testing/hostile-frames.js';
import { baseText, mapKeys, scatteredInserts } from '../testing/big-updates.js';

/**
 * The attacks of `room/hostile-updates.test.ts` and `room/presence-guard.test.ts` (design §5),
 * replayed over real sockets against one real node process, while a bystander on another pad
 * types and a poller hits `/healthz`: each attack is refused with its code and the bystander
 * does not notice (edit -> `saved` p99, `/healthz` max, the node's RSS growth).
 */

/**
 * The bound is 100 ms (bystander edit p99, /healthz). On a quiet machine run with
 * PADMESH_STRICT_TIMING=1 to hold the node to it. By default (CI, a 2-core machine shared
 * with other suites) the bound is 500 ms: well above scheduling noise (up to ~110 ms seen at
 * load 7) and well below every stall the attacks caused before they were bounded (1-60 s),
 * so it still fails on a real stall. Latency targets proper live in the benchmarks.
 */
const STRICT = process.env.PADMESH_STRICT_TIMING === '1';
/** The bystander's edit p99 and /healthz's max. */
const BYSTANDER_P99_MS = STRICT ? 100 : 500;
/**
 * HS3's and HS4's (edit p99 and /healthz max), by default: their node grows by 320-600 MB of
 * Yjs items while the bystander types, and V8 marks that heap in steps taken in whatever turn
 * allocates, which slicing cannot bound (SPEC HS3). Here HS3 gives 100-230 ms and HS4 80-125 with outliers of 258 (and 472 in
 * one clean-clone CI run); the CI machine runs about twice as slow (HS3 723 ms in stop 30's run,
 * with HS4's pad still loaded). Unsliced, HS3's updates held the loop ~1.5 s each and HS4's
 * load 2.3 s, so this still fails on that.
 */
const HEAP_GROWTH_P99_MS = STRICT ? 100 : 1_000;
/** RSS the node may gain over one attack (the refused frame, its decode, GC slack). */
const RSS_GROWTH_MAX_MIB = 64;
const EDIT_EVERY_MS = 20;
const HEALTHZ_EVERY_MS = 50;
/** A small pending budget on this node so HI3 is reached in a few frames (64 KiB). */
const PENDING_BYTES = 64 * 1024;
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
const MAX_UPDATE_STRUCTS = 200_000;
/** The bystander is somebody else: another address than the attackers' (127.0.0.1), so per-address limits are not shared. */
const BYSTANDER_ADDRESS = '127.0.0.2';
/** The node's default per-address message budget, which the L4 flood is bounded by. */
const ADDRESS_RATE = Number(envDefault('RATE_MESSAGES_PER_SEC_PER_IP'));
const ADDRESS_BURST = Number(envDefault('RATE_BURST_PER_IP'));

/** Two max-cap map updates and a max-cap scattered one merged: what compaction stores for a pad filled to the caps. */
function heavySnapshot(): Uint8Array {
  const base = baseText(10_000);
  const doc = new Y.Doc();
  for (const u of [
    Y.encodeStateAsUpdate(base),
    mapKeys(199_999, 11),
    scatteredInserts(base, 199_000, 64, 4),
    mapKeys(199_999, 12),
  ])
    Y.applyUpdate(doc, u);
  return Y.encodeStateAsUpdate(doc);
}

/**
 * Joins a pad with an empty doc and resolves to the byte size of the node's answer (every frame
 * up to and including sync step 2), undecoded: applying it here would hold the test's own loop
 * and show up as the bystander's latency.
 */
function firstSyncAnswer(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let bytes = 0;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no sync answer from ${url} in ${timeoutMs} ms`));
    }, timeoutMs);
    ws.on('open', () => ws.send(encodeMessage({ type: 'sync-step1', stateVector: Y.encodeStateVector(new Y.Doc()) })));
    ws.on('message', (data: Buffer) => {
      // messageSync (0): syncStep2 (1) ends the answer, updates (2) come before it.
      if (data[0] !== 0) return;
      bytes += data.length;
      if (data[1] !== 1) return;
      clearTimeout(timer);
      ws.close();
      resolve(bytes);
    });
    ws.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  assert.ok(kb, `VmRSS of ${pid}`);
  return Number(kb) / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

interface Figures {
  edits: number;
  p50: number;
  p99: number;
  max: number;
  healthz: number;
  healthzMax: number;
  rssGrowthMiB: number;
  /** The test process's own event-loop delay: large values would make the figures the test's, not the node's. */
  testLoopMaxMs: number;
}

describe('Hostile clients over real sockets, a bystander on another pad (design §5)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-hostile-rs-'));
  let node: NodeProcess;
  let bystander: RawClient;
  const clients: RawClient[] = [];

  /** A node on `dir` (flags as in production, limits as below) and a bystander who has saved once. */
  async function start(): Promise<void> {
    node = await spawnNode(
      {
        DATA_DIR: dir,
        PAD_IDLE_MS: '600000',
        MAX_PAD_PENDING_BYTES: String(PENDING_BYTES),
        MAX_NEW_PADS_PER_IP_PER_MIN: '10000',
        MAX_CONNECTIONS_PER_IP: '10000',
      },
      30_000,
    );
    bystander = connect('bystander', BYSTANDER_ADDRESS);
    await bystander.ready(10_000);
    bystander.insert(0, 'bystander: ');
    await bystander.saved(10_000);
  }

  before(async () => {
    // A pad stored before the node starts (~610,000 structs in one compacted snapshot), for HS4.
    const storage = await openStorage(`sqlite:${join(dir, 'padmesh.db')}`);
    await storage.compact('heavy', heavySnapshot(), 0);
    await storage.close();
    await start();
  });

  after(async () => {
    for (const c of clients) c.close();
    await node?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  function connect(pad: string, from?: string): RawClient {
    const c = new RawClient(node.wsUrl, pad, { from });
    clients.push(c);
    return c;
  }

  /** A client on `pad` holding `text`, saved. */
  async function honest(pad: string, text: string): Promise<RawClient> {
    const c = await connect(pad).ready(10_000);
    c.insert(0, text);
    await c.saved(10_000);
    return c;
  }

  /**
   * Runs `attack` while the bystander types (one edit every 20 ms, each timed to its `saved`)
   * and `/healthz` is polled every 50 ms; asserts the bounds and returns the figures.
   */
  async function whileBystanderTypes(
    name: string,
    attack: () => Promise<void>,
    rssGrowthMaxMiB = RSS_GROWTH_MAX_MIB,
    /** For the bystander's edit p99 and /healthz's max. */
    boundMs = BYSTANDER_P99_MS,
  ): Promise<Figures> {
    const pid = node.child.pid!;
    const rssBefore = rssMiB(pid);
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const latencies: number[] = [];
    const inFlight = new Map<number, number>();
    const onMessage = () => {
      const now = performance.now();
      for (const [seq, sentAt] of inFlight) {
        if (seq > bystander.acked) continue;
        latencies.push(now - sentAt);
        inFlight.delete(seq);
      }
    };
    // Registered after RawClient's own listener, so `acked` is already updated when it runs.
    bystander.ws.on('message', onMessage);
    let running = true;
    const typer = (async () => {
      while (running) {
        const sentAt = performance.now();
        inFlight.set(bystander.insert(bystander.text.length, '.'), sentAt);
        await sleep(EDIT_EVERY_MS);
      }
    })();
    const health: number[] = [];
    const poller = (async () => {
      while (running) {
        const started = performance.now();
        const res = await fetch(`${node.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
        await res.text();
        health.push(performance.now() - started);
        assert.equal(res.status, 200, '/healthz status');
        await sleep(HEALTHZ_EVERY_MS);
      }
    })();
    try {
      await sleep(200); // some edits before the attack
      await attack();
      await sleep(300); // and some after the refusal
    } finally {
      running = false;
      await Promise.all([typer, poller]);
    }
    await waitFor(() => inFlight.size === 0, `bystander acks (${inFlight.size} outstanding)`, 5_000);
    bystander.ws.off('message', onMessage);
    loop.disable();
    const rssGrowthMiB = rssMiB(pid) - rssBefore;
    const sorted = [...latencies].sort((a, b) => a - b);
    const figures: Figures = {
      edits: sorted.length,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1)!,
      healthz: health.length,
      healthzMax: Math.max(...health),
      rssGrowthMiB,
      testLoopMaxMs: loop.max / 1e6,
    };
    const f = (n: number) => n.toFixed(1);
    process.stdout.write(
      `# ${name}: bystander edits ${figures.edits}, p50 ${f(figures.p50)} ms, p99 ${f(figures.p99)} ms, ` +
        `max ${f(figures.max)} ms; /healthz ${figures.healthz} polls, max ${f(figures.healthzMax)} ms; ` +
        `node RSS ${f(rssBefore)} -> ${f(rssBefore + rssGrowthMiB)} MiB (${rssGrowthMiB >= 0 ? '+' : ''}${f(rssGrowthMiB)}); ` +
        `test process loop delay max ${f(figures.testLoopMaxMs)} ms\n`,
    );
    assert.equal(bystander.closeCode, null, 'bystander still connected');
    assert.ok(figures.edits >= 10, `bystander made ${figures.edits} timed edits`);
    assert.ok(figures.healthz >= 5, `${figures.healthz} /healthz polls`);
    assert.ok(figures.p99 < boundMs, `bystander p99 ${f(figures.p99)} ms`);
    assert.ok(figures.healthzMax < boundMs, `/healthz max ${f(figures.healthzMax)} ms`);
    assert.ok(figures.rssGrowthMiB < rssGrowthMaxMiB, `node RSS grew ${f(rssGrowthMiB)} MiB`);
    assert.equal(node.child.exitCode, null, 'node still running');
    return figures;
  }

  async function refusedWith(c: RawClient, code: number, reason: RegExp): Promise<void> {
    const closed = await c.closed(10_000);
    assert.equal(closed.code, code, `closed with ${closed.code} ${closed.reason}`);
    assert.match(closed.reason, reason);
  }

  it('HI1 20,000 one-character inserts at the start, each from its own client id, in one frame sent twice: 4415 (real socket, bystander unaffected)', async () => {
    const owner = await honest('cpu', 'honest text');
    const attack = updateFrame(concurrentInserts(Y.encodeStateAsUpdate(owner.doc), 20_000));
    const evil = await connect('cpu').ready(10_000);
    await whileBystanderTypes('HI1 20,000 client ids', async () => {
      evil.sendRaw(attack);
      evil.sendRaw(attack);
      await refusedWith(evil, CloseCode.UpdateTooComplex, /client ids/);
    });
    const reader = await connect('cpu').ready(10_000);
    assert.equal(reader.text, 'honest text', 'nothing of the attack applied');
    assert.equal(owner.closeCode, null);
  });

  it(
    'HI1 map entries past the struct cap in one frame under MAX_MESSAGE_BYTES: 4415 (real socket, bystander unaffected)',
    // Found by this test: the refusal (4415) was right, but readUpdateShape walked all 200,001
    // structs before the count passed the cap (the loop held 1.0-1.5 s). It now refuses from the
    // block header, before reading them.
    async () => {
      const src = new Y.Doc();
      const m = src.getMap('m');
      src.transact(() => {
        for (let i = 0; i <= MAX_UPDATE_STRUCTS; i++) m.set(i.toString(36), 0);
      });
      const attack = updateFrame(Y.encodeStateAsUpdate(src));
      assert.ok(attack.length < MAX_MESSAGE_BYTES, `frame ${attack.length} B under the message limit`);
      const evil = await connect('structs').ready(10_000);
      await whileBystanderTypes('HI1 struct cap', async () => {
        evil.sendRaw(attack);
        await refusedWith(evil, CloseCode.UpdateTooComplex, /structs/);
      });
      const reader = await connect('structs').ready(10_000);
      assert.equal(reader.doc.getMap('m').size, 0, 'nothing of the attack applied');
    },
  );

  it('HI3 a chain of updates whose dependency never comes, until the pad pending limit: 4524 (real socket, bystander unaffected)', async () => {
    const src = new Y.Doc();
    const t = src.getText('content');
    t.insert(0, 'the missing first edit');
    let sv = Y.encodeStateVector(src);
    const chain: Uint8Array[] = [];
    for (let i = 0; i < 10; i++) {
      t.insert(t.length, 'y'.repeat(20_000));
      chain.push(updateFrame(Y.encodeStateAsUpdate(src, sv)));
      sv = Y.encodeStateVector(src);
    }
    const evil = await connect('pending').ready(10_000);
    await whileBystanderTypes('HI3 pending chain', async () => {
      for (const frame of chain) if (evil.closeCode === null) evil.sendRaw(frame);
      await refusedWith(evil, CloseCode.MissingDependencies, /./);
    });
    const reader = await connect('pending').ready(10_000);
    assert.equal(reader.text, '', 'nothing integrated without the dependency');
  });

  it('HI5 a burst of sync step 1 frames with a non-empty state vector on a pad with content: 4529 (real socket, bystander unaffected)', async () => {
    await honest('sync', 'some text '.repeat(10_000));
    const elsewhere = new Y.Doc();
    elsewhere.getText('other').insert(0, 'x');
    const step1 = encodeMessage({ type: 'sync-step1', stateVector: Y.encodeStateVector(elsewhere) });
    const evil = await connect('sync').ready(10_000);
    await whileBystanderTypes('HI5 sync step 1 burst', async () => {
      for (let i = 0; i < 20; i++) evil.sendRaw(step1);
      await refusedWith(evil, CloseCode.RateLimited, /sync/);
    });
  });

  it('PR1 a 64 KiB presence state: 4422 (real socket, bystander unaffected)', async () => {
    const watcher = await connect('presence').ready(10_000);
    const evil = await connect('presence').ready(10_000);
    const state = { user: { name: 'Big', color: '#1f6feb' }, pad: 'x'.repeat(64 * 1024) };
    const attack = awarenessFrame([{ id: evil.doc.clientID, clock: 1, state }]);
    await whileBystanderTypes('PR1 64 KiB presence state', async () => {
      evil.sendRaw(attack);
      await refusedWith(evil, CloseCode.PresenceRejected, /./);
    });
    assert.equal(watcher.awareness.getStates().has(evil.doc.clientID), false, 'never relayed');
  });

  it('PR2 a flood of 1,000 presence entries in one frame: 4422 (real socket, bystander unaffected)', async () => {
    const watcher = await connect('presence2').ready(10_000);
    const evil = await connect('presence2').ready(10_000);
    const entries = Array.from({ length: 1_000 }, (_, i) => ({
      id: 3_000_000 + i,
      clock: 1,
      state: { user: { name: `p${i}`, color: '#1f6feb' } },
    }));
    const attack = awarenessFrame(entries);
    await whileBystanderTypes('PR2 1,000 presence entries', async () => {
      evil.sendRaw(attack);
      await refusedWith(evil, CloseCode.PresenceRejected, /./);
    });
    await sleep(200);
    const relayed = [...watcher.awareness.getStates().keys()].filter((id) => id >= 3_000_000 && id < 3_001_000);
    assert.deepEqual(relayed, [], 'none of the entries relayed');
  });
  it('L4 120 sockets of one address each send 50 keystrokes at once: the address gets its burst and then its rate, nobody is cut, the bystander types on (real socket)', async () => {
    const SOCKETS = 120;
    const EACH = 50;
    // Lean sockets, built before the clock: each types its own text on one of 8 pads, counts its
    // acknowledgements and decodes nothing else (applying 6,000 relayed edits would time the test).
    const frames = Array.from({ length: SOCKETS }, () => {
      const doc = new Y.Doc();
      const out: Uint8Array[] = [];
      doc.on('update', (u: Uint8Array) => out.push(updateFrame(u)));
      for (let i = 0; i < EACH; i++) doc.getText('content').insert(i, 'x');
      return out;
    });
    const acked = new Array<number>(SOCKETS).fill(0);
    const closes: number[] = [];
    const sockets = await Promise.all(
      frames.map(
        (_, i) =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(`${node.wsUrl}/flood-${i % 8}?padmesh=1`);
            ws.on('message', (data: Buffer) => {
              if (data[0] !== 0 && data[0] !== 1) {
                const m = decodeMessage(new Uint8Array(data));
                if (m.type === 'saved') acked[i] = m.seq;
              }
            });
            ws.on('close', (code) => closes.push(code));
            ws.on('open', () => resolve(ws));
            ws.on('error', reject);
          }),
      ),
    );
    let early = 0;
    await whileBystanderTypes('L4 message flood', async () => {
      const started = performance.now();
      // Ten sockets a turn: sent in one loop, the 6,000 frames held this thread 100-190 ms, and
      // the bystander's edits (typed and timed here) waited on the test, not the node.
      for (let i = 0; i < SOCKETS; i++) {
        for (const f of frames[i]!) sockets[i]!.send(f);
        if (i % 10 === 9) await new Promise((r) => setImmediate(r));
      }
      await sleep(300);
      early = acked.reduce((a, b) => a + b, 0);
      const seconds = (performance.now() - started) / 1000;
      // Without the address's budget every socket spent a burst of its own: all 6,000 at once.
      assert.ok(
        early <= ADDRESS_BURST + ADDRESS_RATE * seconds + 100,
        `${early} keystrokes stored ${seconds.toFixed(2)} s into the flood: no more than the address's burst and rate`,
      );
      await waitFor(
        () => acked.every((n) => n === EACH),
        `every keystroke stored (${acked.reduce((a, b) => a + b, 0)})`,
        20_000,
      );
    });
    assert.deepEqual(closes, [], 'slowed, not cut');
    for (const ws of sockets) ws.close();
  });

  it('HS4 the first connection to a stored pad of 610,000 structs loads it in turns: the bystander types on (real socket)', async () => {
    // Before, the stored snapshot was applied in one turn (2.3 s in process on this machine).
    // The joiner here only waits for the answer's bytes: decoding 6 MB in this process would
    // stall the test's own loop and blur the node's figures.
    let answerBytes = 0;
    await whileBystanderTypes(
      'HS4 load of a 610,000-struct pad',
      async () => {
        answerBytes = await firstSyncAnswer(`${node.wsUrl}/heavy`, 60_000);
      },
      768,
      HEAP_GROWTH_P99_MS,
    );
    assert.ok(answerBytes > 6_000_000, `sync answer of ${answerBytes} B`);
    const reader = await connect('heavy').ready(60_000);
    // Both map updates set the same 199,999 keys (the later client's values win).
    assert.equal(reader.doc.getMap('m').size, 199_999, 'every key loaded');
    assert.equal(reader.doc.store.clients.size, 1 + 64 + 2, 'every writer: the base, 64 typists, two maps');
    assert.equal(reader.text.length, 10_000 + 199_000, 'every insert loaded');
  });

  // Last, and on a node of its own: the pads it fills hold ~200k structs each, which would blur
  // the RSS figures of the attacks above. On the node that still holds HS4's pad (a reader is
  // on it) the bystander's p99 was 200-400 ms here and 723 ms in one CI run: a single event-loop
  // turn stayed under ~100 ms, but V8 marked a 500-900 MB heap in steps taken in whatever turn
  // allocated (385 ms of steps over 500 ms, --trace-gc). That is the one shared heap (SPEC HS3,
  // docs/architecture.md "Big updates"), which slicing cannot bound; this measures the slicing.
  it(
    'HS3 max-cap updates accepted on three fresh pads, one after another and two at once, then joined: stored, acknowledged, bystander unaffected (real socket)',
    // Each is 199,000-200,000 structs (~2 MB), within every limit: before slicing each held the
    // node's loop ~1.5 s (shape read, checkUpdate, Y.applyUpdate in one turn).
    async () => {
      for (const c of clients.splice(0)) c.close();
      await node.kill();
      await start();
      const base = baseText(10_000);
      const baseUpdate = Y.encodeStateAsUpdate(base);
      const updates = [mapKeys(199_999, 11), scatteredInserts(base, 199_000, 64, 2), mapKeys(199_999, 12)];
      const pads = ['sliced-1', 'sliced-2', 'sliced-3'];
      const senders = await Promise.all(pads.map((p) => connect(p).ready(10_000)));
      let answers: number[] = [];
      senders[1]!.sendCounted({ type: 'update', update: baseUpdate });
      await senders[1]!.saved(10_000);
      // Each pad holds ~200k structs afterwards (~80 MB of heap by the node's own estimate, HI4):
      // 600k structs in all, as many as HS4's pad. 512 MiB was passed once in CI (+530) once
      // nodes ran with the production V8 flags. On a node of its own it grows more than on one
      // that already held a big heap: +370-620 here, +609 and +663 in clean-clone CI runs, where
      // HS4's load grows +320-355. What is collected late depends on how busy the machine is
      // (the CI machine runs about twice as slow), hence 1 GiB; an unbounded attack is GBs.
      await whileBystanderTypes(
        'HS3 three max-cap updates',
        async () => {
          senders[0]!.sendCounted({ type: 'update', update: updates[0]! });
          await senders[0]!.saved(60_000);
          senders[1]!.sendCounted({ type: 'update', update: updates[1]! });
          senders[2]!.sendCounted({ type: 'update', update: updates[2]! });
          await Promise.all([senders[1]!.saved(60_000), senders[2]!.saved(60_000)]);
          // Joiners right after the pastes, before their slices are folded: their answers once
          // merged the slices on the loop (630-830 ms; join-state.ts).
          answers = await Promise.all(pads.map((p) => firstSyncAnswer(`${node.wsUrl}/${p}`, 30_000)));
        },
        1_024,
        HEAP_GROWTH_P99_MS,
      );
      for (const c of senders) assert.equal(c.closeCode, null, 'sender still connected');
      answers.forEach((bytes, i) => assert.ok(bytes > 1_000_000, `answer for ${pads[i]}: ${bytes} B`));
      const readers = await Promise.all(pads.map((p) => connect(p).ready(30_000)));
      assert.equal(readers[0]!.doc.getMap('m').size, 199_999, 'pad 1 holds every key');
      assert.equal(readers[1]!.text.length, 10_000 + 199_000, 'pad 2 holds every insert');
      assert.equal(readers[2]!.doc.getMap('m').size, 199_999, 'pad 3 holds every key');
    },
  );
});
