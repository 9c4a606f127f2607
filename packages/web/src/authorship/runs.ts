import * as Y from 'yjs';

/** One change of a Y.Text event: what `event.delta` holds for plain text. */
export type TextDelta = readonly { retain?: number; insert?: unknown; delete?: number }[];

/**
 * Which Yjs client wrote each character of the text, as runs (start, client), kept in step
 * with the text from each change's delta instead of walking the text again (AU2): on a
 * 1 M-character pad an edit costs a search and an array shift over the runs, not a walk
 * over every item. Positions are UTF-16 units, as in Y.Text and CodeMirror.
 */
export class AuthorRuns {
  private starts: number[] = [];
  private clients: number[] = [];
  length = 0;

  /** Every run of the text from its items (deleted ones skipped): once, when colours are switched on. */
  static of(ytext: Y.Text): AuthorRuns {
    const runs = new AuthorRuns();
    for (let item = ytext._start; item; item = item.right) {
      if (item.deleted || !(item.content instanceof Y.ContentString)) continue;
      const client = item.id.client;
      if (runs.clients[runs.clients.length - 1] !== client) {
        runs.starts.push(runs.length);
        runs.clients.push(client);
      }
      runs.length += item.length;
    }
    return runs;
  }

  /**
   * Applies one text event. `writer` is the only client whose items the transaction added,
   * or null when there were several (an offline merge): then inserted runs cannot be told
   * apart from the delta and the caller walks the text again (returns false).
   */
  apply(delta: TextDelta, writer: number | null): boolean {
    let pos = 0;
    for (const op of delta) {
      if (op.retain !== undefined) pos += op.retain;
      else if (op.delete !== undefined) this.delete(pos, op.delete);
      else if (typeof op.insert === 'string') {
        if (writer === null) return false;
        this.insert(pos, op.insert.length, writer);
        pos += op.insert.length;
      } else return false; // embeds never occur in a pad; if one did, start over
    }
    return true;
  }

  /** The runs overlapping [from, to), clipped to it: `[from, to, client]`. */
  *segments(from: number, to: number): Generator<[number, number, number]> {
    for (let i = Math.max(0, this.find(from)); i < this.starts.length && this.starts[i]! < to; i++) {
      const end = i + 1 < this.starts.length ? this.starts[i + 1]! : this.length;
      yield [Math.max(this.starts[i]!, from), Math.min(end, to), this.clients[i]!];
    }
  }

  /** How many runs there are (for tests and measurements). */
  get size(): number {
    return this.starts.length;
  }

  insert(pos: number, len: number, client: number): void {
    if (len <= 0) return;
    const i = this.splitAt(pos);
    for (let j = i; j < this.starts.length; j++) this.starts[j]! += len;
    this.length += len;
    if (i > 0 && this.clients[i - 1] === client) {
      // Extends the run before; typed into the middle of one's own run, the split closes again.
      if (i < this.starts.length && this.clients[i] === client) {
        this.starts.splice(i, 1);
        this.clients.splice(i, 1);
      }
      return;
    }
    if (i < this.starts.length && this.clients[i] === client) this.starts[i] = pos;
    else {
      this.starts.splice(i, 0, pos);
      this.clients.splice(i, 0, client);
    }
  }

  delete(pos: number, len: number): void {
    if (len <= 0) return;
    const a = this.splitAt(pos);
    const b = this.splitAt(Math.min(pos + len, this.length));
    this.starts.splice(a, b - a);
    this.clients.splice(a, b - a);
    for (let j = a; j < this.starts.length; j++) this.starts[j]! -= len;
    this.length -= len;
    if (a > 0 && a < this.starts.length && this.clients[a - 1] === this.clients[a]) {
      this.starts.splice(a, 1);
      this.clients.splice(a, 1);
    }
  }

  /** The index of the run holding `pos` (the last whose start is at or before it), -1 before all. */
  private find(pos: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= pos) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Makes a run start at `pos` (splitting the one holding it) and returns its index. */
  private splitAt(pos: number): number {
    if (pos >= this.length) return this.starts.length;
    const i = this.find(pos);
    if (this.starts[i] === pos) return i;
    this.starts.splice(i + 1, 0, pos);
    this.clients.splice(i + 1, 0, this.clients[i]!);
    return i + 1;
  }
}

/** The one client whose items a transaction added, or null if several (or none) did. */
export function soleWriter(tr: Y.Transaction): number | null {
  let writer: number | null = null;
  for (const [client, clock] of tr.afterState) {
    if (clock <= (tr.beforeState.get(client) ?? 0)) continue;
    if (writer !== null) return null;
    writer = client;
  }
  return writer;
}
