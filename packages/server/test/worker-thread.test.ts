import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import * as Y from 'yjs';
import { Compactor, inlineFolder } from '../src/persistence/compactor.js';
import { WorkerCalls } from '../src/worker-thread.js';

/**
 * A worker that answers `{ id, echo }` after `delay` ms, fails `{ fail }` with a coded error,
 * and exits at once on `{ exit }`; it says it is ready unless told not to.
 */
const script = (ready: boolean) => `
  const { parentPort } = require('node:worker_threads');
  ${ready ? "parentPort.postMessage({ id: 0, ok: true, value: 'ready' });" : ''}
  parentPort.on('message', (m) => {
    if (m.exit) process.exit(3);
    if (m.fail) return parentPort.postMessage({ id: m.id, ok: false, error: { message: m.fail, code: 'E_TEST', name: 'TypeError' } });
    setTimeout(() => parentPort.postMessage({ id: m.id, ok: true, value: m.echo }), m.delay ?? 0);
  });
`;

function calls(ready = true) {
  let deaths = 0;
  const c = new WorkerCalls(new Worker(script(ready), { eval: true }), 'test', () => deaths++);
  return { c, deaths: () => deaths };
}

describe('worker thread calls', () => {
  it('W1 each reply settles the call with its id, whatever the order', async () => {
    const { c } = calls();
    await c.ready;
    const slow = c.call<string>({ echo: 'slow', delay: 50 });
    const fast = c.call<string>({ echo: 'fast' });
    assert.equal(await Promise.race([slow, fast]), 'fast');
    assert.deepEqual(await Promise.all([slow, fast]), ['slow', 'fast']);
    await c.worker.terminate();
  });

  it('W2 an error thrown on the worker reaches the caller with its message, code and name', async () => {
    const { c } = calls();
    await assert.rejects(
      c.call({ fail: 'disk full' }),
      (e: Error & { code?: string }) => e.message === 'disk full' && e.code === 'E_TEST' && e.name === 'TypeError',
    );
    await c.worker.terminate();
  });

  it('W3 a worker that dies fails the calls in flight and every later call, and tells its owner once', async () => {
    const { c, deaths } = calls();
    await c.ready;
    const pending = c.call({ echo: 'never', delay: 10_000 });
    const killer = c.call({ exit: true });
    await assert.rejects(pending, /test thread exited \(code 3\)/);
    await assert.rejects(killer, /exited/);
    await assert.rejects(c.call({ echo: 'late' }), /exited/);
    assert.equal(deaths(), 1);
  });

  it('W4 a worker that dies before it is ready rejects `ready`', async () => {
    const { c } = calls(false);
    void c.call({ exit: true }).catch(() => {});
    await assert.rejects(c.ready, /exited \(code 3\)/);
  });
});

describe('compactor thread', () => {
  const history = () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 200; i++) doc.getText('content').insert(i, String(i % 10));
    return { text: doc.getText('content').toString(), updates };
  };

  it('W5 folds on its thread to the same text as inline, reports entries that do not decode, and refuses work once closed', async () => {
    const { text, updates } = history();
    const withBad = [...updates.slice(0, 100), Uint8Array.of(255, 255, 255), ...updates.slice(100)];
    const compactor = new Compactor();
    const [threaded, inline] = await Promise.all([compactor.fold(null, withBad), inlineFolder.fold(null, withBad)]);
    assert.deepEqual(threaded.badUpdates, [100]);
    assert.deepEqual(threaded.badUpdates, inline.badUpdates);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, threaded.state);
    assert.equal(doc.getText('content').toString(), text);
    await compactor.close();
    await assert.rejects(compactor.fold(null, updates), /compactor closed/);
  });
});
