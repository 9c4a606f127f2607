import { CloseCode, encodeMessage } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Sim } from '../../testing/sim/sim.js';

/**
 * Input limits and hostile input, per connection and per pad (L4, L5, L9, L11, P4, P5, A2).
 * Each refusal closes the one connection with its code, stores nothing of the input, and a
 * bystander keeps working.
 */
describe('Limits and hostile input (harness)', () => {
  let sim: Sim;
  afterEach(() => sim.close());

  it('L4 a burst past the token bucket is slowed, not cut; a flood sustained past the bound is closed with 4529 and nothing after it is stored', async () => {
    sim = new Sim();
    const node = sim.node({ settings: { messagesPerSec: 5, messageBurst: 10, maxThrottledMs: 2_000 } });
    const bystander = await node.connect('elsewhere');
    const fast = await node.connect('fast');
    const flood = await node.connect('flood');
    await sim.run();
    // A fast but honest client: 16 edits at once (past the burst of 10), then it stops. The
    // rest waits for tokens, about a second at 5/s, well inside the 2 s bound (E5).
    for (let i = 0; i < 16; i++) fast.insert(fast.text.length, 'x');
    await sim.run();
    assert.equal(fast.closeCode, null, `slowed, not cut (${fast.closeReason})`);
    assert.ok(fast.acked < fast.sent, 'the rest waits for tokens');
    await sim.advance(3_000);
    assert.equal(fast.closeCode, null);
    assert.equal(fast.acked, fast.sent, 'everything arrives once tokens refill');
    assert.equal((await sim.stored('fast')).length, 16);
    // A flood: keeps sending faster than the rate for longer than the bound.
    for (let t = 0; t < 30 && flood.closeCode === null; t++) {
      for (let i = 0; i < 10; i++) flood.insert(flood.text.length, 'y');
      await sim.advance(100);
    }
    assert.equal(flood.closeCode, CloseCode.RateLimited);
    assert.match(flood.closeReason, /messages per second, sustained/);
    const stored = (await sim.stored('flood')).length;
    assert.ok(stored < flood.text.length, `only what the bucket allowed was accepted (stored ${stored})`);
    assert.ok(stored > 0, 'the burst itself was accepted');
    assert.equal(await node.rejected('rate_sustained'), 1, 'one rejection counted for the one closed connection');
    bystander.insert(0, 'unaffected');
    await sim.run();
    assert.equal(bystander.closeCode, null);
    assert.equal(bystander.acked, bystander.sent);
  });

  it('L5 a pad past its character limit refuses the update with 4413 and keeps its content', async () => {
    sim = new Sim();
    const node = sim.node({ settings: { maxPadChars: 100 } });
    const c = await node.connect('big');
    const other = await node.connect('big');
    await sim.run();
    c.insert(0, 'a'.repeat(90));
    await sim.run();
    assert.equal(c.acked, c.sent);
    c.insert(0, 'b'.repeat(20));
    await sim.run();
    assert.equal(c.closeCode, CloseCode.PadTooLarge);
    assert.equal(await sim.stored('big'), 'a'.repeat(90));
    assert.equal(other.text, 'a'.repeat(90), 'the refused update never reached the others');
    assert.equal(other.closeCode, null);
  });

  it('L5 a pad past its stored-byte limit refuses the update with 4413 and keeps its content', async () => {
    sim = new Sim();
    const node = sim.node({ settings: { maxPadBytes: 4096 } });
    const c = await node.connect('heavy');
    await sim.run();
    c.insert(0, 'a'.repeat(1000));
    await sim.run();
    assert.equal(c.acked, c.sent);
    c.insert(0, 'b'.repeat(5000));
    await sim.run();
    assert.equal(c.closeCode, CloseCode.PadTooLarge);
    assert.match(c.closeReason, /bytes/);
    assert.equal(await sim.stored('heavy'), 'a'.repeat(1000));
  });

  it('L9 a client that stops reading is cut off without stalling others', async () => {
    const bound = 256 * 1024;
    sim = new Sim();
    const node = sim.node({
      settings: {
        maxSendBufferBytes: bound,
        maxPadChars: 64 * 1024 * 1024,
        messagesPerSec: 10_000,
        messageBurst: 10_000,
      },
    });
    const slow = await node.connect('slow');
    const reader = await node.connect('slow');
    const writer = await node.connect('slow');
    await sim.run();
    slow.paused = true;
    const chunk = 'y'.repeat(32 * 1024);
    const n = 100; // 3.2 MB: past 8 x the bound, where a reader is cut at once
    for (let i = 0; i < n; i++) {
      writer.insert(0, chunk);
      await sim.run();
    }
    assert.equal(writer.closeCode, null, `writer closed: ${writer.closeReason}`);
    assert.equal(writer.acked, writer.sent, 'writer acked');
    assert.equal(reader.text.length, n * chunk.length, 'the reading client gets everything');
    assert.equal(slow.closeCode, CloseCode.SlowConsumer, 'slow consumer cut off');
    assert.equal(await node.rejected('slow_consumer'), 1);
    assert.ok(slow.socket.bufferedAmount <= bound * 9, 'nothing more was queued for it once cut');
  });

  it('L11 a truncated frame and a sync message with a bogus state vector close with 4400', async () => {
    sim = new Sim();
    const node = sim.node();
    const a = await node.connect('trunc');
    await sim.run();
    a.sendRaw(encodeMessage({ type: 'update', update: new Uint8Array([1, 2, 3]) }).slice(0, 3));
    await sim.run();
    assert.equal(a.closeCode, CloseCode.MalformedMessage);
    const b = await node.connect('trunc');
    await sim.run();
    b.sendRaw(encodeMessage({ type: 'sync-step1', stateVector: new Uint8Array([5, 1]) }));
    await sim.run();
    assert.equal(b.closeCode, CloseCode.MalformedMessage);
  });

  it('P4 a malformed frame closes only that connection; the pad is unchanged', async () => {
    sim = new Sim();
    const node = sim.node();
    const good = await node.connect('p4');
    await sim.run();
    good.insert(0, 'keep me');
    await sim.run();
    const bad = await node.connect('p4');
    await sim.run();
    bad.sendRaw(new Uint8Array([0x07, 0xff, 0xff]));
    await sim.run();
    assert.equal(bad.closeCode, CloseCode.MalformedMessage);
    assert.match(bad.closeReason, /unknown message type|malformed/);
    good.insert(7, '!');
    await sim.run();
    assert.equal(good.acked, good.sent);
    assert.equal(good.closeCode, null);
    assert.equal(await sim.stored('p4'), 'keep me!');
  });

  it('P5 an invalid Yjs update closes the connection with 4401 and is never stored', async () => {
    sim = new Sim();
    const node = sim.node();
    const good = await node.connect('p5');
    await sim.run();
    good.insert(0, 'safe');
    await sim.run();
    const bad = await node.connect('p5');
    await sim.run();
    bad.sendRaw(encodeMessage({ type: 'update', update: new Uint8Array([1, 1, 200, 1, 0, 40, 1, 9, 9, 9]) }));
    await sim.run();
    assert.equal(bad.closeCode, CloseCode.InvalidUpdate);
    assert.equal(await sim.stored('p5'), 'safe');
    assert.equal(good.closeCode, null, 'the other client stays connected');
    assert.equal(await node.rejected('invalid_update'), 1);
  });

  it('A2 a read-only connection syncs and sees live edits; an edit closes it with 4405 before it is applied', async () => {
    sim = new Sim();
    const node = sim.node();
    const owner = await node.connect('ro');
    await sim.run();
    owner.insert(0, 'original');
    await sim.run();
    const watcher = await node.connect('ro', { readOnly: true });
    await sim.run();
    assert.equal(watcher.text, 'original');
    owner.insert(8, ' and live');
    await sim.run();
    assert.equal(watcher.text, 'original and live', 'sees live edits');
    watcher.insert(0, 'vandal ');
    await sim.run();
    assert.equal(watcher.closeCode, CloseCode.ReadOnly);
    assert.equal(await sim.stored('ro'), 'original and live');
    assert.equal(owner.text, 'original and live', 'the refused edit never reached the owner');
    assert.equal(await node.rejected('read_only'), 1);
  });
});
