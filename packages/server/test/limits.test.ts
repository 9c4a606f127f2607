import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AllOf,
  DistinctWindow,
  KeyedCounter,
  SlidingWindow,
  TokenBucket,
  TurnShares,
  frameLimitBytes,
} from '../src/limits.js';
import { addressTurnShare } from '../src/transport/ws.js';

describe('Limits', () => {
  it('L1 token bucket allows a burst, then the refill rate', () => {
    let now = 0;
    const b = new TokenBucket(10, 5, () => now);
    for (let i = 0; i < 5; i++) assert.ok(b.take());
    assert.equal(b.take(), false);
    now += 100; // 1 token
    assert.ok(b.take());
    assert.equal(b.take(), false);
    now += 10_000;
    for (let i = 0; i < 5; i++) assert.ok(b.take());
    assert.equal(b.take(), false, 'never more than the burst');
  });

  it('L4 buckets drawn on together grant only when all can, take from all, and wait for the slowest', () => {
    let now = 0;
    const own = new TokenBucket(100, 10, () => now);
    const address = new TokenBucket(10, 3, () => now);
    const a = new AllOf(own, address);
    const b = new AllOf(new TokenBucket(100, 10, () => now), address);
    assert.ok(a.take() && a.take());
    assert.ok(b.take(), "a second connection spends the same address's burst");
    assert.equal(b.take(), false, 'the address is spent, though b has tokens of its own');
    assert.equal(a.take(), false);
    assert.equal(own.available(), 8, 'a refused take takes nothing from the bucket that had tokens');
    assert.equal(a.msUntil(), 100, "the wait is the address's (10/s), not the connection's (100/s)");
    now += 100;
    assert.ok(a.take());
    assert.equal(b.take(), false);
  });

  it("L4 an address's share of one turn: spent within the turn, renewed when it ends, and drawn on with its rate", () => {
    const turnEnds: (() => void)[] = [];
    const shares = new TurnShares(3, (fn) => turnEnds.push(fn));
    const a = shares.get('10.0.0.1');
    assert.ok(a.take() && a.take(2));
    assert.equal(a.take(), false, 'the share is spent for this turn');
    assert.equal(shares.get('10.0.0.1').take(), false, 'another socket of the address shares it');
    assert.equal(a.msUntil(), 1, 'look again next turn');
    assert.ok(shares.get('10.0.0.2').take(3), 'another address has its own');
    assert.equal(turnEnds.length, 1, 'one end-of-turn task, however many addresses');
    turnEnds.shift()!();
    assert.equal(a.msUntil(), 0);
    assert.ok(a.take(3), 'renewed when the turn ended');
    const now = 0;
    const rate = new TokenBucket(10, 4, () => now);
    const both = new AllOf(rate, shares.get('10.0.0.3'));
    assert.ok(both.take(3));
    assert.equal(both.take(), false, 'the turn is spent though the rate has a token');
    assert.equal(rate.available(), 1, 'and the refused take took nothing from the rate');
    turnEnds.shift()!();
    assert.ok(both.take());
    assert.equal(both.take(), false, 'now the rate is spent');
    assert.equal(both.msUntil(), 100);
  });

  it("L4 an address's share of a turn is its rate's worth of 16 ms, at least 32: it bounds bursts, never the rate", () => {
    assert.equal(addressTurnShare(2_000), 32, 'the default rate');
    assert.equal(addressTurnShare(1_000_000), 16_000, 'a raised rate (a trusted proxy, the bench) raises the share');
    assert.equal(addressTurnShare(5), 32, 'a low rate does not spread a burst thinner than 32 a turn');
  });

  it('L2 keyed counter caps live items per key and frees on release', () => {
    const c = new KeyedCounter(2);
    assert.ok(c.tryAcquire('a'));
    assert.ok(c.tryAcquire('a'));
    assert.equal(c.tryAcquire('a'), false);
    assert.ok(c.tryAcquire('b'));
    c.release('a');
    assert.ok(c.tryAcquire('a'));
  });

  it('L3 sliding window forgets events older than the window', () => {
    let now = 0;
    const w = new SlidingWindow(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) assert.ok(w.tryHit('ip'));
    assert.equal(w.tryHit('ip'), false);
    now = 59_999;
    assert.equal(w.tryHit('ip'), false);
    now = 60_001;
    assert.ok(w.tryHit('ip'));
  });

  it('E4 distinct window counts each member once per window, so retries of one new pad are free', () => {
    let now = 0;
    const w = new DistinctWindow(2, 60_000, () => now);
    for (let i = 0; i < 10; i++) assert.ok(w.tryHit('ip', 'pad-a'), 'a retry of the same pad');
    assert.ok(w.tryHit('ip', 'pad-b'));
    assert.equal(w.tryHit('ip', 'pad-c'), false, 'a third distinct pad in the window');
    assert.ok(w.tryHit('other-ip', 'pad-c'), 'per key');
    now += 60_000;
    assert.ok(w.tryHit('ip', 'pad-c'), 'the window slid');
  });

  it('E5 token bucket says how long until the next token (when a paused reader looks again)', () => {
    let now = 0;
    const b = new TokenBucket(10, 2, () => now);
    assert.equal(b.msUntil(), 0);
    b.take();
    b.take();
    assert.equal(Math.round(b.msUntil()), 100);
    now += 50;
    assert.equal(Math.round(b.msUntil()), 50);
  });

  it('E1 the frame limit fits any edit the pad limit allows (3 bytes per UTF-16 unit plus overhead)', () => {
    const MiB = 1024 * 1024;
    const frame = frameLimitBytes(4 * MiB, 5_000_000, 32 * MiB);
    assert.ok(frame >= 15_000_000 && frame <= 32 * MiB, `default frame limit ${frame}`);
    assert.equal(frameLimitBytes(4 * MiB, 1_000, 32 * MiB), 4 * MiB, 'never below MAX_MESSAGE_BYTES');
    assert.equal(frameLimitBytes(MiB, 50_000_000, 8 * MiB), 8 * MiB, 'never past what a pad may store');
  });
});
