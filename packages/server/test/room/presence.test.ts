import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { AWARENESS_TICK_MS } from '../../src/room/fanout.js';
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
});
