import type { Clock, Timer } from '../src/clock.js';

interface Task {
  at: number;
  seq: number;
  fn: () => void;
  every: number | null;
  cancelled: boolean;
}

/**
 * A clock that moves only when the test says so. `after(0)` tasks (end of turn) run on
 * `flush()`; later ones when `advance()` reaches them, in time order then scheduling order.
 */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private tasks: Task[] = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): Timer {
    return this.add(Math.max(0, ms), fn, null);
  }

  every(ms: number, fn: () => void): Timer {
    return this.add(Math.max(1, ms), fn, Math.max(1, ms));
  }

  /** Tasks scheduled and not yet run or cancelled. */
  get pending(): number {
    return this.tasks.filter((t) => !t.cancelled).length;
  }

  /**
   * Runs everything due now, letting promises settle between tasks, until nothing due is
   * left (work scheduled by a task for "now" runs too). Returns how many tasks ran.
   */
  async flush(): Promise<number> {
    let ran = 0;
    for (let guard = 0; guard < 100_000; guard++) {
      await settleMicrotasks();
      const due = this.nextDue();
      if (!due) {
        await settleMicrotasks();
        if (!this.nextDue()) return ran;
        continue;
      }
      this.run(due);
      ran++;
    }
    throw new Error('ManualClock.flush: tasks keep scheduling themselves for now (a loop?)');
  }

  /**
   * Runs the one task due first (one event-loop turn's worth: an end-of-turn batch, one
   * slice of a big update), letting promises settle before and after. False if none was due.
   */
  async step(): Promise<boolean> {
    await settleMicrotasks();
    const due = this.nextDue();
    if (!due) return false;
    this.run(due);
    await settleMicrotasks();
    return true;
  }

  /** Moves time forward by `ms`, running every task that falls due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await this.flush();
    for (;;) {
      const next = this.tasks.filter((t) => !t.cancelled && t.at <= end).sort(byTime)[0];
      if (!next) break;
      this.time = Math.max(this.time, next.at);
      await this.flush();
    }
    this.time = end;
    await this.flush();
  }

  private add(ms: number, fn: () => void, every: number | null): Timer {
    const task: Task = { at: this.time + ms, seq: this.seq++, fn, every, cancelled: false };
    this.tasks.push(task);
    return { cancel: () => (task.cancelled = true) };
  }

  private nextDue(): Task | undefined {
    this.tasks = this.tasks.filter((t) => !t.cancelled);
    return this.tasks.filter((t) => t.at <= this.time).sort(byTime)[0];
  }

  private run(task: Task): void {
    if (task.every !== null) {
      task.at += task.every;
      task.seq = this.seq++;
    } else task.cancelled = true;
    task.fn();
  }
}

const byTime = (a: Task, b: Task) => a.at - b.at || a.seq - b.seq;

/**
 * Lets every promise chain that is already resolvable run to completion: the microtask
 * queue drains before the next macrotask. One real turn, never a wait on real time.
 */
function settleMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
