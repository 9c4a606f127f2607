import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { AWARENESS_TICK_MS } from '../../src/room/fanout.js';
import { EXPIRY_CHECK_MS } from '../../src/room/presence-expiry.js';
import { Sim } from '../../testing/sim/sim.js';

describe('Presence (harness)', () => {
  let sim: Sim;
  afterEach(() => sim.close());

  it('P8 awareness of a client is removed for others when it leaves', async () => {
    sim = new Sim();
    const node = sim.node();
    const a = await node.connect('p8');
    const b = await node.connect('p8');
    await sim.run();
    a.setPresence({ user: { name: 'Ann', color: '#ff0000' } });
    await sim.run();
    assert.deepEqual(b.peers.get(a.doc.clientID)?.user, { name: 'Ann', color: '#ff0000' }, 'b sees a');
    a.disconnect();
    // Presence goes out once per window (O1); the leave rides in the next one.
    await sim.advance(AWARENESS_TICK_MS);
    assert.equal(b.peers.has(a.doc.clientID), false, 'a removed from b');
  });

  it('P8 a client joining later is told who is already there', async () => {
    sim = new Sim();
    const node = sim.node();
    const a = await node.connect('p8-late');
    await sim.run();
    a.setPresence({ user: { name: 'Ann', color: '#ff0000' } });
    await sim.run();
    const late = await node.connect('p8-late');
    await sim.run();
    assert.deepEqual(late.peers.get(a.doc.clientID)?.user, { name: 'Ann', color: '#ff0000' });
  });

  it("P10 presence its client stopped renewing is dropped after 30 s by the node's one sweep, the connection kept", async () => {
    sim = new Sim();
    const node = sim.node();
    const a = await node.connect('p10');
    const b = await node.connect('p10');
    await sim.run();
    a.setPresence({ user: { name: 'Ann', color: '#ff0000' } });
    await sim.run();
    assert.ok(b.peers.has(a.doc.clientID), 'b sees a');
    const [room] = await node.rooms.loaded();
    const meta = room!.awareness.meta.get(a.doc.clientID)!;
    // The sweep reads wall time, as y-protocols stamps it: make a's state 30 s old instead of waiting.
    meta.lastUpdated -= 29_000;
    await sim.advance(EXPIRY_CHECK_MS + AWARENESS_TICK_MS);
    assert.ok(b.peers.has(a.doc.clientID), 'not yet outdated at 29 s');
    meta.lastUpdated -= 1_000;
    await sim.advance(EXPIRY_CHECK_MS + AWARENESS_TICK_MS);
    assert.equal(b.peers.has(a.doc.clientID), false, 'outdated: removed for b');
    assert.equal(room!.awareness.states.has(a.doc.clientID), false);
    assert.ok(a.isConnected, 'a timed-out presence is not a disconnect');
  });
});
