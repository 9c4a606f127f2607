import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { VersionMeta } from '../../src/history/versions.js';
import { Sim, type SimNode } from '../../testing/sim/sim.js';

const newest = async (node: SimNode, pad: string) => {
  const r = await node.versionsApi('GET', `/api/pads/${pad}/versions`);
  return (r.body as { versions: VersionMeta[] }).versions[0]!;
};

/** History lists refresh live: every version, whatever recorded it and on whichever node, is announced. */
describe('Version announcements (harness)', () => {
  let sim: Sim;
  afterEach(() => sim.close());

  it('V7 a version recorded on one node is announced to padmesh=2 clients on every node, never to padmesh=1 ones', async () => {
    sim = new Sim();
    const n1 = sim.node({ id: 'n1', cluster: true, settings: { versionIdleMs: 300 } });
    const n2 = sim.node({ id: 'n2', cluster: true, settings: { versionIdleMs: 300 } });
    const a = await n1.connect('v7', { versions: true });
    const b = await n2.connect('v7', { versions: true });
    const old = await n1.connect('v7'); // padmesh=1: acknowledgements only
    await sim.run();
    a.setPresence({ user: { name: 'Ann', color: '#d1495b' } });
    a.insert(0, 'draft');
    await sim.run();
    await sim.advance(300); // the idle version, recorded on n1 where the edit was made
    await sim.run();
    const idle = await newest(n1, 'v7');
    assert.equal(idle.reason, 'idle');
    assert.deepEqual(a.receivedOf('versions'), [{ type: 'versions', latest: idle.id }], 'same node');
    assert.deepEqual(b.receivedOf('versions'), [{ type: 'versions', latest: idle.id }], 'other node, over the bus');

    // A save requested on n2 (the History panel's button) reaches n1's client too.
    const saved = await n2.versionsApi('POST', '/api/pads/v7/versions', JSON.stringify({ name: 'named' }));
    assert.equal(saved.status, 201);
    const named = (saved.body as { version: VersionMeta }).version;
    await sim.run();
    assert.equal(a.receivedOf('versions').at(-1)?.latest, named.id);
    assert.equal(b.receivedOf('versions').at(-1)?.latest, named.id);

    // A restore is a version as well.
    a.insert(5, ' and more');
    await sim.run();
    const res = await n1.versionsApi('POST', `/api/pads/v7/versions/${idle.id}/restore`);
    assert.equal(res.status, 200);
    await sim.run();
    const restored = await newest(n1, 'v7');
    assert.equal(restored.reason, 'restore');
    assert.equal(b.receivedOf('versions').at(-1)?.latest, restored.id);
    assert.equal(a.receivedOf('versions').at(-1)?.latest, restored.id);

    assert.deepEqual(old.receivedOf('versions'), [], 'a padmesh=1 client never gets a message it may not know');
  });
});
