import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACCESS_CHANNEL, decodeAccessChange, encodeAccessChange } from '../src/access/live-access.js';
import type { Bus, BusMessage } from '../src/cluster/bus/types.js';

/** The Bus contract: every implementation runs these scenarios with two nodes on one pad. */
export function busContract(name: string, open: () => Promise<[Bus, Bus]>): void {
  describe(`Bus contract: ${name}`, () => {
    let a: Bus;
    let b: Bus;
    const pad = `bus-${process.pid}-${Date.now().toString(36)}`;
    before(async () => {
      [a, b] = await open();
    });
    after(async () => {
      await a.close();
      await b.close();
    });

    const collect = async (bus: Bus, p: string) => {
      const got: BusMessage[] = [];
      await bus.subscribe(p, (m) => got.push(m));
      return got;
    };
    const until = async (check: () => boolean, what: string) => {
      const deadline = Date.now() + 5_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };

    it('BUS1 a published message reaches the other node, in order, bytes intact', async () => {
      const got = await collect(b, pad);
      await collect(a, pad);
      for (let i = 0; i < 50; i++) a.publish(pad, { kind: 'update', from: 'a', data: new Uint8Array([i, 255 - i, 0]) });
      await until(() => got.length === 50, '50 messages');
      assert.deepEqual(
        got.map((m) => m.data[0]),
        Array.from({ length: 50 }, (_, i) => i),
      );
      assert.deepEqual([...got[7]!.data], [7, 248, 0]);
      assert.equal(got[0]!.from, 'a');
    });

    it('BUS2 pads are separate channels, and unsubscribing stops delivery', async () => {
      const other = `${pad}-other`;
      const gotOther = await collect(b, other);
      a.publish(`${pad}-third`, { kind: 'awareness', from: 'a', data: new Uint8Array([1]) });
      a.publish(other, { kind: 'state', from: 'a', data: new Uint8Array([2]) });
      await until(() => gotOther.length === 1, 'one message on the other pad');
      assert.equal(gotOther[0]!.kind, 'state');
      await b.unsubscribe(other);
      a.publish(other, { kind: 'state', from: 'a', data: new Uint8Array([3]) });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(gotOther.length, 1);
    });

    it('OW8 an access change crosses on the shared :access channel, intact', async () => {
      const got = await collect(b, ACCESS_CHANNEL);
      await collect(a, ACCESS_CHANNEL);
      a.publish(ACCESS_CHANNEL, { kind: 'access', from: 'a', data: encodeAccessChange('some-pad', 'password') });
      await until(() => got.length === 1, 'the access change');
      assert.equal(got[0]!.kind, 'access');
      assert.deepEqual(decodeAccessChange(got[0]!.data), { pad: 'some-pad', change: 'password' });
      await b.unsubscribe(ACCESS_CHANNEL);
    });

    it('BUS3 a healthy bus says so', () => {
      assert.equal(a.healthy, true);
    });
  });
}
