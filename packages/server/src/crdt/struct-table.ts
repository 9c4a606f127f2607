/** Structs per page: a page is 8,192 × 11 doubles (~700 KB), allocated as reading reaches it. */
const PAGE_BITS = 13;
const PAGE = 1 << PAGE_BITS;
const MASK = PAGE - 1;
/** Doubles per struct: start, end, client, clock, len, then origin, right origin, parent as (client, clock). */
const STRIDE = 11;
const START = 0;
const END = 1;
const CLIENT = 2;
const CLOCK = 3;
const LEN = 4;
const DEPS = 5;

/**
 * Every struct of a v1 update, in the order of its bytes, as rows of numbers (200k structs
 * would be 200k objects otherwise). Blocks of a client that a later block of the same client
 * replaces are left out, as Yjs drops them (`readClientsStructRefs` keeps one block per
 * client).
 *
 * Rows live in fixed pages, never in one array that doubles: at 610,000 structs the last
 * doubling of contiguous columns copied 40 MB into 80 MB of fresh memory, 44 ms of one turn
 * (found profiling HS4's load), where a new page costs well under a millisecond.
 */
export class StructTable {
  constructor(
    private readonly pages: readonly Float64Array[],
    /** Per client, its structs' rows [from, to), in clock order: v1 writes a client's structs as one block. */
    readonly blocks: readonly { client: number; from: number; to: number }[],
    /** The delete set's bytes: [dsStart, dsEnd). */
    readonly dsStart: number,
    readonly dsEnd: number,
  ) {}

  /** Byte range of the struct's encoding (info byte to end of content), position independent in v1. */
  start(i: number): number {
    return this.at(i, START);
  }

  end(i: number): number {
    return this.at(i, END);
  }

  client(i: number): number {
    return this.at(i, CLIENT);
  }

  clock(i: number): number {
    return this.at(i, CLOCK);
  }

  len(i: number): number {
    return this.at(i, LEN);
  }

  /**
   * Dependency k of struct i (0 origin, 1 right origin, 2 parent item): its client, NaN where
   * the struct has none or the reference is to its own client (ordered by its own clocks).
   */
  depClient(i: number, k: number): number {
    return this.at(i, DEPS + 2 * k);
  }

  depClock(i: number, k: number): number {
    return this.at(i, DEPS + 2 * k + 1);
  }

  private at(i: number, field: number): number {
    return this.pages[i >>> PAGE_BITS]![(i & MASK) * STRIDE + field]!;
  }
}

/** Fills a struct table as structs are read. */
export class TableBuilder {
  private n = 0;
  private readonly pages: Float64Array[] = [];
  /** Each block's client and first struct index; its end is the next block's start. */
  private blocks: { client: number; from: number }[] = [];

  block(client: number): void {
    this.blocks.push({ client, from: this.n });
  }

  /** One struct; a reference of client -1, or to the struct's own client, is none. */
  struct(
    at: number,
    to: number,
    client: number,
    clock: number,
    len: number,
    originClient = -1,
    originClock = 0,
    rightClient = -1,
    rightClock = 0,
    parentClient = -1,
    parentClock = 0,
  ): void {
    const i = this.n++;
    if ((i & MASK) === 0) this.pages.push(new Float64Array(PAGE * STRIDE));
    const row = this.pages[i >>> PAGE_BITS]!;
    const o = (i & MASK) * STRIDE;
    row[o + START] = at;
    row[o + END] = to;
    row[o + CLIENT] = client;
    row[o + CLOCK] = clock;
    row[o + LEN] = len;
    dep(row, o + DEPS, client, originClient, originClock);
    dep(row, o + DEPS + 2, client, rightClient, rightClock);
    dep(row, o + DEPS + 4, client, parentClient, parentClock);
  }

  done(dsStart: number, dsEnd: number): StructTable {
    const last = new Map<number, number>();
    this.blocks.forEach((b, i) => last.set(b.client, i));
    const kept: { client: number; from: number; to: number }[] = [];
    let keep = 0;
    // A client's earlier block is dropped, as Yjs drops it (only a crafted update repeats a client).
    const moves = last.size < this.blocks.length;
    this.blocks.forEach((b, i) => {
      const to = this.blocks[i + 1]?.from ?? this.n;
      if (last.get(b.client) !== i) return;
      const from = keep;
      if (moves) for (let s = b.from; s < to; s++) this.move(s, keep++);
      else keep = to;
      if (keep > from) kept.push({ client: b.client, from, to: keep });
    });
    return new StructTable(this.pages, kept, dsStart, dsEnd);
  }

  private move(from: number, to: number): void {
    if (from === to) return;
    const src = this.pages[from >>> PAGE_BITS]!;
    const dst = this.pages[to >>> PAGE_BITS]!;
    const s = (from & MASK) * STRIDE;
    dst.set(src.subarray(s, s + STRIDE), (to & MASK) * STRIDE);
  }
}

function dep(row: Float64Array, o: number, own: number, client: number, clock: number): void {
  const none = client < 0 || client === own;
  row[o] = none ? NaN : client;
  row[o + 1] = none ? NaN : clock;
}
