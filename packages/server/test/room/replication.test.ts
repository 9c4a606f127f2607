import { CloseCode } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { SWEEP_PERIODS } from '../../src/cluster/anti-entropy.js';
import { MemoryBus } from '../../src/cluster/bus/memory.js';
import { AWARENESS_TICK_MS } from '../../src/room/fanout.js';
import { updateFrame, waitingInsert } from '../../testing/hostile-frames.js';
import { Sim } from '../../testing/sim/sim.js';
import { prng, testSeed } from '../../testing/wait.js';

/** Several nodes on one store and one memory bus, as a cluster on PostgreSQL and Redis. */
describe('Replication between nodes (harness)', () => {
  let sim: Sim;
  afterEach(() => sim.close());

  it('C3 clients on three nodes converge after seeded random concurrent edits, cursors included', async () => {
    const seed = testSeed('C3');
    const rand = prng(seed);
    sim = new Sim();
    const nodes = ['n1', 'n2', 'n3'].map((id) => sim.node({ id, cluster: true }));
    const cs = await Promise.all([0, 1, 2, 0, 1, 2].map((n) => nodes[n]!.connect('spread')));
    await sim.run();
    cs[0]!.setPresence({ user: { name: 'On node one', color: '#123456' } });
    for (let round = 0; round < 40; round++) {
      for (const c of cs) {
        const len = c.text.length;
        if (len > 3 && rand() < 0.3) c.delete(Math.floor(rand() * (len - 2)), 2);
        else c.insert(Math.floor(rand() * (len + 1)), 'xyz'[Math.floor(rand() * 3)]!);
      }
      for (let step = 0; step < 8; step++) {
        const c = cs[Math.floor(rand() * cs.length)]!;
        const r = rand();
        if (r < 0.4) c.flushUp(1 + Math.floor(rand() * 3));
        else if (r < 0.8) c.flushDown(1 + Math.floor(rand() * 3));
        else await sim.clock.flush();
      }
    }
    await sim.run();
    await sim.advance(AWARENESS_TICK_MS);
    const expected = cs[0]!.text;
    for (const [i, c] of cs.entries()) assert.equal(c.text, expected, `client ${i} converged (seed ${seed})`);
    for (const [i, c] of cs.entries()) assert.equal(c.acked, c.sent, `client ${i} acknowledged (seed ${seed})`);
    assert.ok(
      [...cs[2]!.peers.values()].some((s) => (s.user as { name?: string } | undefined)?.name === 'On node one'),
      'a cursor from node 1 is seen on node 3',
    );
    assert.equal(await sim.stored('spread'), expected);
    for (const n of nodes) {
      const text = await n.withPad('spread', async (room) => room.text);
      assert.equal(text, expected, `${n.id} holds the same text (seed ${seed})`);
    }
  });

  it('C4 messages lost in a partition are repaired by the periodic anti-entropy exchange, deletions included', async () => {
    sim = new Sim();
    const [n1, n2] = ['n1', 'n2'].map((id) => sim.node({ id, cluster: true, settings: { antiEntropyMs: 500 } }));
    const a = await n1!.connect('partition');
    const b = await n2!.connect('partition');
    await sim.run();
    a.insert(0, 'shared base text');
    await sim.run();
    assert.equal(b.text, 'shared base text', 'b sees the base');
    sim.hub.partitioned = true;
    a.insert(0, 'A-only ');
    b.delete(7, 5); // "base " goes away while the nodes can't talk
    await sim.advance(1_500); // several anti-entropy rounds, all lost
    assert.equal(a.acked, a.sent);
    assert.equal(b.acked, b.sent);
    assert.notEqual(a.text, b.text, 'the partition really dropped messages');
    sim.hub.partitioned = false; // the network comes back without a reconnect event
    await sim.run();
    assert.notEqual(a.text, b.text, 'nothing repairs it before the next exchange');
    // The edits are fresh, so both announce at the next period: that round brings each side
    // what the other's state vector lacks (the insert); a deletion shows only in the digest,
    // so the next round carries it. Two periods, no polling. (An idle pad waits for the
    // sweep: the next test.)
    await sim.advance(1_000);
    assert.equal(a.text, b.text, 'anti-entropy reconciles both sides');
    assert.equal(a.text, 'A-only shared text');
    assert.equal(await sim.stored('partition'), 'A-only shared text');
  });

  it('C4 a bus reconnect starts the exchange at once, without waiting for the next period', async () => {
    sim = new Sim();
    const [n1, n2] = ['n1', 'n2'].map((id) => sim.node({ id, cluster: true }));
    const a = await n1!.connect('reconnect');
    const b = await n2!.connect('reconnect');
    await sim.run();
    a.insert(0, 'shared base text');
    await sim.run();
    sim.hub.partitioned = true;
    a.insert(0, 'A-only ');
    b.delete(7, 5);
    // Less than one anti-entropy period (2 s): only the reconnect can start the repair.
    await sim.advance(1_000);
    assert.notEqual(a.text, b.text, 'the partition really dropped messages');
    n1!.bus!.heal();
    await sim.run();
    assert.equal(b.text, 'A-only shared text', 'what b lacked arrives with no time passing');
    // What a lacks is only a deletion, invisible in state vectors: the next periodic
    // exchange (digest) carries it.
    await sim.advance(2_000);
    assert.equal(a.text, b.text);
    assert.equal(a.text, 'A-only shared text');
  });

  it('C4 an idle pad announces its state only at the sweep and computes its digest once; a change is announced within a period', async () => {
    sim = new Sim();
    const [n1, n2] = ['n1', 'n2'].map((id) => sim.node({ id, cluster: true, settings: { antiEntropyMs: 500 } }));
    const a = await n1!.connect('idle');
    const b = await n2!.connect('idle');
    await sim.run();
    a.insert(0, 'some text');
    await sim.run();
    await sim.advance(1_000);
    assert.equal(b.text, 'some text');
    const states: string[] = [];
    const spy = new MemoryBus(sim.hub);
    await spy.subscribe('idle', (m) => m.kind === 'state' && states.push(m.from));
    // 20 periods idle: two nodes, one sweep each per 10 periods.
    await sim.advance(500 * 20);
    assert.ok(states.length <= 4, `${states.length} state announcements in 20 idle periods (was 40)`);
    states.length = 0;
    b.insert(0, '!');
    await sim.run();
    await sim.advance(500);
    assert.ok(states.includes('n2'), 'the change is announced within one period');
    assert.equal(a.text, '!some text');
    // A change whose announcement is lost (no reconnect event follows) is repaired by the sweep.
    sim.hub.partitioned = true;
    b.delete(0, 1);
    await sim.run();
    await sim.advance(1_000);
    sim.hub.partitioned = false;
    await sim.advance(500 * (SWEEP_PERIODS + 4));
    assert.equal(a.text, 'some text', 'the sweep repaired the lost deletion');
    await spy.close();
  });
  it('C1 HI13 an insert waiting on one node for a clock typed on another is refused there when the relay places it; its stored entry is quarantined, and both nodes hold the same text', async () => {
    sim = new Sim();
    const [n1, n2] = ['n1', 'n2'].map((id) => sim.node({ id, cluster: true }));
    const writer = await n2!.connect('relay');
    const evil = await n1!.connect('relay');
    const watcher = await n1!.connect('relay');
    await sim.run();
    writer.insert(0, 'hello');
    await sim.run();
    assert.equal(watcher.text, 'hello');
    // "Z" after (a, 6), which the writer has yet to type, with right origin (a, 3).
    evil.sendRaw(updateFrame(waitingInsert(writer.doc.clientID, 6, 3)));
    await sim.run();
    assert.equal(evil.closeCode, null, 'it waits on n1');
    writer.insert(5, '!!');
    await sim.run();
    assert.equal(writer.closeCode, null, 'n2 never had it: the typist is saved there');
    assert.equal(writer.acked, writer.sent);
    assert.equal(evil.closeCode, CloseCode.InvalidUpdate, `closed ${evil.closeCode} ${evil.closeReason}`);
    assert.equal(watcher.closeCode, CloseCode.Reload, 'n1 reloads without it');
    assert.deepEqual(
      (await sim.storage.quarantined('relay')).map((q) => q.reason),
      ['misplaced'],
    );
    const back = await n1!.connect('relay');
    await sim.run();
    assert.equal(back.text, 'hello!!');
    assert.equal(await sim.stored('relay'), 'hello!!');
    for (const n of [n1!, n2!]) assert.equal(await n.withPad('relay', async (room) => room.text), 'hello!!', n.id);
  });
});
