import { CloseCode } from '@padmesh/protocol';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Awareness } from 'y-protocols/awareness';
import { CloseError, type Conn } from '../transport/socket.js';
import { NotAnObject, normaliseState } from './presence-values.js';

/**
 * One presence state's JSON, in bytes (PR1). A y-codemirror cursor (two relative positions)
 * plus `user {name, color, colorLight}` is 200-400 bytes; 4 KiB leaves room for a client's
 * extra fields and keeps a join frame of a full pad near 1 MiB.
 */
export const PRESENCE_STATE_MAX_BYTES = 4 * 1024;
/** Client ids one connection may speak for (PR3). A tab has one; a few allow for several docs on one socket. */
export const PRESENCE_IDS_PER_CONN = 4;
/**
 * Presence entries shown on one pad (PR2); past it newcomers edit but are not shown (their
 * frames are not refused). 256 hid 244 of the cursors bench's 500 people and 144 of the 400
 * authors honest use allows (HI6); 1,024 states of at most 4 KiB bound a pad's presence to 4 MiB.
 */
export const PRESENCE_PER_PAD = 1024;
/** Entries in one frame (PR2): a stock client echoes whatever we relayed, up to a whole pad plus its departures. */
export const PRESENCE_FRAME_MAX_ENTRIES = 2 * PRESENCE_PER_PAD;
/** Departed ids whose last clock is kept so their return is seen at once (PR6); older ones are forgotten. */
export const PRESENCE_DEPARTED_KEEP = 4 * PRESENCE_PER_PAD;

/** A refusal with the `padmesh_rejected_total` reason it counts under. */
export class PresenceRefused extends CloseError {
  constructor(
    code: number,
    readonly label: string,
    reason: string,
  ) {
    super(code, reason);
  }
}

export interface PresenceEntry {
  id: number;
  clock: number;
  state: unknown;
}

export interface Admitted {
  /** The awareness update to apply (owned entries only, normalised and re-clocked), or null. */
  update: Uint8Array | null;
  /** This connection was first turned away from a full pad (PRESENCE_PER_PAD) by this frame: log and count it once. */
  full: boolean;
}

const utf8 = new TextDecoder();

/**
 * Reads an awareness update (varuint count, then per entry varuint client id, varuint clock,
 * varstring JSON) with every bound checked before the work it limits: the count before any
 * entry, each JSON length before it is decoded or parsed.
 */
export function decodeEntries(update: Uint8Array): PresenceEntry[] {
  const d = decoding.createDecoder(update);
  try {
    const n = decoding.readVarUint(d);
    if (n > PRESENCE_FRAME_MAX_ENTRIES)
      throw new PresenceRefused(CloseCode.PresenceRejected, 'presence_flood', `${n} presence entries in one frame`);
    const out: PresenceEntry[] = [];
    for (let i = 0; i < n; i++) {
      const id = decoding.readVarUint(d);
      const clock = decoding.readVarUint(d);
      const len = decoding.readVarUint(d);
      if (len > PRESENCE_STATE_MAX_BYTES)
        throw new PresenceRefused(
          CloseCode.PresenceRejected,
          'presence_too_large',
          `presence state of ${len} bytes (limit ${PRESENCE_STATE_MAX_BYTES})`,
        );
      // A length past the frame would read neighbouring memory of a pooled buffer: check first.
      if (len > d.arr.length - d.pos) throw new Error('truncated');
      out.push({ id, clock, state: JSON.parse(utf8.decode(decoding.readUint8Array(d, len))) as unknown });
    }
    return out;
  } catch (err) {
    if (err instanceof PresenceRefused) throw err;
    throw new PresenceRefused(CloseCode.MalformedMessage, 'presence_malformed', 'invalid awareness update');
  }
}

/** Awareness entries in y-protocols' wire format (the guard re-encodes what it relays). */
export function encodeEntries(entries: PresenceEntry[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const x of entries) {
    encoding.writeVarUint(e, x.id);
    encoding.writeVarUint(e, x.clock);
    encoding.writeVarString(e, JSON.stringify(x.state));
  }
  return encoding.toUint8Array(e);
}

/**
 * Presence is owned (design §5, PR3): a connection speaks only for the client ids it
 * introduced, at most PRESENCE_IDS_PER_CONN of them. An entry about someone else's id that
 * would change nothing (a stock y-websocket client echoes everything it hears, and times
 * others out at the clock it heard) is dropped quietly; one that would change it is refused.
 */
export class PresenceGuard {
  private readonly owners = new Map<number, Conn>();
  /** Per id: our clock minus the client's, so a returning client's unchanged clock still wins (PR6). */
  private readonly offsets = new Map<number, number>();
  /** Per departed id: the join number at its departure; insertion order is age, for pruning. */
  private readonly departed = new Map<number, number>();
  private readonly joinedAt = new WeakMap<Conn, number>();
  /** Connections already told the pad is full; a newcomer's every cursor move would otherwise log again. */
  private readonly turnedAway = new WeakSet<Conn>();
  private joins = 0;

  constructor(private readonly awareness: Awareness) {}

  joined(conn: Conn): void {
    this.joinedAt.set(conn, ++this.joins);
  }

  /** Checks a whole frame, then claims ids and builds what to apply; a refusal applies nothing. */
  admit(conn: Conn, update: Uint8Array): Admitted {
    const { meta, states } = this.awareness;
    const out: PresenceEntry[] = [];
    const claims = new Map<number, number>();
    let full = false;
    for (const e of decodeEntries(update)) {
      const known = meta.get(e.id)?.clock ?? 0;
      const owner = this.owners.get(e.id);
      if (owner === conn) {
        out.push(this.relayed(conn, e, this.offsets.get(e.id) ?? 0));
        continue;
      }
      if (owner !== undefined || e.id === this.awareness.clientID) {
        if (e.clock <= known) continue;
        throw new PresenceRefused(
          CloseCode.PresenceNotOwned,
          'presence_not_owned',
          `presence of client ${e.id} belongs to another connection`,
        );
      }
      // Nobody here speaks for this id. Removing it is not ours to do; setting it introduces it.
      if (e.state === null || claims.has(e.id)) continue;
      const present = states.has(e.id);
      // Joined after the id left: a returning client, not an echo of it; its clock may be unchanged (PR6).
      const returning = !present && (this.joinedAt.get(conn) ?? 0) > (this.departed.get(e.id) ?? Infinity);
      if (!returning && e.clock <= known) continue;
      if (conn.awarenessIds.size + claims.size >= PRESENCE_IDS_PER_CONN)
        throw new PresenceRefused(
          CloseCode.PresenceRejected,
          'presence_ids',
          `more than ${PRESENCE_IDS_PER_CONN} presence client ids on one connection`,
        );
      if (!present && states.size + claims.size >= PRESENCE_PER_PAD) {
        full = !this.turnedAway.has(conn);
        this.turnedAway.add(conn);
        continue;
      }
      const offset = returning ? Math.max(0, known + 1 - e.clock) : 0;
      claims.set(e.id, offset);
      out.push(this.relayed(conn, e, offset));
    }
    for (const [id, offset] of claims) {
      this.owners.set(id, conn);
      this.offsets.set(id, offset);
      this.departed.delete(id);
      conn.awarenessIds.add(id);
    }
    return { update: out.length > 0 ? encodeEntries(out) : null, full };
  }

  /** The connection left: its ids are free again. Returns them, for the room to remove. */
  release(conn: Conn): number[] {
    const ids = [...conn.awarenessIds];
    conn.awarenessIds.clear();
    for (const id of ids) {
      if (this.owners.get(id) !== conn) continue;
      this.owners.delete(id);
      this.markDeparted(id);
    }
    return ids;
  }

  /** States removed by any path (a leave, a timeout, a peer node): remember when, if nobody here owns them. */
  removed(ids: number[]): void {
    for (const id of ids) if (!this.owners.has(id)) this.markDeparted(id);
  }

  private relayed(conn: Conn, e: PresenceEntry, offset: number): PresenceEntry {
    const clock = e.clock + offset;
    if (!Number.isSafeInteger(clock))
      throw new PresenceRefused(CloseCode.MalformedMessage, 'presence_malformed', 'presence clock out of range');
    try {
      return { id: e.id, clock, state: e.state === null ? null : normaliseState(e.state, conn.readOnly) };
    } catch (err) {
      if (!(err instanceof NotAnObject)) throw err;
      throw new PresenceRefused(CloseCode.PresenceRejected, 'presence_invalid', err.message);
    }
  }

  /**
   * y-protocols keeps a clock for every id it ever saw; ours are bounded here, so a churn of
   * made-up ids cannot grow the pad's memory (PR2). A forgotten id is merely new if it returns.
   */
  private markDeparted(id: number): void {
    this.departed.delete(id);
    this.departed.set(id, this.joins);
    for (const oldest of this.departed.keys()) {
      if (this.departed.size <= PRESENCE_DEPARTED_KEEP) break;
      this.departed.delete(oldest);
      if (this.awareness.states.has(oldest) || this.owners.has(oldest)) continue;
      this.awareness.meta.delete(oldest);
      this.offsets.delete(oldest);
    }
  }
}
