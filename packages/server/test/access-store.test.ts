import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PadAccess, hashPassword } from '../src/access/pad-access.js';
import { padPrefix, readOnlyLinkKey } from '../src/persistence/side-data-keys.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { writeLegacyAccess } from '../testing/legacy-layout.js';
import { ManualClock } from '../testing/manual-clock.js';

describe('Access settings in Storage.records', () => {
  it('K3 a password and read-only link in the legacy layout still hold; a removal masks them', async () => {
    const storage = new MemoryStorage();
    const link = 'L'.repeat(24);
    await writeLegacyAccess(storage, 'old', { passwordHash: await hashPassword('pw'), readOnlyId: link });
    const access = new PadAccess(storage, new ManualClock());
    const meta = await access.meta('old');
    assert.ok(meta.passwordHash, 'the legacy password still protects the pad');
    assert.equal(await access.allowed('old', undefined), false);
    assert.equal(await access.allowed('old', access.tokenFor('old', meta)!), true);
    assert.equal(await access.readOnlyId('old'), link, 'the legacy read-only link is kept');
    assert.equal(await access.padForReadOnly(link), 'old');

    await access.setPassword('old', '');
    assert.equal(await access.allowed('old', undefined), true, 'removed');
    const otherNode = new PadAccess(storage, new ManualClock());
    assert.equal((await otherNode.meta('old')).passwordHash, null, 'the legacy hash stays masked on every node');
    assert.equal((await otherNode.meta('old')).readOnlyId, link);
  });

  it('A1 a node trusts its cached settings for 2 s of its clock, then sees another node change them', async () => {
    const storage = new MemoryStorage();
    const clock = new ManualClock();
    const [a, b] = [new PadAccess(storage, clock), new PadAccess(storage, clock)];
    assert.equal(await a.allowed('p', undefined), true);
    await b.setPassword('p', 'secret');
    assert.equal(await a.allowed('p', undefined), true, 'still cached');
    await clock.advance(2_000);
    assert.equal(await a.allowed('p', undefined), false, 'the cache expired on the injected clock');
  });

  it("K2 a new read-only link lives in records: one per pad, found by id, removable with the pad's prefix", async () => {
    const storage = new MemoryStorage();
    const access = new PadAccess(storage, new ManualClock());
    const id = await access.readOnlyId('p');
    assert.equal(await access.readOnlyId('p'), id);
    assert.equal(await access.padForReadOnly(id), 'p');
    await access.setPassword('p', 'pw');
    assert.deepEqual(
      (await storage.records.list(padPrefix('p'))).map((r) => r.key),
      [`${padPrefix('p')}access/password`, `${padPrefix('p')}access/read-only`],
    );
    await storage.records.deletePrefix(padPrefix('p'));
    await storage.records.delete([readOnlyLinkKey(id)]);
    const fresh = new PadAccess(storage, new ManualClock());
    assert.deepEqual(await fresh.meta('p'), { passwordHash: null, readOnlyId: null });
    assert.equal(await fresh.padForReadOnly(id), null);
  });
});
