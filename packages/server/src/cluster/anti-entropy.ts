import type { Clock, Timer } from '../clock.js';
import type { Bus } from './bus/types.js';

/** What the node's anti-entropy timer asks of one pad's link (ClusterLink). */
export interface Announcer {
  /** Publishes the pad's state; false if it was announced too recently and nothing went out. */
  announce(force?: boolean): boolean;
}

/**
 * The sweep visits each open pad once every this many periods at most (20 s at the default
 * `ANTI_ENTROPY_MS`), and never more than SWEEP_MAX_PER_PERIOD pads per period.
 */
export const SWEEP_PERIODS = 10;
/**
 * A node announces at most this many unchanged pads per period, however many it holds open
 * (issue 19): what a peer lacks after a changed pad's announcement was lost on the bus without
 * a reconnect, which is rare. So a node's sweep visits every pad every 20 s up to 100 open
 * pads, and every `pads / 10` periods beyond (200 s at 1,000).
 */
export const SWEEP_MAX_PER_PERIOD = 10;

export interface AntiEntropyDeps {
  bus: Bus;
  clock: Clock;
  /** `ANTI_ENTROPY_MS`: how soon a changed pad announces its state, and the sweep's step. */
  periodMs: number;
}

/**
 * The node's one anti-entropy timer (C4). Each period it announces the state of every open pad
 * that changed since its last announcement (or whose digest differed from a peer's), then
 * sweeps a bounded number of unchanged pads in turn; after a bus reconnect, every open pad at
 * once. An unchanged pad between two sweeps costs nothing: no timer of its own (one per pad
 * woke the event loop ~500 times a second per 1,000 open pads) and no announcement (each one a
 * publish, and Redis echoes it to its publisher, which decodes and drops it).
 */
export class AntiEntropy {
  private readonly links = new Set<Announcer>();
  private readonly due = new Set<Announcer>();
  /** The sweep's place among `links`; a Set's iterator sees additions and skips deletions. */
  private walk: Iterator<Announcer>;
  /** Sweep credit, in SWEEP_PERIODS-ths of a pad (integers: 10 × 0.1 is not 1 in floats). */
  private credit = 0;
  private timer: Timer | null = null;
  private readonly stopReconnect: () => void;

  constructor(private readonly deps: AntiEntropyDeps) {
    this.walk = this.links.values();
    this.stopReconnect = deps.bus.onReconnect(() => {
      for (const link of this.links) link.announce(true);
    });
  }

  /** A pad opened: it announces at the next period, so a peer that has it open answers. */
  add(link: Announcer): void {
    this.links.add(link);
    this.due.add(link);
    this.timer ??= this.deps.clock.every(this.deps.periodMs, () => this.tick());
  }

  remove(link: Announcer): void {
    this.links.delete(link);
    this.due.delete(link);
    if (this.links.size === 0) {
      this.timer?.cancel();
      this.timer = null;
      this.credit = 0;
    }
  }

  /** The pad changed, or a peer's digest differed from its own: announce at the next period. */
  markDue(link: Announcer): void {
    if (this.links.has(link)) this.due.add(link);
  }

  close(): void {
    this.timer?.cancel();
    this.timer = null;
    this.stopReconnect();
  }

  private tick(): void {
    // A pad announced too recently (ANNOUNCE_MIN_MS) stays due for the next period.
    for (const link of [...this.due]) if (link.announce()) this.due.delete(link);
    const max = SWEEP_MAX_PER_PERIOD * SWEEP_PERIODS;
    this.credit = Math.min(this.credit + Math.min(this.links.size, max), max);
    let n = Math.min(Math.floor(this.credit / SWEEP_PERIODS), this.links.size);
    this.credit -= n * SWEEP_PERIODS;
    while (n-- > 0) {
      let next = this.walk.next();
      if (next.done) next = (this.walk = this.links.values()).next();
      if (next.done) break;
      next.value.announce();
    }
  }
}
