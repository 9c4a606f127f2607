import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AntiEntropy, SWEEP_MAX_PER_PERIOD, SWEEP_PERIODS, type Announcer } from '../src/cluster/anti-entropy.js';
import { MemoryBus, MemoryHub } from '../src/cluster/bus/memory.js';
import { ManualClock } from '../testing/manual-clock.js';

const PERIOD = 2_000;

/** A pad's link as the timer sees it: counts its announcements, and like ClusterLink refuses a second one in a row. */
class FakeLink implements Announcer {
  announced = 0;
  forced = 0;
  /** False: "announced too recently", nothing goes out (ANNOUNCE_MIN_MS). */
  accept = true;
  private last = Number.NaN;
  constructor(private readonly clock: ManualClock) {}
  announce(force = false): boolean {
    if (!force && (!this.accept || this.clock.now() === this.last)) return false;
    this.last = this.clock.now();
    this.announced++;
    if (force) this.forced++;
    return true;
  }
}

function setup(pads: number) {
  const clock = new ManualClock();
  const bus = new MemoryBus(new MemoryHub());
  const ae = new AntiEntropy({ bus, clock, periodMs: PERIOD });
  const links = Array.from({ length: pads }, () => new FakeLink(clock));
  for (const l of links) ae.add(l);
  const total = () => links.reduce((n, l) => n + l.announced, 0);
  return { clock, bus, ae, links, total };
}

/** The node's one anti-entropy timer (issue 19: an unchanged pad costs nothing between sweeps). */
describe('Anti-entropy timer (cluster)', () => {
  it('C4 1,000 idle pads: each announces once on opening, then the sweep announces at most SWEEP_MAX_PER_PERIOD a period and reaches every pad', async () => {
    const { clock, ae, links, total } = setup(1_000);
    assert.equal(clock.pending, 1, 'one timer for the node, not one per pad');
    await clock.advance(PERIOD);
    assert.ok(
      links.every((l) => l.announced === 1),
      'a pad just opened announces at the next period',
    );
    const periods = 1_000 / SWEEP_MAX_PER_PERIOD;
    let before = total();
    for (let p = 0; p < periods; p++) {
      await clock.advance(PERIOD);
      assert.ok(total() - before <= SWEEP_MAX_PER_PERIOD, `period ${p}: ${total() - before} announcements`);
      before = total();
    }
    assert.ok(
      links.every((l) => l.announced === 2),
      `the sweep reached every pad once in ${periods} periods`,
    );
    // A change is announced at the next period, whatever the sweep's place.
    ae.markDue(links[500]!);
    await clock.advance(PERIOD);
    assert.equal(links[500]!.announced, 3, 'a changed pad announces within one period');
    ae.close();
  });

  it('C4 a few idle pads: each is swept every SWEEP_PERIODS periods, no sooner', async () => {
    const { clock, ae, links } = setup(3);
    await clock.advance(PERIOD);
    for (let p = 0; p < 2 * SWEEP_PERIODS; p++) await clock.advance(PERIOD);
    assert.deepEqual(
      links.map((l) => l.announced),
      [3, 3, 3],
      'one announcement on opening, then one per SWEEP_PERIODS periods',
    );
    ae.close();
  });

  it('C4 a pad announced too recently stays due; a bus reconnect announces every pad at once; the timer stops with the last pad', async () => {
    const { clock, bus, ae, links } = setup(2);
    links[0]!.accept = false;
    await clock.advance(PERIOD);
    assert.equal(links[0]!.announced, 0);
    links[0]!.accept = true;
    await clock.advance(PERIOD);
    assert.equal(links[0]!.announced, 1, 'announced at the following period');
    bus.heal();
    assert.deepEqual(
      links.map((l) => l.forced),
      [1, 1],
      'a reconnect does not wait for the period',
    );
    for (const l of links) ae.remove(l);
    assert.equal(clock.pending, 0, 'no pads, no timer');
    ae.close();
  });
});
