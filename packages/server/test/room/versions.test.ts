import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { VersionMeta } from '../../src/history/versions.js';
import { Sim, type SimNode } from '../../testing/sim/sim.js';

const list = async (node: SimNode, pad: string) => {
  const r = await node.versionsApi('GET', `/api/pads/${pad}/versions`);
  assert.equal(r.status, 200);
  return (r.body as { versions: VersionMeta[] }).versions;
};
const save = async (node: SimNode, pad: string, name?: string) => {
  const r = await node.versionsApi(
    'POST',
    `/api/pads/${pad}/versions`,
    name === undefined ? '' : JSON.stringify({ name }),
  );
  assert.equal(r.status, 201);
  return (r.body as { version: VersionMeta }).version;
};
const text = async (node: SimNode, pad: string, id: string) => {
  const r = await node.versionsApi('GET', `/api/pads/${pad}/versions/${id}`);
  assert.equal(r.status, 200);
  return r.body as string;
};
/** A client that introduces itself by presence, as the web app does (authors are learned from it). */
const author = async (node: SimNode, pad: string, name: string) => {
  const c = await node.connect(pad);
  c.setPresence({ user: { name, color: '#d1495b' } });
  return c;
};

describe('Document history (harness)', () => {
  let sim: Sim;
  afterEach(() => sim.close());

  it('V1 a pause in editing records a version with its authors and size; a request records a named one', async () => {
    sim = new Sim();
    const node = sim.node({ settings: { versionIdleMs: 300 } });
    const ann = await author(node, 'v1', 'Ann');
    await sim.run();
    ann.insert(0, 'first draft');
    await sim.run();
    assert.equal(ann.acked, ann.sent);
    await sim.advance(299);
    assert.deepEqual(await list(node, 'v1'), [], 'no version before the pause is long enough');
    await sim.advance(1);
    const [auto, ...more] = await list(node, 'v1');
    assert.equal(more.length, 0);
    assert.equal(auto!.reason, 'idle');
    assert.equal(auto!.size, 'first draft'.length);
    assert.deepEqual(
      auto!.authors.map((a) => a.name),
      ['Ann'],
    );
    ann.insert(11, ', revised');
    await sim.run();
    const named = await save(node, 'v1', 'Before review');
    assert.equal(named.name, 'Before review');
    assert.equal(named.reason, 'request');
    assert.equal((await list(node, 'v1'))[0]!.name, 'Before review', 'newest first');
    assert.equal(await text(node, 'v1', named.id), 'first draft, revised');
  });

  it('V1 continuous editing records a version at least every interval; a pause then records another', async () => {
    sim = new Sim();
    const node = sim.node({ settings: { versionIdleMs: 30_000, versionIntervalMs: 300_000 } });
    const c = await author(node, 'v1-interval', 'Ivy');
    await sim.run();
    // An edit every 10 s for 310 s: the pause never comes, the interval does.
    for (let t = 0; t <= 310_000; t += 10_000) {
      c.insert(c.text.length, '.');
      await sim.run();
      if (t === 290_000) assert.deepEqual(await list(node, 'v1-interval'), [], 'nothing before the interval');
      await sim.advance(10_000);
    }
    const versions = await list(node, 'v1-interval');
    assert.deepEqual(
      versions.map((v) => v.reason),
      ['interval'],
    );
    assert.deepEqual(
      versions[0]!.authors.map((a) => a.name),
      ['Ivy'],
    );
    await sim.advance(30_000);
    assert.deepEqual(
      (await list(node, 'v1-interval')).map((v) => v.reason),
      ['idle', 'interval'],
    );
  });

  it('V1 a pad that unloads with unrecorded edits records them', async () => {
    sim = new Sim();
    const node = sim.node({ settings: { versionIdleMs: 600_000, padIdleMs: 200 } });
    const c = await author(node, 'v1-close', 'Cal');
    await sim.run();
    c.insert(0, 'last words');
    await sim.run();
    c.disconnect();
    await sim.advance(200);
    assert.equal(node.rooms.size, 0, 'unloaded');
    const versions = await list(node, 'v1-close');
    assert.deepEqual(
      versions.map((v) => [v.reason, v.size]),
      [['close', 'last words'.length]],
    );
  });

  it('V2 old versions keep their exact text after many edits and a restart', async () => {
    sim = new Sim();
    let node = sim.node({ settings: { versionIdleMs: 600_000 } });
    const c = await author(node, 'v2', 'Bo');
    await sim.run();
    const snapshots: { id: string; text: string }[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 40; i++) {
        const len = c.text.length;
        if (len > 10 && i % 3 === 0) c.delete(i % len, 2);
        else c.insert(Math.floor(len / 2), `r${round}i${i} `);
      }
      await sim.run();
      assert.equal(c.acked, c.sent);
      snapshots.push({ id: (await save(node, 'v2')).id, text: c.text });
    }
    await node.close();
    node = sim.node({ settings: { versionIdleMs: 600_000 } });
    for (const s of snapshots) assert.equal(await text(node, 'v2', s.id), s.text);
    assert.equal((await list(node, 'v2')).length, 5);
  });

  it('V3 restoring a version is a live edit others see, and itself a version; nothing is destroyed', async () => {
    sim = new Sim();
    const node = sim.node({ settings: { versionIdleMs: 600_000 } });
    const a = await author(node, 'v3', 'Cy');
    const b = await author(node, 'v3', 'Di');
    await sim.run();
    a.insert(0, 'good text');
    await sim.run();
    const good = await save(node, 'v3', 'good');
    a.delete(0, 4);
    a.insert(0, 'oops, deleted the');
    await sim.run();
    assert.equal(b.text, 'oops, deleted the text', 'b sees the mistake');
    const updatesBefore = b.receivedOf('update').length;
    const res = await node.versionsApi('POST', `/api/pads/v3/versions/${good.id}/restore`);
    assert.equal(res.status, 200);
    const { version } = res.body as { version: VersionMeta };
    assert.equal(version.reason, 'restore');
    await sim.run();
    assert.equal(b.text, 'good text', 'b sees the restore live');
    assert.ok(b.receivedOf('update').length > updatesBefore, 'as a CRDT update, not a reload');
    assert.equal(b.closeCode, null);
    assert.equal(await sim.stored('v3'), 'good text');
    const versions = await list(node, 'v3');
    assert.ok(
      versions.some((v) => v.id === good.id),
      'the restored version is still there',
    );
    assert.equal(versions[0]!.reason, 'restore');
  });

  it('V4 a version can be read as JSON with text spans coloured by author', async () => {
    sim = new Sim();
    const node = sim.node({ settings: { versionIdleMs: 600_000 } });
    const e = await author(node, 'v4', 'Eve');
    const f = await author(node, 'v4', 'Fay');
    await sim.run();
    e.insert(0, 'from eve ');
    await sim.run();
    assert.equal(f.text, 'from eve ', 'f synced');
    f.insert(9, 'from fay');
    await sim.run();
    assert.equal(e.text, 'from eve from fay', 'e synced');
    const v = await save(node, 'v4');
    const r = await node.versionsApi('GET', `/api/pads/v4/versions/${v.id}?format=json`);
    const body = r.body as { text: string; spans: { from: number; to: number; author: { name: string } | null }[] };
    assert.equal(body.text, 'from eve from fay');
    assert.deepEqual(
      body.spans.map((s) => [s.from, s.to, s.author?.name]),
      [
        [0, 9, 'Eve'],
        [9, 17, 'Fay'],
      ],
    );
  });

  it('V5 retention keeps the newest versions, dropping unnamed ones first; bad ids are 400/404', async () => {
    sim = new Sim();
    const node = sim.node({ settings: { versionIdleMs: 600_000, historyMaxVersions: 3 } });
    const c = await author(node, 'v5', 'Gus');
    await sim.run();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      c.insert(c.text.length, `${i}`);
      await sim.run();
      ids.push((await save(node, 'v5', i === 0 ? 'keep me' : undefined)).id);
    }
    const versions = await list(node, 'v5');
    assert.equal(versions.length, 3);
    assert.ok(
      versions.some((v) => v.name === 'keep me'),
      'the named version outlives newer unnamed ones',
    );
    assert.deepEqual(
      versions.map((v) => v.id),
      [ids[4], ids[3], ids[0]],
      'the newest unnamed ones stay',
    );
    assert.equal((await node.versionsApi('GET', `/api/pads/v5/versions/${ids[1]}`)).status, 404);
    assert.equal((await node.versionsApi('GET', '/api/pads/v5/versions/not-an-id')).status, 400);
    assert.equal((await node.versionsApi('POST', '/api/pads/v5/versions', '{"name": 5}')).status, 400);
  });
});
