import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Sim } from '../../testing/sim/sim.js';

describe('in-process harness', () => {
  const sim = new Sim();
  after(() => sim.close());

  it('two clients converge and both are acknowledged', async () => {
    const node = sim.node();
    const a = await node.connect('smoke');
    const b = await node.connect('smoke');
    await sim.run();
    a.insert(0, 'hello');
    await sim.run();
    assert.equal(b.text, 'hello');
    b.insert(5, ' world');
    await sim.run();
    assert.equal(a.text, 'hello world');
    assert.equal(a.acked, a.sent);
    assert.equal(b.acked, b.sent);
  });
});
