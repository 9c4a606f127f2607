import { encodeMessage } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { FuzzFailure, fuzzRound } from '../../testing/fuzz/round.js';
import { Sim } from '../../testing/sim/sim.js';
import { testSeed } from '../../testing/wait.js';

/** The short seeded round's budget: stops at whichever comes first. */
const ROUND_MESSAGES = Number(process.env.FUZZ_MESSAGES ?? 400);
const ROUND_MS = Number(process.env.FUZZ_MS ?? 7_000);

async function round(seed: number, messages: number, ms: number) {
  try {
    return await fuzzRound({ seed, messages, timeLimitMs: ms });
  } catch (err) {
    if (err instanceof FuzzFailure) err.message = `${err.message}\n(replay with TEST_SEED=${seed})`;
    throw err;
  }
}

function frame(update: Uint8Array): Uint8Array {
  return encodeMessage({ type: 'update', update });
}

describe('Hostile input, structure-aware fuzz (HF)', () => {
  it(`HF1-HF6 a seeded round of valid-but-pathological and mutated updates (${ROUND_MESSAGES} messages or ${ROUND_MS} ms)`, async () => {
    const seed = testSeed('HF');
    const r = await round(seed, ROUND_MESSAGES, ROUND_MS);
    process.stdout.write(
      `# HF: ${r.messages} messages on ${r.epochs} pads in ${Math.round(r.elapsedMs)} ms; ` +
        `longest handling ${r.longest.ms.toFixed(1)} ms (${r.longest.what})\n`,
    );
    assert.ok(r.messages > 0);
  });

  // Pinned seeds: each once failed the round, for the reason in its name.
  it('HF4 pinned seed 1, 60 messages (a typist whose text a held delete set removed was never told)', async () => {
    await round(1, 60, 60_000);
  });

  it('HF4 a delete set naming clocks a client has yet to type: when it types them, it hears they are deleted', async () => {
    const sim = new Sim();
    const node = sim.node();
    try {
      const typist = await node.connect('ahead');
      const other = await node.connect('ahead');
      const evil = await node.connect('ahead');
      await sim.run();
      typist.insert(0, 'ab');
      await sim.run();
      // Deletes clocks 2..5 of the typist: it has written 0..1 so far, so Yjs holds them pending.
      const enc = new Y.UpdateEncoderV1();
      encoding.writeVarUint(enc.restEncoder, 0);
      encoding.writeVarUint(enc.restEncoder, 1);
      encoding.writeVarUint(enc.restEncoder, typist.doc.clientID);
      encoding.writeVarUint(enc.restEncoder, 1);
      enc.writeDsClock(2);
      enc.writeDsLen(4);
      evil.sendRaw(frame(enc.toUint8Array()));
      await sim.run();
      typist.insert(2, 'cdef');
      await sim.run();
      const live = node.rooms.peek('ahead')!.text;
      assert.equal(live, 'ab', 'the held delete applies to the typing it names');
      assert.equal(other.text, live);
      assert.equal(typist.text, live, 'the typist is told, though the batch was its own');
      assert.equal(await sim.stored('ahead'), live);
    } finally {
      await sim.close();
    }
  });

  it('HF3 a merged update with a missing link inside (a skip) is stored as received and acknowledged once the link is stored too', async () => {
    const sim = new Sim();
    const node = sim.node();
    try {
      const c = await node.connect('gap');
      await sim.run();
      const src = new Y.Doc();
      const t = src.getText('content');
      const steps: Uint8Array[] = [];
      src.on('update', (u: Uint8Array) => steps.push(u));
      for (const s of ['one ', 'two ', 'three']) t.insert(t.length, s);
      // The first and third edits merged: Yjs writes a skip where the second was.
      const merged = Y.mergeUpdates([steps[0]!, steps[2]!]);
      c.sendRaw(frame(merged));
      c.sent++;
      await sim.run();
      assert.equal(c.closeCode, null);
      assert.equal(c.acked, c.sent - 1, 'not acknowledged while part of it waits for the link (P2)');
      const stored = await sim.storage.load('gap');
      assert.ok(
        stored.updates.some((u) => Buffer.from(u).equals(Buffer.from(merged))),
        'the held part is in storage as received',
      );
      // The missing link arrives: the pad, live and reloaded, holds all three.
      c.sendRaw(frame(steps[1]!));
      c.sent++;
      await sim.run();
      assert.equal(c.acked, c.sent, 'both acknowledged once the link is stored');
      assert.equal(node.rooms.peek('gap')!.text, 'one two three');
      assert.equal(await sim.stored('gap'), 'one two three');
    } finally {
      await sim.close();
    }
  });

  it('HF3 a block ending in a skip, or of a skip alone, is acknowledged once stored: a skip carries nothing to wait for (seed 1126101)', async () => {
    const sim = new Sim();
    const node = sim.node();
    try {
      const c = await node.connect('skips');
      await sim.run();
      // The long round's frame, bytes flipped: one block of client 115 holding a single skip of
      // 26,204,754,500 clocks, no deletes (and trailing bytes Yjs does not read).
      const lone = Buffer.from('010173f389d9070ac4a4b3cf6100dcf3899a0700066d6ce282ac6d00', 'hex');
      c.sendRaw(frame(lone));
      c.sent++;
      await sim.run();
      assert.equal(c.closeCode, null);
      assert.equal(c.acked, c.sent, 'a lone skip is acknowledged (it waited for clocks no one sends)');
      // A real struct, then a skip: the struct integrates and the message is acknowledged.
      const src = new Y.Doc();
      src.clientID = 777;
      src.getText('content').insert(0, 'ab');
      const item = Y.decodeUpdate(Y.encodeStateAsUpdate(src)).structs[0] as Y.Item;
      const enc = new Y.UpdateEncoderV1();
      encoding.writeVarUint(enc.restEncoder, 1); // one block
      encoding.writeVarUint(enc.restEncoder, 2); // of two structs
      encoding.writeVarUint(enc.restEncoder, 777);
      encoding.writeVarUint(enc.restEncoder, 0);
      item.write(enc, 0);
      encoding.writeUint8(enc.restEncoder, 10); // a skip of 5 clocks
      encoding.writeVarUint(enc.restEncoder, 5);
      encoding.writeVarUint(enc.restEncoder, 0); // no deletes
      c.sendRaw(frame(enc.toUint8Array()));
      c.sent++;
      await sim.run();
      assert.equal(c.closeCode, null);
      assert.equal(node.rooms.peek('skips')!.text, 'ab');
      assert.equal(c.acked, c.sent, 'a trailing skip is not waited for');
      // Acknowledgements go in order: nothing held, so the connection's next edit is acknowledged too.
      c.insert(2, 'c');
      await sim.run();
      assert.equal(c.acked, c.sent);
      assert.equal(await sim.stored('skips'), 'abc');
    } finally {
      await sim.close();
    }
  });
});
