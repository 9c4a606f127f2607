import { decodeMessage } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Sim } from '../../testing/sim/sim.js';
import type { SimClient } from '../../testing/sim/sim-client.js';

/** Frames the server has queued for `c`, not yet read, with their types. */
const queued = (c: SimClient) => c.socket.outbox.map((bytes) => ({ bytes, type: decodeMessage(bytes).type }));

describe('Fan-out (harness)', () => {
  let sim: Sim;
  afterEach(() => sim.close());

  it('O2 fresh joiners share one full-state frame until the pad changes, then see the change', async () => {
    sim = new Sim();
    const node = sim.node();
    const a = await node.connect('p9');
    await sim.run();
    a.insert(0, 'one');
    await sim.run();
    assert.equal(a.acked, a.sent);
    const b = await node.connect('p9');
    const c = await node.connect('p9');
    b.flushUp();
    c.flushUp();
    await sim.clock.flush();
    const fb = queued(b).find((f) => f.type === 'sync-step2')!;
    const fc = queued(c).find((f) => f.type === 'sync-step2')!;
    assert.equal(fb.bytes, fc.bytes, 'both joiners were sent the same cached frame (one encoding)');
    await sim.run();
    assert.equal(b.text, 'one');
    assert.equal(c.text, 'one');
    a.insert(3, ' two');
    await sim.run();
    assert.equal(a.acked, a.sent);
    const d = await node.connect('p9');
    await sim.run();
    assert.equal(d.text, 'one two', 'the cached frame was dropped when the pad changed');
  });

  it('O1 updates that arrive in one turn are applied, fanned out and stored as one merged update', async () => {
    sim = new Sim();
    const node = sim.node();
    const [a, b, c] = [await node.connect('o1'), await node.connect('o1'), await node.connect('o1')];
    await sim.run();
    a.insert(0, 'from a ');
    b.insert(0, 'from b ');
    const appendsBefore = (await sim.storage.load('o1')).updates.length;
    a.flushUp();
    b.flushUp();
    assert.equal(queued(c).length, 0, 'nothing is applied before the turn ends');
    await sim.clock.flush();
    const updates = queued(c).filter((f) => f.type === 'update');
    assert.equal(updates.length, 1, 'one merged frame for both edits');
    assert.equal(
      queued(a).find((f) => f.type === 'update')?.bytes,
      updates[0]!.bytes,
      'the same bytes go to every client',
    );
    await sim.run();
    assert.equal((await sim.storage.load('o1')).updates.length, appendsBefore + 1, 'stored as one log entry');
    assert.equal(c.text, a.text);
    assert.equal(b.text, a.text);
    assert.match(c.text, /from a/);
    assert.match(c.text, /from b/);
  });

  it('O1 a lone edit is sent at the end of its turn; its sender gets no echo', async () => {
    sim = new Sim();
    const node = sim.node();
    const [a, b] = [await node.connect('o1-lone'), await node.connect('o1-lone')];
    await sim.run();
    a.insert(0, 'x');
    a.flushUp();
    await sim.clock.flush();
    assert.deepEqual(
      queued(b).map((f) => f.type),
      ['update'],
      'b has the edit without any time passing',
    );
    assert.deepEqual(
      queued(a).map((f) => f.type),
      ['saved'],
      'a is acknowledged, not echoed',
    );
  });

  it('O1 presence is merged per 16 ms window (latest state only) and never overtakes pending text', async () => {
    sim = new Sim();
    const node = sim.node();
    const [a, b] = [await node.connect('o1-presence'), await node.connect('o1-presence')];
    await sim.run();
    a.setPresence({ user: { name: 'Ann', color: '#f00' }, cursor: 0 });
    await sim.run();
    assert.deepEqual(b.peers.get(a.doc.clientID)?.cursor, 0, 'the first change goes at once');
    const before = b.receivedOf('awareness').length;
    for (let i = 1; i <= 5; i++) a.setPresence({ user: { name: 'Ann', color: '#f00' }, cursor: i });
    await sim.run();
    assert.equal(b.receivedOf('awareness').length, before, 'later changes wait for the window');
    await sim.advance(16);
    assert.equal(b.receivedOf('awareness').length, before + 1, 'one merged frame per window');
    assert.equal(b.peers.get(a.doc.clientID)?.cursor, 5, 'carrying the latest state');

    // An edit and a cursor move in the same turn: the text frame goes first.
    await sim.advance(16);
    a.insert(0, 'typed');
    a.setPresence({ user: { name: 'Ann', color: '#f00' }, cursor: 5 });
    a.flushUp();
    await sim.clock.flush();
    const types = queued(b).map((f) => f.type);
    assert.ok(types.includes('awareness'), `presence was sent (${types})`);
    assert.ok(types.indexOf('update') < types.indexOf('awareness'), `text before presence (${types})`);
  });
});
