import type { StructTable } from './shape-types.js';

/** Grows the struct table's columns as structs are read. */
export class TableBuilder {
  private n = 0;
  private cap = 1_024;
  private start = new Uint32Array(this.cap);
  private end = new Uint32Array(this.cap);
  private client = new Float64Array(this.cap);
  private clock = new Float64Array(this.cap);
  private len = new Float64Array(this.cap);
  private deps = new Float64Array(this.cap * 6);
  /** Each block's client and first struct index; its end is the next block's start. */
  private blocks: { client: number; from: number }[] = [];

  block(client: number): void {
    this.blocks.push({ client, from: this.n });
  }

  struct(at: number, to: number, client: number, clock: number, len: number, ...refs: number[]): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.start[i] = at;
    this.end[i] = to;
    this.client[i] = client;
    this.clock[i] = clock;
    this.len[i] = len;
    for (let k = 0; k < 3; k++) {
      const c = refs[2 * k] ?? -1;
      const none = c < 0 || c === client;
      this.deps[i * 6 + 2 * k] = none ? NaN : c;
      this.deps[i * 6 + 2 * k + 1] = none ? NaN : refs[2 * k + 1]!;
    }
  }

  done(dsStart: number, dsEnd: number): StructTable {
    const last = new Map<number, number>();
    this.blocks.forEach((b, i) => last.set(b.client, i));
    let keep = 0;
    if (last.size < this.blocks.length) {
      // A client's earlier block is dropped, as Yjs drops it (only a crafted update repeats a client).
      this.blocks.forEach((b, i) => {
        const to = this.blocks[i + 1]?.from ?? this.n;
        if (last.get(b.client) !== i) return;
        for (let s = b.from; s < to; s++) this.move(s, keep++);
      });
    } else keep = this.n;
    return {
      count: keep,
      start: this.start,
      end: this.end,
      client: this.client,
      clock: this.clock,
      len: this.len,
      deps: this.deps,
      dsStart,
      dsEnd,
    };
  }

  private move(from: number, to: number): void {
    if (from === to) return;
    this.start[to] = this.start[from]!;
    this.end[to] = this.end[from]!;
    this.client[to] = this.client[from]!;
    this.clock[to] = this.clock[from]!;
    this.len[to] = this.len[from]!;
    this.deps.copyWithin(to * 6, from * 6, from * 6 + 6);
  }

  private grow(): void {
    this.cap *= 2;
    const g = <T extends Uint32Array | Float64Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.start = g(this.start, this.cap);
    this.end = g(this.end, this.cap);
    this.client = g(this.client, this.cap);
    this.clock = g(this.clock, this.cap);
    this.len = g(this.len, this.cap);
    this.deps = g(this.deps, this.cap * 6);
  }
}
