import { writeFileSync } from 'node:fs';
import { CloseCode } from '@padmesh/protocol';
import * as Y from 'yjs';
import { PENDING_RETRY_MS, RELOAD_WITHOUT_REFUSED } from '../../src/room/room.js';
import { Sim, type SimNode, type SimSettings } from '../sim/sim.js';
import { AuditedConn } from './ack-audit.js';
import { allowedCodes, type Frame, type PadView } from './frames.js';
import type { Generator } from './generator.js';
import { GENERATOR_NAMES, HONEST, pickGenerator } from './generators.js';
import { ObservedStorage } from './observed-storage.js';
import { Rand } from './rand.js';
import { StallMeter, type Stall } from './stall-meter.js';

/**
 * The node the fuzzer attacks: production limits scaled down so pads stay small (each
 * message's own cost, and the harness's, stays flat) and every limit is within reach.
 * Rate limits are off: floods are not what this is about (E5 and HI5 have their tests).
 */
export const FUZZ_SETTINGS: Partial<SimSettings> = {
  maxUpdateStructs: 5_000,
  maxUpdateClients: 64,
  maxPadStructs: 60_000,
  maxPadClients: 600,
  maxPendingBytes: 64 * 1024,
  maxPadBytes: 2 * 1024 * 1024,
  maxPadChars: 300_000,
  compactEvery: 50,
  messagesPerSec: 1e9,
  messageBurst: 1e9,
};

/** Messages per pad before it is checked whole, unloaded and replaced by a fresh one (the harness's cost per message stays flat). */
export const EPOCH_MESSAGES = 150;
/** Simulated time per message: the scan budget refills 10,000 structs per second (HI1). */
const STEP_MS = 10;
/** Honest texts are compared this often (every message would be O(pad) per message). */
const CONVERGE_EVERY = Number(process.env.FUZZ_CONVERGE_EVERY ?? 10);
/** Refusals an honest client may get once an attack has filled the pad (structs, client ids, bytes, characters). */
const PAD_FULL: readonly number[] = [CloseCode.PadTooLarge, CloseCode.PadTooComplex];
/** Recent valid updates kept for mutations and replays. */
const RECENT = 32;

export interface GeneratorStats {
  sent: number;
  accepted: number;
  refused: Record<number, number>;
  /** The longest synchronous stretch one of its messages caused, in ms. */
  maxMs: number;
}

export interface RoundResult {
  seed: number;
  messages: number;
  epochs: number;
  elapsedMs: number;
  stopped: 'count' | 'time';
  generators: Record<string, GeneratorStats>;
  /** Longest synchronous handling of one message (receive or a node task), and the message. */
  longest: Stall;
  /** Longest pad unload (flush + compaction on close), and the epoch. */
  longestUnload: Stall;
  /** Longest compaction from its load to its snapshot (the fold; inline in the simulator). */
  longestFold: Stall;
  /** Honest clients that reconnected after an attacker's waiting insert was refused once placed (HI13). */
  rejoins: number;
}

/** A broken guarantee, with what replays it. */
export class FuzzFailure extends Error {
  override name = 'FuzzFailure';
}

export interface RoundOptions {
  seed: number;
  messages: number;
  timeLimitMs: number;
  /** Called after each epoch with the running totals (progress lines for the long round). */
  onEpoch?: (r: RoundResult) => void;
  /** On a failure (a message's check or the end-of-pad HF4/HF5), the failing pad is written here as JSON (`EpochDump`). */
  dumpFile?: string;
  /** Starts at this epoch of an earlier run, from its dump: replays one pad's life in seconds. */
  resume?: Pick<EpochDump, 'epoch' | 'randState'>;
}

/**
 * A pad whose check failed (a message's or the end-of-pad one): how to replay its life alone (`resume`) and what it
 * held, to take apart outside the round. Byte fields are base64.
 */
export interface EpochDump {
  seed: number;
  epoch: number;
  /** The round's Rand state when this epoch began. */
  randState: number;
  failure: string;
  /** What storage held at the check: snapshot and log, as a reload reads it. */
  stored: { snapshot: string | null; updates: string[] };
  /** Every entry committed for the pad in order (compaction does not remove them here). */
  committed: string[];
  /** The live doc: its state without the pending parts, and those (Yjs's v2 encoding). */
  live: { state: string; pendingStructs: string | null; pendingDs: string | null; text: string };
}

/**
 * Sends `messages` structure-aware hostile frames (or until `timeLimitMs`) at fresh pads on
 * a simulated node, checking the oracle after every one (HF1-HF6). Throws FuzzFailure with
 * the seed and the message on the first broken guarantee.
 */
export async function fuzzRound(opts: RoundOptions): Promise<RoundResult> {
  const rand = new Rand(opts.seed, opts.resume?.randState);
  const started = performance.now();
  const meter = new StallMeter();
  const result: RoundResult = {
    seed: opts.seed,
    messages: 0,
    epochs: 0,
    rejoins: 0,
    elapsedMs: 0,
    stopped: 'count',
    generators: Object.fromEntries(GENERATOR_NAMES.map((n) => [n, { sent: 0, accepted: 0, refused: {}, maxMs: 0 }])),
    longest: meter.longest,
    longestUnload: { ms: 0, what: '' },
    longestFold: { ms: 0, what: '' },
  };
  if (opts.resume) result.epochs = opts.resume.epoch;
  const outOfTime = () => performance.now() - started > opts.timeLimitMs;
  while (result.messages < opts.messages) {
    if (outOfTime()) {
      result.stopped = 'time';
      break;
    }
    const budget = Math.min(EPOCH_MESSAGES, opts.messages - result.messages);
    await new Epoch(result.epochs, rand, meter, result, opts.dumpFile).run(budget, outOfTime);
    result.epochs++;
    result.longest = meter.longest;
    result.elapsedMs = performance.now() - started;
    opts.onEpoch?.(result);
  }
  result.elapsedMs = performance.now() - started;
  return result;
}

/** One pad's life: honest clients, a bystander on another pad, and an attacker that reconnects after each refusal. */
class Epoch {
  private readonly storage = new ObservedStorage();
  private readonly sim = new Sim(this.storage);
  private readonly node: SimNode;
  private readonly pad: string;
  private readonly failures: string[] = [];
  private honest: AuditedConn[] = [];
  private bystander!: AuditedConn;
  private attacker: AuditedConn | null = null;
  private readonly queue: { frame: Frame; gen: Generator }[] = [];
  private readonly view: PadView;
  private baseCache: Uint8Array | null = null;
  private step = 0;
  /** An honest edit was refused because the attack filled the pad: this pad's life is over. */
  private padFull = false;
  /** Where the round's Rand was when this pad's life began (what `resume` starts from). */
  private readonly randState: number;

  constructor(
    private readonly index: number,
    private readonly rand: Rand,
    private readonly meter: StallMeter,
    private readonly result: RoundResult,
    private readonly dumpFile?: string,
  ) {
    this.randState = rand.state;
    meter.watch(this.sim.clock);
    this.node = this.sim.node({ settings: FUZZ_SETTINGS });
    this.pad = `fz${index}`;
    const settings = this.node.settings;
    this.view = {
      rand,
      base: () => (this.baseCache ??= Y.encodeStateAsUpdate(this.honest[0]!.client.doc)),
      writers: () => this.writers(),
      recent: [],
      owed: [],
      limits: { maxUpdateStructs: settings.maxUpdateStructs, maxUpdateClients: settings.maxUpdateClients },
    };
  }

  async run(messages: number, outOfTime: () => boolean): Promise<void> {
    try {
      // Yjs would pick the honest clients' ids at random, and concurrent inserts are ordered by
      // client id: from the seed and the epoch instead, so a seed replays (and an epoch resumes)
      // exactly. (A replay of seed 1126005 with random ids ran past the epoch that had failed.)
      const ids = new Rand((this.result.seed + Math.imul(this.index + 1, 0x9e3779b1)) >>> 0);
      this.honest = [await this.connect(this.pad, ids.clientId()), await this.connect(this.pad, ids.clientId())];
      this.bystander = await this.connect('bystander', ids.clientId());
      await this.sim.run();
      this.honest[0]!.client.insert(0, this.rand.text(40, true));
      await this.sim.run();
      for (let sent = 0; sent < messages && !outOfTime() && !this.padFull;) {
        if (this.queue.length === 0) {
          const g = pickGenerator(this.rand);
          if (g === HONEST) {
            await this.honestStep();
            sent++;
            continue;
          }
          for (const frame of g.make(this.view)) this.queue.push({ frame, gen: g });
          continue;
        }
        await this.attackStep(this.queue.shift()!);
        sent++;
      }
      // A pending update Yjs would not retry is retried by the room within PENDING_RETRY_MS.
      await this.sim.advance(PENDING_RETRY_MS);
      await this.checkWhole();
    } catch (err) {
      // A failure of a per-message check (HF1-HF3) is dumped too: `--resume` replays it alone.
      const room = this.node.rooms.peek(this.pad);
      if (err instanceof FuzzFailure && this.dumpFile && room && !this.dumped) await this.dump(room.doc, room.text);
      throw err;
    } finally {
      await this.unload();
    }
  }

  private async connect(pad: string, clientId?: number): Promise<AuditedConn> {
    const doc = new Y.Doc();
    if (clientId !== undefined) doc.clientID = clientId;
    const c = await this.node.connect(pad, { doc });
    return new AuditedConn(c, this.storage, this.meter, this.failures);
  }

  private writers(): number[] {
    const ids = [...this.honest[0]!.client.doc.store.clients.keys()];
    return this.rand.shuffle(ids).slice(0, 6);
  }

  private label(gen: string): string {
    return `seed ${this.result.seed} epoch ${this.index} message ${this.step} (${gen})`;
  }

  private count(gen: string, code: number | null): void {
    const s = this.result.generators[gen]!;
    this.result.messages++;
    s.sent++;
    if (code === null) s.accepted++;
    else s.refused[code] = (s.refused[code] ?? 0) + 1;
    s.maxMs = Math.max(s.maxMs, this.meter.current);
  }

  private async honestStep(): Promise<void> {
    this.step++;
    this.meter.reset(this.label(HONEST));
    const h = this.rand.pick(this.honest).client;
    const len = h.text.length;
    const sv = Y.encodeStateVector(h.doc);
    if (len > 0 && this.rand.chance(0.3)) h.delete(this.rand.int(0, len - 1), this.rand.int(1, Math.min(5, len)));
    else h.insert(this.rand.int(0, len), this.rand.text(this.rand.int(1, 8), true));
    await this.sim.advance(STEP_MS);
    this.baseCache = null;
    this.count(HONEST, null);
    this.remember(Y.encodeStateAsUpdate(h.doc, sv));
    await this.checkStep(HONEST);
  }

  private async attackStep({ frame, gen }: { frame: Frame; gen: Generator }): Promise<void> {
    this.step++;
    if (!this.attacker?.client.isConnected) {
      if (this.attacker) this.drop(this.attacker);
      this.attacker = await this.connect(this.pad);
      // It never reads: the node's frames to it pile up unread until it is replaced (the audit sees
      // `saved` as the node sends it), and the harness does not pay for a fifth copy of the pad.
      this.attacker.client.paused = true;
      await this.sim.run();
    }
    const a = this.attacker;
    const before = this.storage.appended(this.pad);
    this.meter.reset(this.label(frame.note ? `${gen.name}: ${frame.note}` : gen.name));
    a.client.sendRaw(frame.bytes);
    await this.sim.advance(STEP_MS);
    this.baseCache = null;
    const code = a.client.closeCode;
    this.count(gen.name, code);
    const what = `${this.label(gen.name)}, ${frame.expect} frame of ${frame.bytes.length} B`;
    if (code === null) {
      // HF2: what the node cannot refuse up front it must not take in.
      if (frame.expect === 'over') this.failures.push(`${what}: past a per-update limit, accepted`);
      // HF3: every accepted update is acknowledged once it is stored and in the doc; only while
      // the pad holds structs waiting for a dependency may an acknowledgement wait (P2, HI3).
      // Not for a held delete set (pendingDs): the room waits only for the structs a message
      // carries, so a pad holding deletes exempts nothing (seed 1126101: a lone skip's message
      // waited for clocks no one sends while the pad held deletes, and this caught it).
      const store = this.node.rooms.peek(this.pad)?.doc.store;
      const waiting = store !== undefined && store.pendingStructs !== null;
      if (a.saved < a.seq && !waiting) this.failures.push(`${what}: accepted, acknowledged ${a.saved} of ${a.seq}`);
    } else {
      // HF2: refused with a code that says why, and nothing of it stored.
      if (!allowedCodes(frame.expect).includes(code))
        this.failures.push(`${what}: closed ${code} (${a.client.closeReason})`);
      if (this.storage.appended(this.pad) !== before)
        this.failures.push(
          `${what}: refused with ${code}, yet ${this.storage.appended(this.pad) - before} entries stored`,
        );
    }
    if (frame.expect === 'valid') this.remember(frame.update);
    await this.checkStep(gen.name);
  }

  /** Keeps a valid update for later mutations and replays. */
  private remember(update: Uint8Array): void {
    if (update.length === 0) return;
    this.view.recent.push(update);
    if (this.view.recent.length > RECENT) this.view.recent.shift();
  }

  /** HF1/HF2/HF4 after every message: no one else was closed, and (every few) honest clients agree. */
  private async checkStep(gen: string): Promise<void> {
    await this.rejoinAfterRefusal();
    for (const c of [...this.honest, this.bystander]) {
      const code = c.client.closeCode;
      // The attacker may fill the pad: then an honest edit is refused like any other (HI2, L5), and the pad's life ends.
      if (code !== null && c !== this.bystander && PAD_FULL.includes(code)) this.padFull = true;
      else if (code !== null)
        this.failures.push(
          `${this.label(gen)}: honest client on ${c.client.pad} closed ${code} (${c.client.closeReason})`,
        );
      else if (c.saved < c.seq) this.failures.push(`${this.label(gen)}: honest update not acknowledged`);
    }
    if (this.step % CONVERGE_EVERY === 0) {
      const room = this.node.rooms.peek(this.pad);
      const live = room?.text ?? '';
      // HF4: the live doc places every item where its own encoding does; an item placed by
      // chance (origins that were never neighbours) reloads elsewhere (seed 1126500 epoch 115).
      // Not while Yjs holds structs pending: one that could integrate waits for the room's retry
      // (PENDING_RETRY_MS), and a fresh doc integrates it at once (seed 1126501 epoch 3297).
      if (room && room.doc.store.pendingStructs === null) {
        const again = new Y.Doc();
        Y.applyUpdate(again, Y.encodeStateAsUpdate(room.doc));
        const text = again.getText('content').toString();
        again.destroy();
        if (text !== live)
          this.failures.push(
            `${this.label(gen)}: the node's doc, encoded and read back, differs at ${firstDifference(live, text)}`,
          );
      }
      this.honest.forEach((h, i) => {
        if (!h.client.isConnected) return;
        const t = h.client.text;
        if (t !== live)
          this.failures.push(
            `${this.label(gen)}: honest client ${i} diverged from the node at ${firstDifference(t, live)}`,
          );
      });
    }
    if (this.step % 25 === 0) this.bystander.client.insert(0, '.');
    this.throwIfFailed();
  }

  /**
   * An attacker's insert that waited for a dependency and was refused once placed (HI13)
   * reloads the pad, often in the batch of an honest client that sent the dependency: honest
   * clients then reconnect with their docs, as the web app does, and what they had not got
   * saved must be saved now (checked below like any of their edits).
   */
  private async rejoinAfterRefusal(): Promise<void> {
    const gone = this.honest.filter(
      (h) => h.client.closeCode === CloseCode.Reload && h.client.closeReason === RELOAD_WITHOUT_REFUSED,
    );
    if (gone.length === 0) return;
    this.result.rejoins += gone.length;
    for (const h of gone) {
      const back = new AuditedConn(
        await this.node.connect(this.pad, { doc: h.client.doc }),
        this.storage,
        this.meter,
        this.failures,
      );
      this.honest[this.honest.indexOf(h)] = back;
    }
    await this.sim.run();
    for (const h of gone)
      if (
        h.client.doc.store.pendingStructs === null &&
        !(await this.node.withPad(this.pad, async (r) => r.text === h.client.text))
      )
        this.failures.push(
          `${this.label('rejoin')}: an honest client's text differs from the node's after it rejoined`,
        );
  }

  /** HF4/HF5 at the end of the pad's life: every honest client, the live doc and storage hold the same pad. */
  private async checkWhole(): Promise<void> {
    const room = this.node.rooms.peek(this.pad);
    if (!room) throw new FuzzFailure(`${this.label('end')}: pad not loaded at the end`);
    const live = Y.snapshot(room.doc);
    for (const h of this.honest)
      if (h.client.isConnected && h.client.text !== room.text)
        this.failures.push(`${this.label('end')}: an honest client's text differs from the node's`);
    const stored = await this.reload();
    if (stored.getText('content').toString() !== room.text)
      this.failures.push(`${this.label('end')}: stored text differs from live`);
    if (!Y.equalSnapshots(Y.snapshot(stored), live))
      this.failures.push(`${this.label('end')}: pad reloaded from storage differs from the live doc`);
    stored.destroy();
    if (this.failures.length > 0 && this.dumpFile) await this.dump(room.doc, room.text);
    this.throwIfFailed();
    this.liveAtEnd = live;
  }

  private liveAtEnd: Y.Snapshot | null = null;
  private dumped = false;

  /** Writes the failing pad to `dumpFile` (EpochDump). */
  private async dump(doc: Y.Doc, text: string): Promise<void> {
    const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
    const s = await this.storage.load(this.pad);
    const store = doc.store;
    const { pendingStructs, pendingDs } = store;
    store.pendingStructs = null;
    store.pendingDs = null;
    let state: Uint8Array;
    try {
      state = Y.encodeStateAsUpdate(doc);
    } finally {
      store.pendingStructs = pendingStructs;
      store.pendingDs = pendingDs;
    }
    const out: EpochDump = {
      seed: this.result.seed,
      epoch: this.index,
      randState: this.randState,
      failure: this.failures.join('\n'),
      stored: { snapshot: s.snapshot ? b64(s.snapshot) : null, updates: s.updates.map(b64) },
      committed: this.storage.committed(this.pad).entries.map(b64),
      live: {
        state: b64(state),
        pendingStructs: pendingStructs ? b64(pendingStructs.update) : null,
        pendingDs: pendingDs ? b64(pendingDs) : null,
        text,
      },
    };
    writeFileSync(this.dumpFile!, JSON.stringify(out));
    this.dumped = true;
  }

  /** The pad as a node would load it now: snapshot plus log. */
  private async reload(): Promise<Y.Doc> {
    const s = await this.storage.load(this.pad);
    const doc = new Y.Doc();
    doc.transact(() => {
      if (s.snapshot) Y.applyUpdate(doc, s.snapshot);
      for (const u of s.updates) Y.applyUpdate(doc, u);
    });
    return doc;
  }

  private drop(c: AuditedConn): void {
    c.client.disconnect();
    this.node.clients.delete(c.client);
  }

  /** Unloads the pad (flush and compaction, timed: HF6) and checks what compaction left equals the live doc (HF5). */
  private async unload(): Promise<void> {
    try {
      const t0 = performance.now();
      await this.node.close();
      const ms = performance.now() - t0;
      if (ms > this.result.longestUnload.ms) this.result.longestUnload = { ms, what: this.label('unload') };
      const fold = this.storage.longestFold;
      if (fold.ms > this.result.longestFold.ms) this.result.longestFold = { ms: fold.ms, what: this.label('fold') };
      if (this.liveAtEnd) {
        const compacted = await this.reload();
        const same = Y.equalSnapshots(Y.snapshot(compacted), this.liveAtEnd);
        compacted.destroy();
        if (!same)
          throw new FuzzFailure(`${this.label('unload')}: the pad compacted on unload differs from the live doc`);
      }
    } finally {
      await this.sim.close();
    }
  }

  private throwIfFailed(): void {
    if (this.failures.length > 0) throw new FuzzFailure(this.failures.join('\n'));
  }
}

/** Close codes by name, for the printed counts. */
export function codeName(code: number): string {
  return Object.entries(CloseCode).find(([, v]) => v === code)?.[0] ?? String(code);
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `index ${i} of ${a.length}/${b.length}: ${JSON.stringify(a.slice(i, i + 12))} vs ${JSON.stringify(b.slice(i, i + 12))}`;
}
