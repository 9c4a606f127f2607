import { decodeMessage, MessageType } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Awareness, applyAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { decodeEntries, encodeEntries, PRESENCE_STATE_MAX_BYTES } from '../../src/room/presence-guard.js';
import {
  AWARENESS_TICK_MS,
  PRESENCE_BACKLOG_MAX,
  PRESENCE_CATCH_UP_MS,
  PRESENCE_PAD_BURST_BYTES,
  PRESENCE_PAD_BYTES_PER_SEC,
  PRESENCE_TURN_BYTES,
  PresenceRelay,
  type RelayBudget,
} from '../../src/room/presence-relay.js';
import { Conn } from '../../src/transport/socket.js';
import { awarenessFrame } from '../../testing/hostile-frames.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { FakeSocket } from '../../testing/sim/fake-socket.js';
import { Sim } from '../../testing/sim/sim.js';
import type { SimClient } from '../../testing/sim/sim-client.js';

const KiB = 1024;
const isPresence = (frame: Uint8Array) => frame[0] === MessageType.Awareness;
const entriesOf = (frame: Uint8Array) => {
  const m = decodeMessage(frame);
  assert.equal(m.type, 'awareness');
  return decodeEntries(m.type === 'awareness' ? m.update : new Uint8Array());
};

/** A relay over a bare awareness, with recipients whose frames the test reads. */
function relayWorld(budget?: RelayBudget) {
  const clock = new ManualClock();
  const awareness = new Awareness(new Y.Doc());
  awareness.setLocalState(null);
  const conns = new Set<Conn>();
  const relay = new PresenceRelay(conns, awareness, clock, () => {}, budget);
  awareness.on('update', (c: { added: number[]; updated: number[]; removed: number[] }) =>
    relay.changed([...c.added, ...c.updated, ...c.removed]),
  );
  const observer = () => {
    const socket = new FakeSocket();
    conns.add(new Conn(socket, 'p', false, false));
    return socket;
  };
  const set = (id: number, clock: number, state: unknown) =>
    applyAwarenessUpdate(awareness, encodeEntries([{ id, clock, state }]), 'client');
  const done = () => (relay.destroy(), awareness.destroy());
  return { clock, awareness, relay, observer, set, done };
}

/** What a socket was sent, in order, folded per id into the entry with the highest clock (as y-protocols would). */
function latest(socket: FakeSocket): Map<number, { clock: number; state: unknown }> {
  const seen = new Map<number, { clock: number; state: unknown }>();
  for (const f of socket.outbox.filter(isPresence))
    for (const e of entriesOf(f)) if ((seen.get(e.id)?.clock ?? -1) <= e.clock) seen.set(e.id, e);
  return seen;
}

describe('Presence relay (SPEC PR9-PR11)', () => {
  const sims: Sim[] = [];
  after(async () => {
    for (const s of sims) await s.close();
  });

  it('PR9 a cursor move on a quiet pad goes out in the same turn; moves within the window reach others once, as the latest', async () => {
    const sim = new Sim();
    sims.push(sim);
    const node = sim.node();
    const a = await node.connect('pr9');
    const b = await node.connect('pr9');
    await sim.run();
    a.setPresence({ cursor: 1 });
    await sim.run(); // no time passes
    assert.deepEqual(b.peers.get(a.doc.clientID), { cursor: 1 }, 'relayed in the same turn');
    const before = b.receivedOf('awareness').length;
    for (let n = 2; n <= 5; n++) {
      a.setPresence({ cursor: n });
      await sim.run();
    }
    assert.equal(b.receivedOf('awareness').length, before, 'moves within the window wait for it');
    await sim.advance(AWARENESS_TICK_MS);
    const sent = b.receivedOf('awareness').slice(before);
    assert.equal(sent.length, 1, 'one frame for the window');
    assert.deepEqual(
      decodeEntries(sent[0]!.update).map((e) => [e.id, e.state]),
      [[a.doc.clientID, { cursor: 5 }]],
      'only the latest state',
    );
  });

  it('PR9 a removal is relayed at its clock even if the departed id was forgotten before the window closed', async () => {
    const w = relayWorld();
    const seen = w.observer();
    w.set(7, 1, { cursor: 1 }); // opens a window
    w.set(8, 1, { cursor: 1 });
    removeAwarenessStates(w.awareness, [8], 'client');
    w.awareness.meta.delete(8); // what the guard does past PRESENCE_DEPARTED_KEEP
    await w.clock.advance(AWARENESS_TICK_MS);
    const got = latest(seen);
    // y-protocols removes another client's state at the clock it had; receivers holding it accept that.
    assert.deepEqual(got.get(8), { id: 8, clock: 1, state: null }, 'the removal arrived');
    w.done();
  });

  it('PR10 a pad relays at most its byte budget a second, and every client still ends at its latest state', async () => {
    const budget = { bytesPerSec: 64 * KiB, burstBytes: 16 * KiB };
    const w = relayWorld(budget);
    const observers = Array.from({ length: 10 }, () => w.observer());
    const state = (n: number) => ({ cursor: n, pad: 'x'.repeat(1000) });
    const ids = Array.from({ length: 8 }, (_, i) => 100 + i);
    const seconds = 2;
    let n = 0;
    for (; n < seconds * 100; n++) {
      for (const id of ids) w.set(id, n + 1, state(n));
      await w.clock.advance(10);
    }
    const written = observers.reduce((sum, s) => sum + s.outbox.reduce((x, f) => x + f.length, 0), 0);
    const offered = seconds * 100 * ids.length * 1000 * observers.length;
    const oneRelay = ids.length * 1100 * observers.length;
    assert.ok(written <= budget.burstBytes + seconds * budget.bytesPerSec + oneRelay, `${written} bytes written`);
    assert.ok(written < offered / 10, 'most renewals collapsed');
    await w.clock.advance(5_000);
    for (const s of observers)
      for (const id of ids) assert.deepEqual(latest(s).get(id)?.state, state(n - 1), `observer has ${id}'s latest`);
    w.done();
  });

  it('PR10 one relay writes at most PRESENCE_TURN_BYTES a turn; the rest follows in later turns', async () => {
    const w = relayWorld();
    // Bytes written per event-loop turn (each task the clock runs is one).
    const turns = [0];
    const after = w.clock.after.bind(w.clock);
    w.clock.after = (ms, fn) => after(ms, () => (turns.push(0), fn()));
    const observers = Array.from({ length: 40 }, () => w.observer());
    for (const s of observers) {
      const send = s.send.bind(s);
      s.send = (f: Uint8Array) => ((turns[turns.length - 1]! += f.length), send(f));
    }
    // 16 states of 4 KiB to 40 observers: 2.5 MiB, under the burst but over one turn.
    for (let id = 1; id <= 16; id++) w.set(id, 1, { pad: 'x'.repeat(PRESENCE_STATE_MAX_BYTES - 100) });
    await w.clock.advance(AWARENESS_TICK_MS);
    const frame = 16 * PRESENCE_STATE_MAX_BYTES;
    assert.ok(Math.max(...turns) <= PRESENCE_TURN_BYTES + frame, `largest turn ${Math.max(...turns)} bytes`);
    assert.ok(turns.filter((n) => n > 0).length >= 3, 'the relay took several turns');
    for (const s of observers) assert.equal(latest(s).size, 16, 'every observer got every state');
    w.done();
  });

  it('PR11 a client that stops reading gets no presence while over PRESENCE_BACKLOG_MAX, then the latest of everyone it missed, removals included', async () => {
    const sim = new Sim();
    sims.push(sim);
    const node = sim.node();
    const a = await node.connect('pr11');
    const c = await node.connect('pr11');
    const slow = await node.connect('pr11');
    const tick = async (ms: number) => (await sim.run(), await sim.advance(ms));
    await sim.run();
    a.setPresence({ cursor: 0 });
    c.setPresence({ cursor: 0 });
    await tick(AWARENESS_TICK_MS);
    assert.ok(slow.peers.has(c.doc.clientID));
    // Stops reading, with more unread than the bound in the kernel's buffers.
    slow.paused = true;
    slow.socket.unread = PRESENCE_BACKLOG_MAX + 1;
    for (let n = 1; n <= 5; n++) {
      a.setPresence({ cursor: n });
      await tick(AWARENESS_TICK_MS);
    }
    c.disconnect();
    await tick(PRESENCE_CATCH_UP_MS * 3);
    assert.equal(slow.socket.outbox.filter(isPresence).length, 0, 'no presence queued behind its backlog');
    // It drains: within one check it is sent the latest, and the removal.
    slow.socket.unread = 0;
    slow.paused = false;
    await tick(PRESENCE_CATCH_UP_MS);
    assert.deepEqual(slow.peers.get(a.doc.clientID), { cursor: 5 });
    assert.equal(slow.peers.has(c.doc.clientID), false, 'the removal it missed arrived');
    assert.equal(slow.closeCode, null);
  });

  it('PR10 a presence flood at the bounds is relayed within the pad budget; removals and latest states reach an observer; a bystander on another pad is unaffected', async () => {
    const sim = new Sim();
    sims.push(sim);
    const node = sim.node();
    const bx = await node.connect('bystander');
    const by = await node.connect('bystander');
    const observer = await node.connect('flood');
    // Attackers that never read: 16 sockets, 4 ids each, states at the size limit.
    const attackers: SimClient[] = [];
    for (let i = 0; i < 16; i++) attackers.push(await node.connect('flood'));
    await sim.run();
    let written = 0;
    for (const c of [observer, ...attackers]) {
      const send = c.socket.send.bind(c.socket);
      c.socket.send = (f: Uint8Array) => {
        if (isPresence(f)) written += f.length;
        send(f);
      };
    }
    for (const c of attackers) c.paused = true;
    const state = (id: number, n: number) => ({
      user: { name: `p${id}`, color: '#1f6feb' },
      n,
      pad: 'x'.repeat(PRESENCE_STATE_MAX_BYTES - 200),
    });
    const idsOf = (i: number) => [0, 1, 2, 3].map((k) => 5_000_000 + 4 * i + k);
    const seconds = 2;
    const rounds = seconds * 20;
    for (let n = 1; n <= rounds; n++) {
      attackers.forEach((c, i) =>
        c.sendRaw(awarenessFrame(idsOf(i).map((id) => ({ id, clock: n, state: state(id, n) })))),
      );
      await sim.advance(50);
    }
    // Offered: 16 × 16 KiB × 17 recipients × 40 rounds ≈ 170 MiB.
    const bound = PRESENCE_PAD_BURST_BYTES + seconds * PRESENCE_PAD_BYTES_PER_SEC + PRESENCE_TURN_BYTES + 256 * KiB;
    assert.ok(written <= bound, `${(written / 2 ** 20).toFixed(1)} MiB of presence written in ${seconds} s`);
    bx.insert(0, 'still here');
    await sim.run();
    assert.equal(by.text, 'still here');
    // Half leave; the rest stop. Everyone the observer sees is at its last state; nobody who left remains.
    attackers.slice(0, 8).forEach((c) => c.disconnect());
    await sim.advance(5_000);
    const peers = observer.peers as Map<number, { n?: number }>;
    attackers.forEach((_, i) => {
      for (const id of idsOf(i)) {
        if (i < 8) assert.equal(peers.has(id), false, `${id} removed`);
        else assert.equal(peers.get(id)?.n, rounds, `${id} at its latest state`);
      }
    });
    for (const c of attackers.slice(8)) assert.equal(c.closeCode, null, 'at the bounds, nobody is refused');
  });
});
