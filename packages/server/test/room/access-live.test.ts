import { CloseCode } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import { padPrefix } from '../../src/persistence/side-data-keys.js';
import { Sim } from '../../testing/sim/sim.js';
import { updateFrame } from '../../testing/hostile-frames.js';

/** Access is checked on every change of access, not only at connect (SPEC "Ownership"). */
describe('live access: sockets that no longer qualify are closed', () => {
  it('OW8 a password set through one node closes the sockets on the other nodes; unlocked ones and other pads stay', async () => {
    const sim = new Sim();
    const a = sim.node({ cluster: true });
    const b = sim.node({ cluster: true });
    const onB = await b.connect('team', { credential: { token: undefined } });
    const onA = await a.connect('team', { credential: { token: undefined } });
    const bystander = await b.connect('other', { credential: { token: undefined } });
    await sim.run();
    onA.insert(0, 'plans');
    await sim.run();
    assert.equal(onB.text, 'plans');

    await sim.until(a.access.setPassword('team', 'pw'), 'setting the password');
    await sim.run();
    assert.equal(onB.closeCode, CloseCode.PasswordRequired, 'the socket on the other node is closed');
    assert.equal(onA.closeCode, CloseCode.PasswordRequired, 'and the one on the node that made the change');
    assert.equal(bystander.closeCode, null, 'a socket on another pad did not notice');

    const token = b.access.unlockToken('team', await b.access.meta('team'))!;
    const unlocked = await b.connect('team', { credential: { token } });
    await sim.run();
    assert.equal(unlocked.text, 'plans');
    await sim.until(a.access.setPassword('team', 'pw2'), 'changing the password');
    await sim.run();
    assert.equal(unlocked.closeCode, CloseCode.PasswordRequired, 'a token for the old password is void at once');
    await sim.close();
  });

  it('OW12 a viewer reconnecting with a cached doc, deletions included, is not refused', async () => {
    const sim = new Sim();
    const node = sim.node();
    const writer = await node.connect('ro');
    await sim.run();
    writer.insert(0, 'hello world');
    await sim.run();
    writer.delete(5, 6);
    await sim.run();
    const id = await sim.until(node.access.readOnlyId('ro'));
    const viewer = await node.connect('ro', { readOnly: true, credential: { readOnlyId: id } });
    await sim.run();
    assert.equal(viewer.text, 'hello');
    viewer.disconnect();
    await sim.run();

    const again = await node.connect('ro', { readOnly: true, doc: viewer.doc, credential: { readOnlyId: id } });
    await sim.run();
    assert.equal(again.closeCode, null, 'sync step 2 with the delete set it already had is not an edit');
    writer.insert(5, '!');
    await sim.run();
    assert.equal(again.text, 'hello!', 'and it keeps following live edits');

    again.insert(0, 'x');
    await sim.run();
    assert.equal(again.closeCode, CloseCode.ReadOnly, 'a real edit still closes it (4405)');
    assert.equal(writer.text, 'hello!');
    await sim.close();
  });

  it("OW12 HI1 a viewer's delete set is checked range by range and its walk charged: deleting a live item is refused (4405), repeating a known one spends the budget (4415)", async () => {
    const sim = new Sim();
    const node = sim.node();
    const writer = await node.connect('ro-ds');
    await sim.run();
    // 20,000 one-character items that cannot merge (each inserted at the start), all deleted.
    const t = writer.doc.getText('content');
    writer.doc.transact(() => {
      for (let i = 0; i < 20_000; i++) t.insert(0, 'x');
    });
    t.delete(0, 20_000);
    writer.insert(0, 'kept');
    await sim.run();
    assert.equal(writer.closeCode, null);
    const id = await sim.until(node.access.readOnlyId('ro-ds'));
    const me = writer.doc.clientID;
    // A frame with no structs and one delete range over the writer's first 20,000 clocks.
    const deletes = (from: number, len: number) => {
      const e = encoding.createEncoder();
      for (const n of [0, 1, me, 1, from, len]) encoding.writeVarUint(e, n);
      return updateFrame(encoding.toUint8Array(e));
    };
    const viewer = await node.connect('ro-ds', { readOnly: true, credential: { readOnlyId: id } });
    await sim.run();
    viewer.sendRaw(deletes(0, 20_000));
    await sim.run();
    assert.equal(viewer.closeCode, null, 'deleting what is deleted changes nothing');
    for (let i = 0; i < 2_000 && viewer.closeCode === null; i++) {
      viewer.sendRaw(deletes(0, 20_000));
      await sim.run();
    }
    assert.equal(viewer.closeCode, CloseCode.UpdateTooComplex, `closed ${viewer.closeCode} ${viewer.closeReason}`);
    const other = await node.connect('ro-ds', { readOnly: true, credential: { readOnlyId: id } });
    await sim.run();
    other.sendRaw(deletes(20_000, 1));
    await sim.run();
    assert.equal(other.closeCode, CloseCode.ReadOnly, 'deleting a live character is an edit');
    assert.equal(writer.text, 'kept');
    await sim.close();
  });

  it('OW9 rotating or revoking the read-only link closes its viewers with 4406; writers stay', async () => {
    const sim = new Sim();
    const node = sim.node();
    const writer = await node.connect('shared');
    const id = await sim.until(node.access.readOnlyId('shared'));
    const viewer = await node.connect('shared', { readOnly: true, credential: { readOnlyId: id } });
    await sim.run();
    const fresh = await sim.until(node.access.rotateReadOnly('shared'));
    await sim.run();
    assert.equal(viewer.closeCode, CloseCode.LinkRevoked);
    const second = await node.connect('shared', { readOnly: true, credential: { readOnlyId: fresh } });
    await sim.run();
    assert.equal(second.closeCode, null, 'the new link works');
    await sim.until(node.access.revokeReadOnly('shared'));
    await sim.run();
    assert.equal(second.closeCode, CloseCode.LinkRevoked);
    assert.equal(writer.closeCode, null);
    await sim.close();
  });

  it('OW10 deleting a pad closes its sockets with 4410 on every node and nothing is written back', async () => {
    const sim = new Sim();
    const a = sim.node({ cluster: true });
    const b = sim.node({ cluster: true });
    const onA = await a.connect('doomed');
    const onB = await b.connect('doomed');
    const bystander = await b.connect('kept');
    await sim.run();
    onA.insert(0, 'secret plans');
    bystander.insert(0, 'keep me');
    await sim.run();
    await sim.until(b.batcher.flushed());
    const id = await sim.until(a.access.readOnlyId('doomed'));
    assert.ok(id);
    // An edit the room has batched but not yet stored when the deletion lands.
    onB.insert(0, 'late ');
    onB.flushUp();

    await sim.until(a.access.deletePad('doomed'), 'deleting');
    await sim.run();
    assert.equal(onA.closeCode, CloseCode.PadDeleted);
    assert.equal(onB.closeCode, CloseCode.PadDeleted);
    assert.equal(bystander.closeCode, null);

    // Idle unload, compaction and version timers would all write if the room were still alive.
    await sim.advance(10 * 60_000);
    await sim.until(a.batcher.flushed());
    await sim.until(b.batcher.flushed());
    const stored = await sim.storage.load('doomed');
    assert.equal(stored.lastSeq, 0, 'no log, no snapshot');
    assert.deepEqual(
      (await sim.storage.records.list(padPrefix('doomed'))).map((r) => r.key),
      [],
      'no side data (versions, access)',
    );
    assert.ok(!(await sim.storage.listPads()).includes('doomed'));
    assert.ok((await sim.storage.load('kept')).lastSeq > 0, 'the other pad is untouched');
    assert.equal((await a.access.meta('doomed')).deleted, true, 'the tombstone stays');
    await sim.close();
  });
});
