/**
 * The attacks of the `hostile` workload (SPEC "Hostile input" and "Presence"), each pushed to
 * the node's default limits rather than just past them: what one client (with as many sockets
 * as the per-address cap lets it open) can make a node do. Frames are built in `prepare`,
 * before the phase's clock starts, so building them is not measured as the node's cost.
 */
import { encodeMessage } from '@padmesh/protocol';
import { envDefault } from '@padmesh/server';
import {
  RawClient,
  awarenessFrame,
  baseText,
  concurrentInserts,
  deleteRanges,
  fragmentedText,
  updateFrame,
} from '@padmesh/server/testing';
import * as Y from 'yjs';
import { AttackSocket } from './hostile-socket.js';

export interface AttackContext {
  /** http://127.0.0.1:PORT */
  http: string;
  /** Opens an attacker socket on `pad` (tracked; its close code is the phase's outcome, it is closed after). */
  socket(pad: string, opts?: { read?: boolean }): Promise<AttackSocket>;
  /**
   * An honest client on `pad` holding `text`, saved (set-up; closed after the phase). It applies
   * what the node relays in the bench's own event loop: close it before the attack unless needed.
   */
  honest(pad: string, text?: string): Promise<RawClient>;
  /** Records what the attacker got besides socket closes (HTTP statuses), tallied. */
  note(outcome: string | number): void;
  /** Adds a sentence to the phase's outcome as it is ("frames accepted 39 of 39"). */
  fact(text: string): void;
  /** Resolves once the node has used little CPU for 500 ms (its backlog is done), or after `ms`. */
  quiet(ms: number): Promise<void>;
}

export interface Attack {
  name: string;
  /** SPEC rules the attack meets. */
  rules: string;
  /** Untimed set-up; returns the attack itself, run while the bystander types. */
  prepare(ctx: AttackContext): Promise<() => Promise<void>>;
}

/**
 * Sends `frame` on `evil` and waits until the node relays it to `watch` (true: accepted) or
 * closes `evil` (false), at most `ms`: an attacker paced by the node, so each frame's cost
 * is measured on its own and the phase stays bounded however slow the node gets.
 */
async function relayed(evil: AttackSocket, watch: AttackSocket, frame: Uint8Array, ms: number): Promise<boolean> {
  const seen = watch.messages;
  const end = performance.now() + ms;
  evil.send(frame);
  while (watch.messages === seen && evil.isOpen && performance.now() < end) await sleep(5);
  return watch.messages > seen;
}

/** One update inserting `chars` characters into an empty pad (built once, before the phase). */
function paste(chars: number): Uint8Array {
  const d = new Y.Doc();
  d.getText('content').insert(0, 'paste '.repeat(Math.ceil(chars / 6)).slice(0, chars));
  return Y.encodeStateAsUpdate(d);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Runs `fn` over `items` with at most `n` at a time. */
async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let x = queue.shift(); x !== undefined; x = queue.shift()) await fn(x);
    }),
  );
}

/** Default limits the attacks aim at (README "Configuration"). */
const MAX_UPDATE_CLIENTS = 64;
const CONTESTED_PER_UPDATE = 256;
const MAX_PAD_CLIENTS = 8_192;
const MAX_UPDATE_STRUCTS = 200_000;
const MAX_PAD_STRUCTS = 1_000_000;
const MAX_PAD_PENDING_BYTES = 2 ** 20;
const MAX_PAD_CHARS = 5_000_000;
const MAX_HTTP_BODY_BYTES = 8 * 2 ** 20;
const PRESENCE_STATE_MAX_BYTES = 4 * 1024;
/** Messages per second per connection, and the burst, at the node's defaults. */
const RATE_PER_SEC = Number(envDefault('RATE_MESSAGES_PER_SEC'));
const RATE_BURST = Number(envDefault('RATE_BURST'));
/** Sockets of the message flood: the per-address cap (200) less the bystander's and some room. */
const FLOOD_SOCKETS = 190;
/** Pads it spreads over (new pads per address are limited to 60 a minute). */
const FLOOD_PADS = 8;
/** How long the contested-insert attacker keeps sending (each frame waits for the node). */
const CONTESTED_SECONDS = 20;

export const ATTACKS: Attack[] = [
  {
    name: 'contested inserts',
    rules: 'HI1 HI2',
    async prepare(ctx) {
      const honest = await ctx.honest('contested', 'abc');
      const base = Y.encodeStateAsUpdate(honest.doc);
      // Gone before the attack: a client here would integrate the accepted frames in the bench's own loop.
      honest.close();
      // Past the cap: 20,000 client ids in one frame, sent twice.
      const tooMany = updateFrame(concurrentInserts(base, 20_000));
      // At the caps: 64 client ids × 4 inserts = 256 items at one spot per update, every update
      // at the same spot with fresh ids, until the pad's client-id cap. Each later insert makes
      // Yjs walk past the ones already there; the per-connection scan budget (HI1) is there to
      // refuse a socket once that walk adds up; a refused attacker opens another (up to HI2's cap).
      const frames = Array.from({ length: Math.ceil(MAX_PAD_CLIENTS / MAX_UPDATE_CLIENTS) + 1 }, (_, k) =>
        updateFrame(
          concurrentInserts(base, MAX_UPDATE_CLIENTS, 1, CONTESTED_PER_UPDATE / MAX_UPDATE_CLIENTS, 2_000_000 + 64 * k),
        ),
      );
      return async () => {
        const first = await ctx.socket('contested');
        first.send(tooMany);
        first.send(tooMany);
        await first.closed(10_000);
        // One frame at a time, the next once the node has relayed this one to a watching socket
        // (accepted) or closed the sender (refused): the attack goes as fast as the node takes it,
        // and the phase stays bounded (CONTESTED_SECONDS) however slow each frame gets.
        const watch = await ctx.socket('contested');
        const end = performance.now() + CONTESTED_SECONDS * 1000;
        let next = 0;
        let accepted = 0;
        for (let s = 0; s < 60 && next < frames.length && performance.now() < end; s++) {
          const evil = await ctx.socket('contested');
          while (evil.isOpen && next < frames.length && performance.now() < end)
            if (await relayed(evil, watch, frames[next++]!, 30_000)) accepted++;
        }
        ctx.fact(`frames accepted ${accepted} of ${next}`);
        await ctx.quiet(30_000);
      };
    },
  },
  {
    name: 'heap items',
    rules: 'HI1 HI2 HI4',
    async prepare(ctx) {
      // Y.Map entries are separate structs however cheap on the wire (~10 B each, ~330 B of
      // heap): updates just under MAX_UPDATE_STRUCTS until the pad's struct cap refuses one.
      const perFrame = MAX_UPDATE_STRUCTS - 10_000;
      const mapFrames: Uint8Array[] = [];
      const src = new Y.Doc();
      const m = src.getMap('m');
      for (let f = 0; f * perFrame <= MAX_PAD_STRUCTS; f++) {
        const sv = Y.encodeStateVector(src);
        src.transact(() => {
          for (let i = 0; i < perFrame; i++) m.set(`${f}.${i.toString(36)}`, i);
        });
        mapFrames.push(updateFrame(Y.encodeStateAsUpdate(src, sv)));
      }
      src.destroy();
      // Array items inserted one by one at the front (no two merge into one struct).
      const arr = new Y.Doc();
      const a = arr.getArray<number>('a');
      arr.transact(() => {
        for (let i = 0; i < perFrame; i++) a.insert(0, [i]);
      });
      const arrayFrame = updateFrame(Y.encodeStateAsUpdate(arr));
      arr.destroy();
      return async () => {
        const [map, mapWatch] = [await ctx.socket('heap-map'), await ctx.socket('heap-map')];
        const [array, arrayWatch] = [await ctx.socket('heap-array'), await ctx.socket('heap-array')];
        let accepted = 0;
        for (const f of mapFrames) if (map.isOpen && (await relayed(map, mapWatch, f, 60_000))) accepted++;
        ctx.fact(`map frames accepted ${accepted} of ${mapFrames.length}`);
        ctx.fact(`array frame ${(await relayed(array, arrayWatch, arrayFrame, 60_000)) ? 'accepted' : 'refused'}`);
        await ctx.quiet(20_000);
      };
    },
  },
  {
    name: 'delete sets',
    rules: 'HI1',
    async prepare(ctx) {
      // Two pads: 20,000 one-character structs, and one run of 200,000 characters.
      const setup = await ctx.socket('deletes-steps');
      setup.send(updateFrame(Y.encodeStateAsUpdate(fragmentedText(20_000))));
      const setup2 = await ctx.socket('deletes-splits');
      setup2.send(updateFrame(Y.encodeStateAsUpdate(baseText(200_000, 5))));
      await ctx.quiet(20_000);
      setup.terminate();
      setup2.terminate();
      // Past the budget: 10,000 copies of one range over the 20,000 structs (1.2 s if applied),
      // and 100,000 one-clock ranges in reverse over the run (47 s if applied).
      const copies = updateFrame(deleteRanges(5, Array(10_000).fill([0, 20_000])));
      const reverse = updateFrame(
        deleteRanges(
          5,
          Array.from({ length: 100_000 }, (_, i) => [200_000 - 2 * (i + 1), 1] as const),
        ),
      );
      // Within the budget (~23,400 steps of 25,000, ~75 ms if applied), from fresh sockets: the
      // address's budget is spent by the first, so the rest are refused until it refills.
      const justUnder = updateFrame(deleteRanges(5, Array(600).fill([0, 20_000])));
      return async () => {
        for (const [pad, frame] of [
          ['deletes-steps', copies],
          ['deletes-splits', reverse],
        ] as const) {
          const evil = await ctx.socket(pad);
          evil.send(frame);
          await evil.closed(10_000);
        }
        let accepted = 0;
        for (let s = 0; s < 20; s++) {
          const evil = await ctx.socket('deletes-steps');
          evil.send(justUnder);
          await evil.closed(2_000);
          if (evil.isOpen) accepted++;
          evil.terminate();
        }
        ctx.fact(`frames just under the budget accepted ${accepted} of 20`);
        await ctx.quiet(20_000);
      };
    },
  },
  {
    name: 'pending flood',
    rules: 'HI3',
    async prepare(ctx) {
      // Chains whose first edit never comes, 256 KiB each, past the pad's pending budget; three pads at once.
      const chains = Array.from({ length: 3 }, () => {
        const src = new Y.Doc();
        const t = src.getText('content');
        t.insert(0, 'the missing first edit');
        let sv = Y.encodeStateVector(src);
        const out: Uint8Array[] = [];
        while (out.length * 256 * 1024 < MAX_PAD_PENDING_BYTES + 4 * 256 * 1024) {
          t.insert(t.length, 'y'.repeat(256 * 1024));
          out.push(updateFrame(Y.encodeStateAsUpdate(src, sv)));
          sv = Y.encodeStateVector(src);
        }
        return out;
      });
      return async () => {
        const socks = await Promise.all(chains.map((_, i) => ctx.socket(`pending-${i}`)));
        chains.forEach((chain, i) => chain.forEach((f) => socks[i]!.send(f)));
        await Promise.all([...socks.map((s) => s.closed(20_000)), ctx.quiet(20_000)]);
      };
    },
  },
  {
    name: 'sync step 1, never read',
    rules: 'HI5 L9',
    async prepare(ctx) {
      // A 4 MB pad; every socket asks for all of it (empty state vector) and never reads.
      (await ctx.honest('sync-big', 'lorem ipsum dolor sit amet '.repeat(150_000))).close();
      const step1 = encodeMessage({ type: 'sync-step1', stateVector: Y.encodeStateVector(new Y.Doc()) });
      return async () => {
        await pool(
          Array.from({ length: 60 }, (_, i) => i),
          10,
          async () => {
            const evil = await ctx.socket('sync-big', { read: false });
            for (let i = 0; i < 6; i++) evil.send(step1);
          },
        );
        await ctx.quiet(20_000);
      };
    },
  },
  {
    name: 'presence flood',
    rules: 'PR1 PR2 HI5',
    async prepare(ctx) {
      const near = (id: number, clock: number) => ({
        id,
        clock,
        state: { user: { name: `p${id}`, color: '#1f6feb' }, pad: 'x'.repeat(PRESENCE_STATE_MAX_BYTES - 200) },
      });
      const big = { user: { name: 'Big', color: '#1f6feb' }, pad: 'x'.repeat(64 * 1024) };
      const flood = Array.from({ length: 1_000 }, (_, i) => ({ id: 3_000_000 + i, clock: 1, state: { n: i } }));
      return async () => {
        // Past the bounds: a 64 KiB state, 1,000 entries in one frame, a fifth client id on one socket.
        const [a, b, c] = [await ctx.socket('presence'), await ctx.socket('presence'), await ctx.socket('presence')];
        a.send(awarenessFrame([{ id: 4_000_000, clock: 1, state: big }]));
        b.send(awarenessFrame(flood));
        c.send(awarenessFrame(Array.from({ length: 5 }, (_, i) => near(4_100_000 + i, 1))));
        // At the bounds: 72 sockets that never read, 4 ids each with ~4 KiB states (more people
        // than a pad shows), renewed every 500 ms for 3 s; the node relays them to everyone.
        const socks: AttackSocket[] = [];
        await pool(
          Array.from({ length: 72 }, (_, i) => i),
          12,
          async () => void socks.push(await ctx.socket('presence', { read: false })),
        );
        for (let clock = 1; clock <= 6; clock++) {
          socks.forEach((s, i) => s.send(awarenessFrame([0, 1, 2, 3].map((k) => near(5_000_000 + 4 * i + k, clock)))));
          await sleep(500);
        }
        await Promise.all([a.closed(5_000), b.closed(5_000), c.closed(5_000), ctx.quiet(10_000)]);
      };
    },
  },
  {
    name: 'message flood',
    rules: 'L4 L6',
    async prepare(ctx) {
      // Not an attack on any one rule: every frame is a keystroke any client sends, at the
      // per-connection rate limit, from as many sockets as the address may open. Each socket
      // types its own text (a client id of its own) on one of a few pads, and reads.
      const frames = Array.from({ length: FLOOD_SOCKETS }, () => {
        const doc = new Y.Doc();
        const out: Uint8Array[] = [];
        doc.on('update', (u: Uint8Array) => out.push(updateFrame(u)));
        for (let i = 0; i < RATE_BURST + RATE_PER_SEC; i++) doc.getText('content').insert(i, 'x');
        return out;
      });
      return async () => {
        const socks: AttackSocket[] = [];
        await pool(
          Array.from({ length: FLOOD_SOCKETS }, (_, i) => i),
          12,
          async (i) => void socks.push(await ctx.socket(`flood-${i % FLOOD_PADS}`)),
        );
        // A burst's worth at once on every socket, then the rest: the node reads the rest at its rate.
        socks.forEach((s, i) => frames[i]!.forEach((f) => s.send(f)));
        await ctx.quiet(30_000);
        ctx.fact(`${socks.filter((s) => s.isOpen).length} of ${socks.length} sockets still open`);
      };
    },
  },
  {
    name: 'oversize paste',
    rules: 'L5',
    async prepare(ctx) {
      const over = updateFrame(paste(MAX_PAD_CHARS + 100_000));
      return async () => {
        const evil = await ctx.socket('paste');
        evil.send(over);
        await evil.closed(20_000);
        await ctx.quiet(10_000);
      };
    },
  },
  {
    // Not an attack: the largest paste the limits allow (HI6), for scale next to the refused one.
    name: 'paste just under the limit',
    rules: 'HI6',
    async prepare(ctx) {
      const under = await ctx.honest('paste-ok');
      const update = paste(MAX_PAD_CHARS - 100_000);
      return async () => {
        under.sendCounted({ type: 'update', update });
        await under.saved(30_000);
        ctx.fact('saved');
        await ctx.quiet(10_000);
      };
    },
  },
  // Last: it spends the address's new-pad window (HI8), which later phases' set-up would meet.
  {
    name: 'http write flood',
    rules: 'HI7 HI8 HI11 H5',
    async prepare(ctx) {
      const put = async (pad: string, body: string) => {
        const res = await fetch(`${ctx.http}/api/pads/${pad}/text`, { method: 'PUT', body });
        await res.arrayBuffer();
        ctx.note(`HTTP ${res.status}`);
      };
      const near = (ch: string) => ch.repeat(MAX_PAD_CHARS - 100_000);
      const over = 'o'.repeat(MAX_PAD_CHARS + 100_000);
      const huge = 'h'.repeat(MAX_HTTP_BODY_BYTES + 2 ** 20);
      return async () => {
        // Near the pad limit (accepted, each replacing the whole text), over it, and over the body limit.
        await pool(['a', 'b'], 1, (ch) => put('http-big', near(ch)));
        await pool([1, 2, 3], 3, () => put('http-over', over));
        await pool([1, 2], 2, () => put('http-huge', huge));
        // Many new pads: the per-address window (60 a minute) answers 429 past it.
        await pool(
          Array.from({ length: 120 }, (_, i) => i),
          8,
          (i) => put(`http-new-${i}`, 'hello'),
        );
        await ctx.quiet(10_000);
      };
    },
  },
];
