import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PadAccess, hashPassword } from '../src/access/pad-access.js';
import { padPrefix, readOnlyLinkKey } from '../src/persistence/side-data-keys.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { writeLegacyAccess } from '../testing/legacy-layout.js';

const secret = Buffer.alloc(32, 7);
const open = async (a: PadAccess, pad: string, token?: string) => a.unlocked(pad, await a.meta(pad), token);

describe('Access settings in Storage.records', () => {
  it('K3 a password and read-only link in the legacy layout still hold; a removal masks them', async () => {
    const storage = new MemoryStorage();
    const link = 'L'.repeat(24);
    await writeLegacyAccess(storage, 'old', { passwordHash: await hashPassword('pw'), readOnlyId: link });
    const access = new PadAccess(storage, { secret });
    const meta = await access.meta('old');
    assert.ok(meta.passwordHash, 'the legacy password still protects the pad');
    assert.equal(await open(access, 'old'), false);
    assert.equal(await open(access, 'old', access.unlockToken('old', meta)!), true);
    assert.equal(await access.readOnlyId('old'), link, 'the legacy read-only link is kept');
    assert.equal(await access.padForReadOnly(link), 'old');

    await access.setPassword('old', '');
    assert.equal(await open(access, 'old'), true, 'removed');
    const otherNode = new PadAccess(storage, { secret });
    assert.equal((await otherNode.meta('old')).passwordHash, null, 'the legacy hash stays masked on every node');
    assert.equal((await otherNode.meta('old')).readOnlyId, link);
  });

  it('OW8 nothing is cached: a password set through one node holds on another at once', async () => {
    const storage = new MemoryStorage();
    const [a, b] = [new PadAccess(storage, { secret }), new PadAccess(storage, { secret })];
    assert.equal(await open(a, 'p'), true);
    await b.setPassword('p', 'secret');
    assert.equal(await open(a, 'p'), false, 'the other node sees it on the next check');
  });

  it("K2 a new read-only link lives in records: one per pad, found by id, removable with the pad's prefix", async () => {
    const storage = new MemoryStorage();
    const access = new PadAccess(storage, { secret });
    const id = await access.readOnlyId('p');
    assert.equal(await access.readOnlyId('p'), id);
    assert.equal(await access.padForReadOnly(id), 'p');
    await access.setPassword('p', 'pw');
    // Setting a password revokes the link (OW9): its id record stays, empty.
    assert.deepEqual(
      (await storage.records.list(padPrefix('p'))).map((r) => r.key),
      [`${padPrefix('p')}access/password`, `${padPrefix('p')}access/read-only`],
    );
    await storage.records.deletePrefix(padPrefix('p'));
    await storage.records.delete([readOnlyLinkKey(id)]);
    const fresh = new PadAccess(storage, { secret });
    assert.deepEqual(await fresh.meta('p'), {
      passwordHash: null,
      readOnlyId: null,
      ownerHash: null,
      expiresAt: null,
      deleted: false,
    });
    assert.equal(await fresh.padForReadOnly(id), null);
  });
});
